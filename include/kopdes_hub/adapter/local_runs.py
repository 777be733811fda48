"""What `make run` and `make up` do with Airflow on this machine: run a DAG in-process with its task logs where the
UI reads them, and unpause the DAGs once the dag-processor has parsed them.

`airflow dags test` runs every task in its own process, with no worker, and logs to the console only, so the
api-server found no file for `make run`'s runs and asked a log server on :8793 that `make up` does not start ("Could
not read served logs ... Connection refused"). ``dags_test`` runs the same command with a task listener that writes
each attempt's log lines to the file a worker writes, ``[logging] base_log_folder`` / ``log_filename_template``, as
JSON lines through Airflow's own processors (timestamps, levels, tracebacks, secrets masked); the console keeps its
copy.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, MutableSequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import structlog
from airflow.listeners import hookimpl

PARSE_TIMEOUT = 120.0  # seconds the dag-processor gets to parse every DAG file


def log_relative_path(ti: Any) -> str:
    """The attempt's log file under the base log folder, rendered as the scheduler renders it for a worker."""
    from airflow.utils.helpers import log_filename_template_renderer

    return log_filename_template_renderer()(ti=ti, try_number=ti.try_number)


class TaskLogFiles:
    """A listener (Task SDK hooks) holding the log file of the attempt running in this process, and the two taps
    that copy log lines into it: a structlog processor and a logging handler."""

    def __init__(self) -> None:
        self.file: IO[bytes] | None = None
        self.paths: list[Path] = []
        self._groups = 0
        self._lock = threading.Lock()  # the in-process supervisor logs from a thread of its own too
        from airflow.sdk.log import logging_processors

        self._json = logging_processors(json_output=True)

    # -- listener hooks: the attempt starts running / has run its callbacks
    @hookimpl
    def on_task_instance_running(self, previous_state: Any, task_instance: Any) -> None:
        from airflow.sdk.log import init_log_file

        self.close()
        path = init_log_file(log_relative_path(task_instance))
        self.file = path.open("ab")  # appended, as a worker does: a resumed deferral writes to the same file
        self.paths.append(path)
        # the runner opened its "Pre Execute" group before this hook: its end alone would close nothing
        self._groups = 0

    @hookimpl
    def before_stopping(self, component: Any) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self.file is not None:
                self.file.close()
                self.file = None

    # -- the taps
    def write(self, logger: Any, method_name: str, event_dict: dict[str, Any]) -> None:
        with self._lock:
            self._write(logger, method_name, event_dict)

    def _write(self, logger: Any, method_name: str, event_dict: dict[str, Any]) -> None:
        if self.file is None:
            return
        event = str(event_dict.get("event", ""))
        if event.startswith("::group::"):
            self._groups += 1
        elif event == "::endgroup::":
            if not self._groups:
                return
            self._groups -= 1
        line: Any = dict(event_dict)
        try:
            for processor in self._json:
                line = processor(logger, method_name, line)
        except structlog.DropEvent:
            return
        self.file.write((line if isinstance(line, bytes) else str(line).encode()) + b"\n")
        self.file.flush()

    def structlog_tap(self, logger: Any, method_name: str, event_dict: Any) -> Any:
        self.write(logger, method_name, event_dict)
        return event_dict


class _StdlibTap(logging.Handler):
    """Standard-library records (the package logs through ``logging``) into the attempt's file."""

    def __init__(self, files: TaskLogFiles) -> None:
        super().__init__(logging.NOTSET)  # the loggers' levels ([logging] logging_level) already filtered
        self.files = files

    def emit(self, record: logging.LogRecord) -> None:
        if self.files.file is None:
            return
        try:
            event: dict[str, Any] = {
                "event": record.getMessage(),
                "logger": record.name,
                "timestamp": datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            }
            if record.exc_info:
                event["exc_info"] = record.exc_info
            self.files.write(None, record.levelname.lower(), event)
        except Exception:
            self.handleError(record)


@contextmanager
def task_log_files() -> Iterator[TaskLogFiles]:
    """While open, every task attempt run in this process logs to its file as well as to the console."""
    from airflow.sdk.listener import get_listener_manager

    files = TaskLogFiles()
    # structlog loggers bound earlier keep the configured list itself, so the tap goes into that list
    processors: MutableSequence[Any] = structlog.get_config()["processors"]
    processors.insert(0, files.structlog_tap)
    handler = _StdlibTap(files)
    logging.getLogger().addHandler(handler)
    manager = get_listener_manager()
    manager.add_listener(files)
    try:
        yield files
    finally:
        manager.pm.unregister(files)
        logging.getLogger().removeHandler(handler)
        with suppress(ValueError):
            processors.remove(files.structlog_tap)
        files.close()


def dags_test(dag_id: str) -> int:
    """``airflow dags test DAG_ID`` in this process, each attempt's log in its file; 0 when the run succeeded."""
    from airflow.cli import cli_parser

    args = cli_parser.get_parser().parse_args(["dags", "test", dag_id])
    with task_log_files():
        try:
            args.func(args)
        except SystemExit as exc:  # "DagRun failed"
            print(exc)
            return 1
    return 0


def dag_files(folder: Path) -> list[str]:
    """The DAG files of the folder, by name (one DAG per file; tests/dags checks it)."""
    return sorted(p.name for p in folder.glob("*.py") if not p.name.startswith("_"))


def unpause_dags(folder: Path, timeout: float = PARSE_TIMEOUT) -> tuple[list[str], list[str]]:
    """Wait until every DAG file of ``folder`` is parsed (a DAG or an import error in the metadata DB), then unpause
    the DAGs of those files. Returns (the DAG ids unpaused now, the files with no DAG after ``timeout`` seconds)."""
    from airflow.models.dag import DagModel
    from airflow.models.errors import ParseImportError
    from airflow.utils.session import create_session
    from sqlalchemy import select

    wanted = set(dag_files(folder))
    deadline = time.monotonic() + timeout
    while True:
        with create_session() as session:
            dags = session.scalars(select(DagModel).where(DagModel.is_stale.is_(False))).all()
            in_folder = {d.dag_id: Path(d.fileloc).name for d in dags if d.fileloc and Path(d.fileloc).parent == folder}
            errors = {Path(e.filename).name for e in session.scalars(select(ParseImportError)) if e.filename}
            missing = wanted - set(in_folder.values()) - errors
            if not missing or time.monotonic() > deadline:
                unpaused = []
                for dag in dags:
                    if dag.dag_id in in_folder and dag.is_paused:
                        dag.is_paused = False
                        unpaused.append(dag.dag_id)
                return sorted(unpaused), sorted(missing)
        time.sleep(1)
