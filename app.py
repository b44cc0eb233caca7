"""Streamlit entry point: `streamlit run app.py` (see the README's `make run`)."""

from anju.ui.app import main

main()
