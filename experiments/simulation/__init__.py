"""The strategy simulator: a seeded synthetic world driving the real engine and agent policies.

``scenario`` reads and rescales scenario files, ``world`` generates demand, supply and carriers day by
day, ``policies`` names the engine's policies and their baselines, ``ledger`` and ``kpis`` turn what
happened into the KPIs of issue 6, ``runner`` runs one policy or the whole comparison, and ``report``
logs a comparison to MLflow through :mod:`experiments.tracking`.
"""
