"""Anju (安居): the application around the process engine — storage, services, CLI, UI."""
