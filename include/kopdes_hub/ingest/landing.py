"""Landing, read defensively: it is written by people and tools we do not control.

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
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from include.kopdes_hub.ingest.parse import UnreadableFile

log = logging.getLogger(__name__)

# Names a clerk's tool or an uploader leaves behind while a file is still being written or is a lock file.
_IGNORED_PREFIXES = (".", "~$", "_")
_IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")
MAX_FOLDER_DEPTH = 32  # folders below landing: an uploader nests a few (hub/district/village/month); ASSUMPTION
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
    folders = [(landing, "", 0)]  # a stack, not recursion: landing may nest deeper than Python's recursion limit
    while folders:
        folder, prefix, depth = folders.pop()
        if depth > MAX_FOLDER_DEPTH:
            log.warning("landing folder %s is nested deeper than %d: not descended", folder, MAX_FOLDER_DEPTH)
            continue
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            log.warning("cannot list landing folder %s (%s): skipped this sweep", folder, exc.strerror)
            continue
        for entry in entries:
            if _ignored(entry.name):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((Path(entry.path), f"{prefix}{entry.name}/", depth + 1))
                    continue
                if entry.name.lower().endswith(_IGNORED_SUFFIXES):
                    continue
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:  # removed since the folder was listed, or not ours to look at
                log.warning("cannot stat landing entry %s (%s): skipped this sweep", entry.path, exc.strerror)
                continue
            path = ledger_path(prefix + entry.name)
            found.append(LandingFile(path, info.st_size, info.st_mtime_ns, entry_type(info.st_mode)))
    return sorted(found, key=lambda f: f.path)


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
