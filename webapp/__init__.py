"""Fahras web application (placeholder until the web UI lands)."""
