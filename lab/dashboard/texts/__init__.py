"""Every text of the dashboard in English and Japanese, one module per page."""
