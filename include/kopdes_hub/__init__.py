"""Kopdes Hub: the data pipeline of a secondary hub cooperative linking village cooperatives (KDKMP).

All logic lives here; DAG files only wire these functions together. Nothing in this package imports Airflow except
``assets`` and ``airflow_tasks``, the thin adapters the DAGs call.
"""
