"""Altair chart builders, DataFrame in, chart out, one module per page. No streamlit here."""
