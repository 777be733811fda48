"""The only Airflow-aware modules: every asset, timetable and default (``assets``), the task bodies the DAG files call
(``tasks``: settings in, stage call, counts out through XCom), failure alerts (``alerts``) and the Celery workers'
preload (``workers``). Nothing else in the package imports Airflow."""
