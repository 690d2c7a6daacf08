"""Demo catalog data (DEMO DATA)."""
