"""Ingest stage: register every file of landing in the ledger by SHA-256 and parse it into one bronze Parquet file.

Idempotent by construction: the same bytes are one submission whatever their name, a finished submission is never
parsed again, and a submission left ``received`` by a crash is simply parsed again by the next run. A file that
cannot be read gets the ``unreadable`` status and a reason, stays in landing untouched and never stops the others.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
from sqlalchemy import select, update

from include.kopdes_hub import contract, lake, store
from include.kopdes_hub.config import Settings
from include.kopdes_hub.parse import ParsedFile, UnreadableFile, parse_bytes

log = logging.getLogger(__name__)

LINEAGE_COLUMNS = ("_submission_id", "_source_file", "_sheet", "_row_number", "_received_at")
# Names a clerk's tool or an uploader leaves behind while a file is still being written or is a lock file.
_IGNORED_PREFIXES = (".", "~$", "_")
_IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")


@dataclass(frozen=True)
class LandingFile:
    path: str  # landing-relative, POSIX separators
    size_bytes: int
    mtime_ns: int


def list_landing(landing: Path) -> list[LandingFile]:
    """Every file a clerk delivered, in a stable order; hidden, temporary and lock files are not submissions."""
    found = []
    for root, dirs, files in os.walk(landing):
        dirs[:] = sorted(d for d in dirs if not d.startswith(_IGNORED_PREFIXES))
        for name in sorted(files):
            if name.startswith(_IGNORED_PREFIXES) or name.lower().endswith(_IGNORED_SUFFIXES):
                continue
            full = Path(root) / name
            stat = full.stat()
            found.append(LandingFile(full.relative_to(landing).as_posix(), stat.st_size, stat.st_mtime_ns))
    return found


def find_new_files(settings: Settings) -> list[str]:
    """Landing paths the ledger has not finished: never seen, changed since (size or mtime), or still ``received``.

    Files are matched by path, size and mtime first so a sweep does not hash the whole landing folder every time.
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


def _register(settings: Settings, path: str, sha: str, size: int, mtime_ns: int) -> store.Submission:
    """Record the content and the name it came under; return the submission row (new or already known).

    ``received_at`` is when the file landed (its mtime, capped at now against clock skew), not when a sweep
    happened to pick it up: it decides which of two files for the same month is the later one, and that must
    not depend on the order batches run in.
    """
    now = store.utcnow()
    landed = min(datetime.fromtimestamp(mtime_ns / 1e9, UTC), now)
    engine = store.get_engine(settings.db_url)
    with engine.begin() as conn:
        store.upsert(
            conn,
            store.Submission.__table__,
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
        return conn.execute(select(store.Submission).where(store.Submission.sha256 == sha)).one()


def bronze_table(parsed: ParsedFile, submission_id: str, source_file: str, received_at: datetime) -> pa.Table:
    """Values as received (strings) plus lineage: submission, file, sheet, row number and received time."""
    frame = parsed.frame.copy()
    for column, value in parsed.header_fields.items():
        if column not in frame.columns:
            frame[column] = value
    data = {c: pa.array(frame[c].tolist(), type=pa.string()) for c in frame.columns}
    n = len(frame)
    data["_submission_id"] = pa.array([submission_id] * n, type=pa.string())
    data["_source_file"] = pa.array([source_file] * n, type=pa.string())
    data["_sheet"] = pa.array([parsed.sheet] * n, type=pa.string())
    data["_row_number"] = pa.array(parsed.row_numbers, type=pa.int32())
    data["_received_at"] = pa.array([received_at] * n, type=pa.timestamp("us", tz="UTC"))
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


def ingest_file(settings: Settings, path: str) -> str:
    """Register one landing file and, if its content is new, parse it to bronze. Returns what happened:
    ``bronze``, ``unreadable``, ``duplicate`` (content already finished) or ``vanished`` (removed meanwhile)."""
    full = settings.landing / path
    try:
        stat = full.stat()
        data = full.read_bytes()
    except FileNotFoundError:
        log.warning("%s disappeared from landing before it was read; nothing recorded", path)
        return "vanished"
    sha = hashlib.sha256(data).hexdigest()
    submission = _register(settings, path, sha, stat.st_size, stat.st_mtime_ns)
    if submission.status != store.RECEIVED:
        log.info("%s is the same content as %s (%s): nothing to do", path, submission.file_name, submission.status)
        return "duplicate"
    values: dict[str, object]
    try:
        parsed = parse_bytes(data, path)
    except UnreadableFile as exc:
        log.warning("%s is unreadable (%s): %s", path, exc.code, exc.message_en)
        values = {"status": store.UNREADABLE, "reason_code": exc.code, "reason": exc.message_en}
    else:
        received_at = submission.received_at
        target = lake.bronze_path(settings.lake, submission.submission_id, received_at.date().isoformat())
        lake.write_parquet_atomic(bronze_table(parsed, submission.submission_id, path, received_at), target)
        values = {
            "status": store.BRONZE,
            "reason_code": None,
            "reason": None,
            "file_format": parsed.file_format,
            "encoding": parsed.encoding,
            "delimiter": parsed.delimiter,
            "sheet": parsed.sheet,
            "header_row": parsed.header_row,
            "kind": parsed.kind,
            "cooperative_id": _first_value(parsed.frame, "cooperative_id")
            or parsed.header_fields.get("cooperative_id"),
            "period": _first_value(parsed.frame, "period") or parsed.header_fields.get("period"),
            "rows_bronze": len(parsed.frame),
            "bronze_path": target.relative_to(settings.lake).as_posix(),
            "contract_version": contract.CONTRACT_VERSION,
        }
    with store.get_engine(settings.db_url).begin() as conn:
        conn.execute(
            update(store.Submission).where(store.Submission.sha256 == sha).values(**values, updated_at=store.utcnow())
        )
    return str(values["status"])


def ingest_files(settings: Settings, paths: list[str]) -> dict[str, int]:
    """Ingest a batch; one file's failure to parse is recorded and never stops the others."""
    outcomes = Counter(ingest_file(settings, p) for p in paths)
    return {k: outcomes.get(k, 0) for k in ("bronze", "unreadable", "duplicate", "vanished")}


def batches(paths: list[str], size: int) -> list[list[str]]:
    return [paths[i : i + size] for i in range(0, len(paths), size)]
