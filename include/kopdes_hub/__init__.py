"""Kopdes Hub: the data pipeline of a secondary hub cooperative linking village cooperatives (KDKMP).

All logic lives here; DAG files only wire these functions together. Nothing in this package imports Airflow except
``adapter`` (assets, tasks, alerts, workers), the thin layer the DAGs call. The README's "Layout" says what lives
where.
"""
