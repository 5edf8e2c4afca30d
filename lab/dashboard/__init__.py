"""The dashboard: the only part of lab that imports Streamlit. The shell (frame, texts, URL state, charts), the work a
page asks for (work.py) and the server's settings, one folder per page (state, tables, charts, texts) and the pieces
the pages share (shared/)."""
