"""Storage adapters: SQLAlchemy (SQLite, PostgreSQL) and an in-memory store for simulation and tests."""
