"""Use cases: each one transaction through a unit of work."""
