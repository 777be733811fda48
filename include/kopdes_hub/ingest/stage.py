"""Ingest stage: register every file of landing in the ledger by SHA-256 and parse it into one bronze Parquet file.

Idempotent by construction: the same bytes are one submission whatever their name, a finished submission is never
parsed again, and a submission left ``received`` by a crash is simply parsed again by the next run. A file that
cannot be read gets the ``unreadable`` status and a reason, stays in landing untouched and never stops the others.

Landing is read defensively (``landing``); a file whose parsing raises anything unforeseen is ``unreadable`` with
``read_failed`` (traceback in the log), and the batch goes on; a store or lake failure still fails the task, which
retries.

``received_at`` is the earliest landing time of any name the content arrived under, and ``file_name`` that name,
whatever order the batches ran in; bronze holds nothing that depends on which name was parsed.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from datetime import UTC, datetime
from typing import Any, TypedDict

import pandas as pd
import pyarrow as pa
from sqlalchemy import Row, and_, or_, select, update

from include.kopdes_hub import contract
from include.kopdes_hub.config import Settings
from include.kopdes_hub.contract.values import storable
from include.kopdes_hub.ingest.landing import entry_sha256, list_landing, read_landing_file
from include.kopdes_hub.ingest.parse import ParsedFile, UnreadableFile, parse_bytes
from include.kopdes_hub.storage import lake, store

log = logging.getLogger(__name__)


LINEAGE_COLUMNS = ("_submission_id", "_sheet", "_row_number")


def find_new_files(settings: Settings) -> list[str]:
    """Landing paths the ledger has not finished: never seen, changed since (size or mtime), or still ``received``.

    Files are matched by path, size and mtime first so a sweep does not hash the whole landing folder every time.
    An entry that is not a regular file is listed too, until its ledger record exists.
    """
    engine = store.get_engine(settings.db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                store.SubmissionFile.path,
                store.SubmissionFile.size_bytes,
                store.SubmissionFile.mtime_ns,
                store.Submission.status,
            ).join(store.Submission, store.Submission.sha256 == store.SubmissionFile.sha256)
        ).all()
    finished = {(r.path, r.size_bytes, r.mtime_ns) for r in rows if r.status != store.RECEIVED}
    return [f.path for f in list_landing(settings.landing) if (f.path, f.size_bytes, f.mtime_ns) not in finished]


def _register(settings: Settings, path: str, sha: str, size: int, mtime_ns: int) -> Row[Any]:
    """Record the content and the name it came under; return the submission row (new or already known).

    ``received_at`` is when the content landed: the earliest mtime (capped at now against clock skew) of every name
    it arrived under, and ``file_name`` is that name (the smaller one on a tie). Each registration lowers them if
    its name landed earlier, so the result does not depend on which batch ran first; it decides which of two files
    for the same month is the later one and whether a report was on time.
    """
    now = store.utcnow()
    landed = min(datetime.fromtimestamp(mtime_ns / 1e9, UTC), now)
    s = store.Submission
    engine = store.get_engine(settings.db_url)
    with engine.begin() as conn:
        store.upsert(
            conn,
            s.__table__,
            [
                {
                    "submission_id": sha[:16],
                    "sha256": sha,
                    "file_name": path,
                    "size_bytes": size,
                    "received_at": landed,
                    "status": store.RECEIVED,
                    "updated_at": now,
                }
            ],
            ("sha256",),
            update=False,
        )
        earlier = or_(s.received_at > landed, and_(s.received_at == landed, s.file_name > path))
        conn.execute(update(s).where(s.sha256 == sha, earlier).values(received_at=landed, file_name=path))
        store.upsert(
            conn,
            store.SubmissionFile.__table__,
            [{"path": path, "sha256": sha, "size_bytes": size, "mtime_ns": mtime_ns, "first_seen_at": now}],
            ("path", "sha256"),
            update=False,
        )
        # A path whose content changed keeps its older row too (the older content is another submission), so
        # refresh size/mtime only on this content's row.
        conn.execute(
            update(store.SubmissionFile)
            .where(store.SubmissionFile.path == path, store.SubmissionFile.sha256 == sha)
            .values(size_bytes=size, mtime_ns=mtime_ns)
        )
    with engine.connect() as conn:
        return conn.execute(select(s).where(s.sha256 == sha)).one()


def bronze_table(parsed: ParsedFile, submission_id: str) -> pa.Table:
    """Values as received (strings) plus lineage: submission, sheet and row number. Bronze is keyed by content, so
    it holds nothing that depends on which of its names was parsed first: the file names and the received time are
    the ledger's (the earliest may still turn up later, under an older name)."""
    frame = parsed.frame.copy()
    for column, value in parsed.header_fields.items():
        if column not in frame.columns:
            frame[column] = value
    data = {c: pa.array(frame[c].tolist(), type=pa.string()) for c in frame.columns}
    n = len(frame)
    data["_submission_id"] = pa.array([submission_id] * n, type=pa.string())
    data["_sheet"] = pa.array([parsed.sheet] * n, type=pa.string())
    data["_row_number"] = pa.array(parsed.row_numbers, type=pa.int32())
    metadata = {
        b"kopdes.contract_version": contract.CONTRACT_VERSION.encode(),
        b"kopdes.kind": parsed.kind.encode(),
        b"kopdes.file_format": parsed.file_format.encode(),
    }
    return pa.table(data).replace_schema_metadata(metadata)


def _first_value(frame: pd.DataFrame, column: str) -> str | None:
    if column not in frame.columns:
        return None
    values = frame[column].str.strip()
    values = values[values != ""]
    return values.mode().iloc[0] if len(values) else None


def _clip(value: str | None, column: Any) -> str | None:
    """A value as received, cut to its ledger column: a 500-character "cooperative id" is as wrong as a 41-character
    one, and on PostgreSQL it would fail the batch's update on every run."""
    return storable(value)[: column.type.length] if value is not None else None


def _unreadable(path: str, problem: UnreadableFile) -> dict[str, Any]:
    log.warning("%s is unreadable (%s): %s", path, problem.code, problem.message_en)
    return {"status": store.UNREADABLE, "reason_code": problem.code, "reason": problem.message_en}


def _to_bronze(settings: Settings, path: str, submission_id: str, data: bytes) -> dict[str, Any]:
    """Parse the bytes and write bronze; the ledger values to record. Only the file's own failures become a reason:
    anything raised while reading it is this file's problem (``read_failed``), a failing lake write is not."""
    s = store.Submission
    try:
        parsed = parse_bytes(data, settings.limits)
        table = bronze_table(parsed, submission_id)
        header = parsed.header_fields
        cooperative_id = _first_value(parsed.frame, "cooperative_id") or header.get("cooperative_id")
        period = _first_value(parsed.frame, "period") or header.get("period")
    except UnreadableFile as exc:
        return _unreadable(path, exc)
    except Exception as exc:
        log.exception("reading %s failed unexpectedly; recorded as read_failed, the batch goes on", path)
        return _unreadable(path, UnreadableFile("read_failed", f"{type(exc).__name__}: {exc}"[:200]))
    target = lake.bronze_path(settings.lake, submission_id)
    lake.write_parquet_atomic(table, target)
    return {
        "status": store.BRONZE,
        "reason_code": None,
        "reason": None,
        "file_format": parsed.file_format,
        "encoding": parsed.encoding,
        "delimiter": parsed.delimiter,
        "sheet": _clip(parsed.sheet, s.sheet),
        "header_row": parsed.header_row,
        "kind": parsed.kind,
        "cooperative_id": _clip(cooperative_id, s.cooperative_id),
        "period": _clip(period, s.period),
        "rows_bronze": len(parsed.frame),
        "bronze_path": target.relative_to(settings.lake).as_posix(),
        "contract_version": contract.CONTRACT_VERSION,
    }


def ingest_file(settings: Settings, path: str) -> str:
    """Register one landing entry and, if its content is new, parse it to bronze. Returns what happened:
    ``bronze``, ``unreadable``, ``duplicate`` (content already finished) or ``vanished`` (removed meanwhile)."""
    try:
        entry = read_landing_file(settings.landing, path, settings.limits.max_file_bytes)
    except FileNotFoundError:
        log.warning("%s disappeared from landing before it was read; nothing recorded", path)
        return "vanished"
    sha = entry_sha256(path, entry.problem.code) if entry.problem else hashlib.sha256(entry.data or b"").hexdigest()
    submission = _register(settings, path, sha, entry.size_bytes, entry.mtime_ns)
    if submission.status != store.RECEIVED:
        log.info("%s is the same content as %s (%s): nothing to do", path, submission.file_name, submission.status)
        return "duplicate"
    if entry.problem is not None:
        values = _unreadable(path, entry.problem)
    else:
        assert entry.data is not None
        values = _to_bronze(settings, path, submission.submission_id, entry.data)
    with store.get_engine(settings.db_url).begin() as conn:
        conn.execute(
            update(store.Submission).where(store.Submission.sha256 == sha).values(**values, updated_at=store.utcnow())
        )
    return str(values["status"])


class IngestCounts(TypedDict):
    """What a batch of landing entries became (what an ingest task passes on through XCom)."""

    bronze: int
    unreadable: int
    duplicate: int
    vanished: int


def ingest_files(settings: Settings, paths: list[str]) -> IngestCounts:
    """Ingest a batch; one file's failure to be read is recorded and never stops the others."""
    outcomes = Counter(ingest_file(settings, p) for p in paths)
    return IngestCounts(
        bronze=outcomes["bronze"],
        unreadable=outcomes["unreadable"],
        duplicate=outcomes["duplicate"],
        vanished=outcomes["vanished"],
    )


def batches(paths: list[str], size: int) -> list[list[str]]:
    return [paths[i : i + size] for i in range(0, len(paths), size)]
