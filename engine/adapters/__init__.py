"""Adapters from engine ports to outside systems (MLflow model registry, …)."""
