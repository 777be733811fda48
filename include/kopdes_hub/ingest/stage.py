"""Ingest stage: register every file of landing in the ledger by SHA-256 and parse it into one bronze Parquet file.

Idempotent by construction: the same bytes are one submission whatever their name, a finished submission is never
parsed again, and a submission left ``received`` by a crash is simply parsed again by the next run. A file that
cannot be read gets the ``unreadable`` status and a reason, stays in landing untouched and never stops the others.

Landing is written by people and tools we do not control, so it is read defensively:

- only regular files are opened. A symbolic link (to a file, a folder, ``/etc/passwd`` or nothing), a FIFO, a
  socket or a device is never opened nor followed, and a linked folder is never descended; such an entry is an
  ``unreadable`` submission with reason ``not_a_regular_file``. Every folder on a file's way is opened without
  following links, so a folder swapped for a link after listing cannot lead a read outside landing.
- a file is opened non-blocking (a FIFO swapped in after listing never hangs the task), checked to be a regular file
  on the opened descriptor and measured against ``Limits.max_file_bytes`` before a byte is read (``too_large``).
- an entry that is not read (not regular, too large, or not readable by the hub's user: once its permissions are
  fixed, touch it so its new mtime has it read) has no content to hash, so its ledger key is a descriptor:
  ``sha256(b"\\0kopdes-landing-entry\\0" + reason_code + b"\\0" + path)`` (``entry_sha256``). The same entry is the
  same row on every run (a rerun records nothing twice); no real file is that hash, since its content would have to
  start with a NUL byte and spell out the landing path.
- a file whose parsing raises anything unforeseen is ``unreadable`` with ``read_failed`` (traceback in the log),
  and the batch goes on; a store or lake failure still fails the task, which retries.

``received_at`` is the earliest landing time of any name the content arrived under, and ``file_name`` that name,
whatever order the batches ran in; bronze holds nothing that depends on which name was parsed but ``_source_file``.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
import pyarrow as pa
from sqlalchemy import and_, or_, select, update

from include.kopdes_hub import contract
from include.kopdes_hub.config import Settings
from include.kopdes_hub.ingest.parse import ParsedFile, UnreadableFile, parse_bytes
from include.kopdes_hub.storage import lake, store

log = logging.getLogger(__name__)

LINEAGE_COLUMNS = ("_submission_id", "_source_file", "_sheet", "_row_number")
# Names a clerk's tool or an uploader leaves behind while a file is still being written or is a lock file.
_IGNORED_PREFIXES = (".", "~$", "_")
_IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")
ENTRY_DESCRIPTOR_PREFIX = b"\0kopdes-landing-entry\0"
# What a landing entry is when it is not a regular file; the ledger's reason names the type, never a link's target.
_ENTRY_TYPES = (
    (stat.S_ISLNK, "symbolic link"),
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISDIR, "folder"),
)
# No link followed, no wait on a FIFO writer, no terminal becoming ours; O_CLOEXEC is Python's default.
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


@dataclass(frozen=True)
class LandingFile:
    path: str  # landing-relative, POSIX separators
    size_bytes: int  # of the entry itself (lstat): a link's size is its own, not its target's
    mtime_ns: int
    entry_type: str | None = None  # None for a regular file, else what it is ("symbolic link", "FIFO", ...)


def entry_type(mode: int) -> str | None:
    """None for a regular file, else what the entry is, in words for the ledger's reason."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _ENTRY_TYPES if test(mode)), "special file")


def entry_sha256(path: str, reason_code: str) -> str:
    """The ledger key of a landing entry that was not read (see the module docstring)."""
    return hashlib.sha256(ENTRY_DESCRIPTOR_PREFIX + reason_code.encode() + b"\0" + path.encode()).hexdigest()


def _ignored(name: str) -> bool:
    return name.startswith(_IGNORED_PREFIXES)


def ledger_path(path: str) -> str:
    """A landing path as text the ledger and XCom can hold. A name that is not UTF-8 (a Windows tool's cp1252 en
    dash, byte 0x96, kept by an unzip) would fail every insert of its batch; its undecodable bytes become ``\\xNN``
    escapes instead, and ``read_landing_file`` finds the file back by that text."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _name_on_disk(folder: int, part: str) -> str:
    """The entry of ``folder`` a ledger path component names: itself, unless it may hold escapes (``ledger_path``)."""
    if "\\" not in part:
        return part
    return next((name for name in os.listdir(folder) if ledger_path(name) == part), part)


def list_landing(landing: Path) -> list[LandingFile]:
    """Every entry a clerk delivered, sorted by path; hidden, temporary and lock files are not submissions.

    Nothing is followed: a link is listed as itself (and recorded as not a regular file), a linked folder is not
    descended. A folder that vanishes or cannot be listed meanwhile is skipped with a warning, never a crash.
    """
    found: list[LandingFile] = []

    def walk(folder: Path, prefix: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            log.warning("cannot list landing folder %s (%s): skipped this sweep", folder, exc.strerror)
            return
        for entry in entries:
            if _ignored(entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                walk(Path(entry.path), f"{prefix}{entry.name}/")
                continue
            if entry.name.lower().endswith(_IGNORED_SUFFIXES):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # removed since the folder was listed
            path = ledger_path(prefix + entry.name)
            found.append(LandingFile(path, info.st_size, info.st_mtime_ns, entry_type(info.st_mode)))

    walk(landing, "")
    return sorted(found, key=lambda f: f.path)


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


# --------------------------------------------------------------------------------------------------------------
# Reading one landing file
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LandedEntry:
    """What reading a landing path found: its bytes, or why they were not read."""

    size_bytes: int
    mtime_ns: int
    data: bytes | None
    problem: UnreadableFile | None  # not_a_regular_file, too_large or read_failed; the entry was then not read


def _parts(path: str) -> tuple[str, ...]:
    """The components of a landing-relative path; anything that could name a place outside landing is refused."""
    parts = PurePosixPath(path).parts
    if not parts or PurePosixPath(path).is_absolute() or "\0" in path or any(p in (".", "..") for p in parts):
        raise ValueError(f"{path!r} is not a path inside landing")
    return parts


@contextmanager
def _landing_folder(landing: Path, parts: tuple[str, ...]) -> Iterator[int]:
    """The descriptor of the folder holding ``parts[-1]``, every folder on the way opened without following a link:
    unlike resolving the path and then opening it, no link swapped in between can lead outside landing. A folder
    that is gone, or is now a link, means the file as listed is gone (``FileNotFoundError``)."""
    fd = os.open(landing, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for folder in parts[:-1]:
            try:
                inner = os.open(_name_on_disk(fd, folder), _FOLDER_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
                    raise FileNotFoundError(errno.ENOENT, "no longer a folder in landing", folder) from exc
                raise
            os.close(fd)
            fd = inner
        yield fd
    finally:
        os.close(fd)


def _problem(info: os.stat_result, max_bytes: int) -> UnreadableFile | None:
    what = entry_type(info.st_mode)
    if what is not None:
        return UnreadableFile("not_a_regular_file", what)
    if info.st_size > max_bytes:
        return UnreadableFile("too_large", f"{info.st_size:,} bytes, the limit is {max_bytes:,}")
    return None


def read_landing_file(landing: Path, path: str, max_bytes: int) -> LandedEntry:
    """Read one landing file, or say why not without reading it: never a link followed, never a wait on a FIFO,
    never more than ``max_bytes`` read. Raises ``FileNotFoundError`` when it vanished since it was listed."""
    parts = _parts(path)
    with _landing_folder(landing, parts) as folder:
        name = _name_on_disk(folder, parts[-1])
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
        if (problem := _problem(info, max_bytes)) is not None:  # a device is not even opened
            return LandedEntry(info.st_size, info.st_mtime_ns, None, problem)
        try:
            fd = os.open(name, _OPEN_FLAGS, dir_fd=folder)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM):  # the file's own state, not the system's: fail it alone
                denied = UnreadableFile("read_failed", "permission denied: the hub's user may not read it")
                return LandedEntry(info.st_size, info.st_mtime_ns, None, denied)
            if exc.errno not in (errno.ELOOP, errno.ENXIO):
                raise
            swapped = UnreadableFile("not_a_regular_file", "replaced by a link or a socket while being opened")
            return LandedEntry(info.st_size, info.st_mtime_ns, None, swapped)
    with open(fd, "rb") as handle:
        info = os.fstat(handle.fileno())  # what was opened, which may not be what was listed
        if (problem := _problem(info, max_bytes)) is not None:
            return LandedEntry(info.st_size, info.st_mtime_ns, None, problem)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew past the limit while being read
        grown = UnreadableFile("too_large", f"more than {max_bytes:,} bytes, the limit is {max_bytes:,}")
        return LandedEntry(info.st_size, info.st_mtime_ns, None, grown)
    return LandedEntry(info.st_size, info.st_mtime_ns, data, None)


# --------------------------------------------------------------------------------------------------------------
# The ledger and bronze
# --------------------------------------------------------------------------------------------------------------


def _register(settings: Settings, path: str, sha: str, size: int, mtime_ns: int) -> store.Submission:
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


def bronze_table(parsed: ParsedFile, submission_id: str, source_file: str) -> pa.Table:
    """Values as received (strings) plus lineage: submission, file, sheet and row number. No received time: it is
    the ledger's, and may still move earlier when the same content turns up under an older name."""
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
    return value[: column.type.length] if value is not None else None


def _unreadable(path: str, problem: UnreadableFile) -> dict[str, Any]:
    log.warning("%s is unreadable (%s): %s", path, problem.code, problem.message_en)
    return {"status": store.UNREADABLE, "reason_code": problem.code, "reason": problem.message_en}


def _to_bronze(settings: Settings, path: str, submission_id: str, data: bytes) -> dict[str, Any]:
    """Parse the bytes and write bronze; the ledger values to record. Only the file's own failures become a reason:
    anything raised while reading it is this file's problem (``read_failed``), a failing lake write is not."""
    s = store.Submission
    try:
        parsed = parse_bytes(data, settings.limits)
        table = bronze_table(parsed, submission_id, path)
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
    sha = hashlib.sha256(entry.data).hexdigest() if entry.problem is None else entry_sha256(path, entry.problem.code)
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


def ingest_files(settings: Settings, paths: list[str]) -> dict[str, int]:
    """Ingest a batch; one file's failure to be read is recorded and never stops the others."""
    outcomes = Counter(ingest_file(settings, p) for p in paths)
    return {k: outcomes.get(k, 0) for k in ("bronze", "unreadable", "duplicate", "vanished")}


def batches(paths: list[str], size: int) -> list[list[str]]:
    return [paths[i : i + size] for i in range(0, len(paths), size)]
