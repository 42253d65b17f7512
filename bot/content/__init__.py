"""Content: models, loading, checking and the answerable entries. Pure apart from reading files."""
