"""Fahras search engine: Arabic analysis, indexing and querying (no web framework here)."""
