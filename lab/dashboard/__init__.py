"""The dashboard: the only part of lab that imports streamlit (shell.py, compute.py)."""
