"""Indonesia's official regions: codes, the names people type for them, and their time zones."""
