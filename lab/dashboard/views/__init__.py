"""What each page shows, as small tables from computed results. No streamlit here."""
