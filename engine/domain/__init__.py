"""The pre-order domain in plain Python: no framework, no database."""
