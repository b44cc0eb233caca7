"""Reading files people send us (Excel): refusing bad files, mapping columns, validating rows.

Owns: everything that touches openpyxl and python-calamine. Must not import `anju.db`,
`anju.services`, SQLAlchemy or Streamlit: it turns bytes into plain dataclasses, nothing more.
"""
