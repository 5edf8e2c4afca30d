"""What every page shares: URL parameters (params), tables and CSV (tables), chart pieces (charts), the common texts
(texts), the data dictionary (columns) and why a link's parameter was ignored (reasons)."""
