"""Each page's state: URL -> frozen, validated state -> widgets -> URL. No streamlit here."""
