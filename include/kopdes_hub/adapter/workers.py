"""What the hub's task workers import once, before they fork task processes.

Every task process would otherwise import Airflow's task runner, pandas, pyarrow, SQLAlchemy and GX again (~2 s a
task, ~3 s more for GX). LocalExecutor gets them from a forkserver (`[scheduler] mp_start_method = forkserver`,
`[core] mp_forkserver_preload`, set by the Makefile and tests/stack.py); Celery gets them from ``CELERY_CONFIG``
(`[celery] celery_config_options = include.kopdes_hub.adapter.workers.CELERY_CONFIG`), whose ``imports`` the worker's
main process loads before it forks its pool. Third-party modules only: the project's own code is imported per
task, so a deploy of dags/ and include/ needs no worker restart.
"""

from __future__ import annotations

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

PRELOAD = (
    "airflow",
    "airflow.executors.local_executor",
    "airflow.sdk.execution_time.task_runner",
    "airflow.providers.standard.decorators.python",
    "pandas",
    "pyarrow.parquet",
    "pyarrow.compute",
    "sqlalchemy",
    "alembic.command",
    "great_expectations",
    "scipy.optimize",
    "matplotlib",
    "jinja2",
    "openpyxl",
)


CELERY_CONFIG = {**DEFAULT_CELERY_CONFIG, "imports": PRELOAD}
