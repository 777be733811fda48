"""The ledger: the same bytes are one submission, reruns change nothing, a crash is finished by the next run."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime

import pyarrow.parquet as pq
from sqlalchemy import select, update

from include.kopdes_hub.ingest import stage as ingest
from include.kopdes_hub.reporting import summary as run_summary
from include.kopdes_hub.storage import store

LINES = (
    "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan\r\n"
    "KDMP-1902022001;2026-07;pasokan;05/07/2026;Lada Putih;1.250,5;kg;Rp 160.000\r\n"
    "KDMP-1902022001;2026-07;kebutuhan;10/07/2026;Beras;2;ton;13.000\r\n"
).encode("cp1252")


def _ledger(settings):
    with store.get_engine(settings.db_url).connect() as conn:
        subs = conn.execute(select(store.Submission).order_by(store.Submission.file_name)).all()
        files = conn.execute(select(store.SubmissionFile).order_by(store.SubmissionFile.path)).all()
    return subs, files


def _run(settings) -> dict[str, int]:
    return ingest.ingest_files(settings, ingest.find_new_files(settings))


def _bronze_files(settings):
    return sorted(settings.bronze.rglob("*.parquet"))


def test_same_bytes_under_two_names_are_one_submission(settings):
    (settings.landing / "lines.csv").write_bytes(LINES)
    (settings.landing / "Salinan dari lines.csv").write_bytes(LINES)
    assert _run(settings) == {"bronze": 1, "unreadable": 0, "duplicate": 1, "vanished": 0}
    subs, files = _ledger(settings)
    assert len(subs) == 1 and len(files) == 2
    assert {f.sha256 for f in files} == {subs[0].sha256}
    assert subs[0].submission_id == subs[0].sha256[:16]
    assert subs[0].received_at.utcoffset().total_seconds() == 0  # UTC-aware even from SQLite
    assert (subs[0].status, subs[0].kind, subs[0].rows_bronze) == ("bronze", "lines", 2)
    assert (subs[0].cooperative_id, subs[0].period) == ("KDMP-1902022001", "2026-07")
    assert len(_bronze_files(settings)) == 1


def test_second_run_adds_no_ledger_row_and_rewrites_no_file(settings):
    (settings.landing / "lines.csv").write_bytes(LINES)
    (settings.landing / "empty.csv").write_bytes(b"")
    _run(settings)
    before = _ledger(settings)
    stamps = {p: p.stat().st_mtime_ns for p in _bronze_files(settings)}
    assert ingest.find_new_files(settings) == []
    assert _run(settings) == {"bronze": 0, "unreadable": 0, "duplicate": 0, "vanished": 0}
    assert _ledger(settings) == before
    assert {p: p.stat().st_mtime_ns for p in _bronze_files(settings)} == stamps


def test_unreadable_file_gets_status_and_reason_and_stays_untouched(settings):
    corrupt = b"PK\x03\x04 this is not a workbook"
    (settings.landing / "laporan.xlsx").write_bytes(corrupt)
    (settings.landing / "lines.csv").write_bytes(LINES)
    assert _run(settings)["unreadable"] == 1
    subs, _ = _ledger(settings)
    bad = next(s for s in subs if s.file_name == "laporan.xlsx")
    assert (bad.status, bad.reason_code) == ("unreadable", "corrupt_xlsx")
    assert "cannot be opened" in bad.reason
    assert bad.bronze_path is None
    assert (settings.landing / "laporan.xlsx").read_bytes() == corrupt
    assert next(s for s in subs if s.file_name == "lines.csv").status == "bronze"


def test_a_crash_after_registration_is_finished_by_the_next_run(settings):
    (settings.landing / "lines.csv").write_bytes(LINES)
    _run(settings)
    # Simulate a task killed between registering the file and writing bronze.
    with store.get_engine(settings.db_url).begin() as conn:
        conn.execute(update(store.Submission).values(status=store.RECEIVED, bronze_path=None, rows_bronze=None))
    for path in _bronze_files(settings):
        path.unlink()
    assert ingest.find_new_files(settings) == ["lines.csv"]
    assert _run(settings)["bronze"] == 1
    subs, files = _ledger(settings)
    assert len(subs) == 1 and len(files) == 1 and subs[0].status == "bronze"
    assert len(_bronze_files(settings)) == 1


def test_changed_content_at_the_same_path_is_a_new_submission(settings):
    target = settings.landing / "lines.csv"
    target.write_bytes(LINES)
    _run(settings)
    target.write_bytes(LINES.replace(b"1.250,5", b"1.300"))
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 10**9))
    assert _run(settings)["bronze"] == 1
    subs, files = _ledger(settings)
    assert len(subs) == 2 and len(files) == 2
    assert ingest.find_new_files(settings) == []


def test_bronze_holds_values_as_received_plus_lineage(settings):
    (settings.landing / "sub" / "lines.csv").parent.mkdir()
    (settings.landing / "sub" / "lines.csv").write_bytes(LINES)
    _run(settings)
    table = pq.read_table(_bronze_files(settings)[0])
    assert set(ingest.LINEAGE_COLUMNS) <= set(table.column_names)
    rows = table.to_pylist()
    assert [r["_row_number"] for r in rows] == [2, 3]
    assert "_source_file" not in table.column_names  # which name was parsed first is no part of the content
    assert [s.file_name for s in _ledger(settings)[0]] == ["sub/lines.csv"]
    assert rows[0]["quantity"] == "1.250,5" and rows[0]["unit_price_idr"] == "Rp 160.000"
    assert table.schema.metadata[b"kopdes.kind"] == b"lines"


def test_hidden_temporary_and_lock_files_are_not_submissions(settings):
    for name in (".DS_Store", "~$laporan.xlsx", "upload.csv.part", "x.tmp", "_sentinel"):
        (settings.landing / name).write_bytes(b"junk")
    assert ingest.list_landing(settings.landing) == []


def test_summary_accounts_for_every_landing_file(settings):
    (settings.landing / "lines.csv").write_bytes(LINES)
    (settings.landing / "lines (1).csv").write_bytes(LINES)
    (settings.landing / "empty.csv").write_bytes(b"")
    summary = run_summary.ingest_summary(settings)
    assert summary.unaccounted == ["empty.csv", "lines (1).csv", "lines.csv"]
    _run(settings)
    summary = run_summary.ingest_summary(settings)
    assert summary.landing_files == 3 and summary.unaccounted == []
    assert summary.statuses == {"bronze": 1, "unreadable": 1}
    assert summary.duplicate_names == 1
    assert summary.rows_by_kind == {"lines": 2}
    assert summary.unreadable[0][:2] == ("empty.csv", "empty_file")


def test_a_reader_crash_fails_that_file_alone_with_its_traceback_logged(settings, monkeypatch, caplog):
    (settings.landing / "aneh.csv").write_bytes(LINES.replace(b"Beras", b"Jagung"))
    (settings.landing / "lines.csv").write_bytes(LINES)
    real = ingest.parse_bytes

    def parse(data, limits=None):
        if b"Jagung" in data:
            raise KeyError("a shape no reader foresaw")
        return real(data, limits)

    monkeypatch.setattr(ingest, "parse_bytes", parse)
    assert _run(settings) == {"bronze": 1, "unreadable": 1, "duplicate": 0, "vanished": 0}
    subs, _ = _ledger(settings)
    odd = next(s for s in subs if s.file_name == "aneh.csv")
    assert (odd.status, odd.reason_code, odd.bronze_path) == ("unreadable", "read_failed", None)
    assert "KeyError" in odd.reason
    logged = [r for r in caplog.records if "aneh.csv" in r.getMessage() and r.exc_info]
    assert logged and logged[0].exc_info[0] is KeyError
    assert ingest.find_new_files(settings) == []  # recorded: not retried on every sweep


def test_bronze_is_keyed_by_content_only(settings):
    (settings.landing / "lines.csv").write_bytes(LINES)
    _run(settings)
    subs, _ = _ledger(settings)
    sid = subs[0].submission_id
    assert subs[0].bronze_path == f"bronze/{sid[:2]}/{sid}.parquet"
    assert "_received_at" not in pq.read_schema(settings.lake / subs[0].bronze_path).names


def _stamp(path, day: int) -> None:
    seconds = datetime(2026, 8, day, 9, 0, tzinfo=UTC).timestamp()
    os.utime(path, (seconds, seconds))


def _fresh(settings, tmp_path, name: str):
    """Another store and lake over the same landing."""
    fresh = dataclasses.replace(settings, lake=tmp_path / name / "lake", db_url=f"sqlite:///{tmp_path / name}.db")
    store.prepare(fresh.db_url)
    return fresh


def _rows(settings) -> tuple[list[dict], list[dict]]:
    """The ledger without the columns that record when a run happened to do something."""
    with store.get_engine(settings.db_url).connect() as conn:
        subs = conn.execute(select(store.Submission).order_by(store.Submission.sha256)).mappings().all()
        files = (
            conn.execute(select(store.SubmissionFile).order_by(store.SubmissionFile.path, store.SubmissionFile.sha256))
            .mappings()
            .all()
        )
    return (
        [{k: v for k, v in r.items() if k != "updated_at"} for r in subs],
        [{k: v for k, v in r.items() if k != "first_seen_at"} for r in files],
    )


def test_the_ledger_does_not_depend_on_batch_order(settings, tmp_path):
    finance = (
        b"cooperative_id,period,revenue_idr,operating_cost_idr,cash_idr,members\n"
        b"KDMP-1902022001,2026-07,15000000,9000000,4000000,120\n"
    )
    files = {
        # one content under three names that landed on different days; the earliest is neither first nor last
        "a_salinan.csv": (LINES, 7),
        "m_asli.csv": (LINES, 5),
        "z_kirim_ulang.csv": (LINES, 9),
        "keuangan.csv": (finance, 6),
        "kosong.csv": (b"", 6),
        "kosong_juga.csv": (b"", 8),
        "rusak.xlsx": (b"PK\x03\x04 truncated", 6),
    }
    for name, (data, day) in files.items():
        (settings.landing / name).write_bytes(data)
        _stamp(settings.landing / name, day)
    (settings.landing / "pintasan.csv").symlink_to(settings.landing / "m_asli.csv")
    paths = ingest.find_new_files(settings)
    half = len(paths) // 2
    orders = {
        "forward": [paths],
        "reversed": [paths[::-1]],
        "halves": [paths[:half], paths[half:]],
        "halves_swapped": [paths[half:], paths[:half]],
        "interleaved": [paths[1::2][::-1], paths[::2]],
    }
    ledgers = {}
    for name, batches in orders.items():
        fresh = _fresh(settings, tmp_path, name)
        for batch in batches:
            ingest.ingest_files(fresh, batch)
        ledgers[name] = _rows(fresh)
    assert all(ledger == ledgers["forward"] for ledger in ledgers.values())
    subs, files = ledgers["forward"]
    shared = next(s for s in subs if s["rows_bronze"] == 2)
    assert shared["file_name"] == "m_asli.csv"  # the name it landed under first
    assert shared["received_at"] == datetime(2026, 8, 5, 9, 0, tzinfo=UTC)
    assert sum(f["sha256"] == shared["sha256"] for f in files) == 3
