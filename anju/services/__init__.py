"""Use cases: the only door the CLI, the UI and the worker use. Never imports Streamlit."""
