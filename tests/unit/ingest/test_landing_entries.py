"""Landing entries that are not regular files (links, FIFOs, sockets, devices) are recorded, never opened or
followed; a file is opened without blocking, measured before it is read, and never read from outside landing."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import signal
import socket
import stat
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from include.kopdes_hub.config import Limits
from include.kopdes_hub.ingest import stage as ingest
from include.kopdes_hub.storage import store

LINES = (
    b"kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan\r\n"
    b"KDMP-1902022001;2026-07;pasokan;05/07/2026;Lada Putih;1.250,5;kg;Rp 160.000\r\n"
)


@contextmanager
def _deadline(seconds: int = 10):
    """Fail instead of hanging: opening a FIFO without O_NONBLOCK waits for a writer forever."""

    def _timeout(*_):
        raise TimeoutError(f"ingest blocked for {seconds} s")

    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _ledger(settings) -> dict[str, tuple]:
    with store.get_engine(settings.db_url).connect() as conn:
        rows = conn.execute(select(store.Submission)).all()
    return {r.file_name: (r.status, r.reason_code, r.reason, r.sha256, r.bronze_path) for r in rows}


def _run(settings) -> dict[str, int]:
    with _deadline():
        return ingest.ingest_files(settings, ingest.find_new_files(settings))


def test_links_fifos_sockets_and_devices_are_recorded_never_opened_nor_followed(settings, tmp_path):
    landing = settings.landing
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "rahasia.csv").write_bytes(LINES.replace(b"1.250,5", b"9"))
    (landing / "lines.csv").write_bytes(LINES)
    entries = {
        "pintasan.csv": "symbolic link",  # to a file inside landing
        "folder_luar": "symbolic link",  # to a folder outside landing: never descended
        "hilang.csv": "symbolic link",  # dangling
        "passwd.csv": "symbolic link",  # to a file outside landing
        "pipa.csv": "FIFO",
        "s.csv": "socket",
    }
    (landing / "pintasan.csv").symlink_to(landing / "lines.csv")
    (landing / "folder_luar").symlink_to(outside, target_is_directory=True)
    (landing / "hilang.csv").symlink_to(tmp_path / "does-not-exist.csv")
    (landing / "passwd.csv").symlink_to("/etc/passwd")
    os.mkfifo(landing / "pipa.csv")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(landing / "s.csv"))
    try:
        os.mknod(landing / "nol.csv", stat.S_IFCHR | 0o600, os.makedev(1, 3))  # /dev/null's numbers
        entries["nol.csv"] = "character device"
    except PermissionError:
        pass  # no CAP_MKNOD here: the other entry types still run

    assert ingest.find_new_files(settings) == sorted(["lines.csv", *entries])
    assert _run(settings) == {"bronze": 1, "unreadable": len(entries), "duplicate": 0, "vanished": 0}
    server.close()

    ledger = _ledger(settings)
    assert set(ledger) == {"lines.csv", *entries}  # nothing from the linked folder
    for name, what in entries.items():
        status, code, reason, sha, bronze = ledger[name]
        assert (status, code, bronze) == ("unreadable", "not_a_regular_file", None), name
        assert reason.endswith(f": {what}"), reason
        assert "passwd" not in reason and str(tmp_path) not in reason  # never the target
        # the documented descriptor key, the same on every run
        assert sha == hashlib.sha256(b"\0kopdes-landing-entry\0not_a_regular_file\0" + name.encode()).hexdigest()
        assert sha == ingest.entry_sha256(name, "not_a_regular_file")

    # recorded once: the next sweep finds nothing and a rerun changes nothing
    assert ingest.find_new_files(settings) == []
    before = _ledger(settings)
    assert ingest.ingest_files(settings, sorted(entries)) == {
        "bronze": 0,
        "unreadable": 0,
        "duplicate": len(entries),
        "vanished": 0,
    }
    assert _ledger(settings) == before


def _pretend_regular(monkeypatch, name: str, regular) -> None:
    """Make the stat of ``name`` taken before opening see a regular file, as if ``name`` was swapped after it."""
    real = os.stat

    def fake(path, *args, **kwargs):
        if path == name and kwargs.get("dir_fd") is not None:
            return real(regular)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", fake)


def test_a_fifo_swapped_in_after_the_check_is_opened_without_blocking_and_not_read(settings, monkeypatch):
    (settings.landing / "lines.csv").write_bytes(LINES)
    os.mkfifo(settings.landing / "tukar.csv")
    _pretend_regular(monkeypatch, "tukar.csv", settings.landing / "lines.csv")
    with _deadline():
        assert ingest.ingest_file(settings, "tukar.csv") == "unreadable"
    status, code, reason, _, _ = _ledger(settings)["tukar.csv"]
    assert (status, code) == ("unreadable", "not_a_regular_file") and reason.endswith(": FIFO")


def test_a_link_swapped_in_after_the_check_is_not_followed(settings, monkeypatch):
    (settings.landing / "lines.csv").write_bytes(LINES)
    (settings.landing / "tukar.csv").symlink_to(settings.landing / "lines.csv")
    _pretend_regular(monkeypatch, "tukar.csv", settings.landing / "lines.csv")
    assert ingest.ingest_file(settings, "tukar.csv") == "unreadable"
    assert _ledger(settings)["tukar.csv"][:2] == ("unreadable", "not_a_regular_file")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings, monkeypatch):
    small = dataclasses.replace(settings, limits=Limits(max_file_bytes=len(LINES)))
    (settings.landing / "pas.csv").write_bytes(LINES)
    (settings.landing / "besar.csv").write_bytes(LINES + b"x")
    assert ingest.ingest_files(small, ["besar.csv", "pas.csv"])["bronze"] == 1
    status, code, reason, sha, _ = _ledger(small)["besar.csv"]
    assert (status, code) == ("unreadable", "too_large")
    assert f"{len(LINES) + 1:,} bytes, the limit is {len(LINES):,}" in reason
    assert sha == ingest.entry_sha256("besar.csv", "too_large")  # the content was never read to be hashed


def test_nothing_outside_landing_is_ever_read(settings, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "lines.csv").write_bytes(LINES)
    for path in ("../outside/lines.csv", str(outside / "lines.csv"), "sub/../../outside/lines.csv", "", "a\0b"):
        with pytest.raises(ValueError, match="not a path inside landing"):
            ingest.ingest_file(settings, path)
    # a folder swapped for a link after listing: the file as listed is gone, nothing is read through the link
    (settings.landing / "sub").mkdir()
    (settings.landing / "sub" / "lines.csv").write_bytes(LINES)
    assert ingest.find_new_files(settings) == ["sub/lines.csv"]
    (settings.landing / "sub" / "lines.csv").unlink()
    (settings.landing / "sub").rmdir()
    (settings.landing / "sub").symlink_to(outside, target_is_directory=True)
    assert ingest.ingest_file(settings, "sub/lines.csv") == "vanished"
    assert _ledger(settings) == {}
    assert ingest.find_new_files(settings) == ["sub"]  # the link itself, to be recorded as not a regular file


def test_a_file_removed_before_it_is_read_is_vanished_and_unrecorded(settings):
    (settings.landing / "lines.csv").write_bytes(LINES)
    paths = ingest.find_new_files(settings)
    (settings.landing / "lines.csv").unlink()
    assert ingest.ingest_files(settings, paths) == {"bronze": 0, "unreadable": 0, "duplicate": 0, "vanished": 1}
    assert _ledger(settings) == {}


def test_a_name_that_is_not_utf8_is_ingested_under_an_escaped_name(settings):
    raw = os.path.join(os.fsencode(settings.landing), b"Juli\x962026")  # a cp1252 en dash, kept by an unzip
    os.mkdir(raw)
    with open(os.path.join(raw, b"lap\x96an.csv"), "wb") as handle:
        handle.write(LINES)
    name = "Juli\\x962026/lap\\x96an.csv"
    assert ingest.find_new_files(settings) == [name]
    assert _run(settings)["bronze"] == 1
    assert _ledger(settings)[name][0] == "bronze"
    assert ingest.find_new_files(settings) == []


def test_a_file_the_hub_may_not_read_fails_alone(settings, monkeypatch):
    (settings.landing / "lines.csv").write_bytes(LINES)
    (settings.landing / "terkunci.csv").write_bytes(LINES.replace(b"1.250,5", b"7"))
    real = os.open

    def denied(path, flags, *args, **kwargs):
        if path == "terkunci.csv":  # tests run as root here, so chmod 000 alone would not stop a read
            raise PermissionError(13, "Permission denied", path)
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    assert _run(settings) == {"bronze": 1, "unreadable": 1, "duplicate": 0, "vanished": 0}
    status, code, reason, sha, _ = _ledger(settings)["terkunci.csv"]
    assert (status, code, sha) == ("unreadable", "read_failed", ingest.entry_sha256("terkunci.csv", "read_failed"))
    assert "permission denied" in reason


def test_landing_nested_past_the_depth_cap_is_not_descended_and_never_stops_the_listing(settings):
    from include.kopdes_hub.ingest.landing import MAX_FOLDER_DEPTH

    folder = settings.landing
    for depth in range(1, MAX_FOLDER_DEPTH + 3):
        folder = folder / "a"
        folder.mkdir()
        (folder / f"at_{depth}.csv").write_bytes(b"x")
    found = [f.path.rsplit("/", 1)[-1] for f in ingest.list_landing(settings.landing)]
    assert sorted(found) == sorted(f"at_{d}.csv" for d in range(1, MAX_FOLDER_DEPTH + 1))  # walked, then capped
