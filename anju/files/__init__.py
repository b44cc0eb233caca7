"""Uploaded files: what they are (`kinds`) and where they are kept (`store`)."""
