"""The monthly close: an approved month's gold does not change when a late file lands; a reopen with a reason lets
it in and publishes version 2, and version 1 stays readable."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from include.kopdes_hub import aggregate, closing, publish, validate
from include.kopdes_hub.ingest import stage as ingest
from include.kopdes_hub.storage import gold, schemas, store
from include.kopdes_hub.validate import render

HEADER = "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan;mutu;keterangan"
PERPAT, BADAU = "KDMP-1902022001", "KDMP-1902052001"


def _file(settings, name: str, lines: list[str], received: datetime) -> None:
    path = settings.landing / name
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n").encode("cp1252"))
    os.utime(path, (received.timestamp(), received.timestamp()))


def _run(settings) -> None:
    """The chain as the DAGs run it: ingest, validate, supersession, aggregate and publish what is stale."""
    ingest.ingest_files(settings, ingest.find_new_files(settings))
    validate.validate_submissions(settings, [s for s, _ in validate.find_bronze(settings)])
    validate.apply_supersession(settings)
    render.render_submissions(settings, render.pending(settings))
    for period in aggregate.plan(settings):
        aggregate.rebuild_period(settings, period)
    for period in publish.plan(settings):
        publish.publish_period(settings, period)


def _pepper(settings) -> float:
    volumes = gold.read_partition(settings.lake, schemas.COMMODITY_VOLUMES, "2026-07").to_pylist()
    return sum(v["quantity_base"] for v in volumes if v["commodity"] == "lada_putih")


def publish_july(settings) -> None:
    """July 2026 with one pepper line, published as its draft."""
    _file(
        settings,
        f"{PERPAT}_2026-07.csv",
        [f"{PERPAT};2026-07;pasokan;05/07/2026;Lada Putih;100;kg;160.000;I;"],
        datetime(2026, 8, 5, tzinfo=UTC),
    )
    _run(settings)


@pytest.fixture
def july(settings):
    publish_july(settings)
    return settings


def test_a_month_past_its_deadline_is_due_for_close_until_it_is_closed(july):
    assert closing.due_months(july, today=date(2026, 8, 10)) == []  # the 10th: clerks may still send
    assert closing.due_months(july, today=date(2026, 8, 11)) == ["2026-07"]
    compliance = gold.read_partition(july.lake, schemas.REPORTING_COMPLIANCE, "2026-07").to_pylist()
    assert {(r["publication_version"], r["month_status"]) for r in compliance} == {(1, "draft")}
    closing.close(july, "2026-07", by="Bu Sari", source=closing.CLI)
    assert closing.due_months(july, today=date(2026, 8, 11)) == []


def test_close_late_file_held_reopen_and_version_two(july):
    settings = july
    assert _pepper(settings) == 100.0
    state = closing.close(settings, "2026-07", by="Bu Sari", reason="angka sudah diperiksa")
    assert (state.status, state.version, state.closed_by) == ("closed", 1, "Bu Sari")
    for dataset in schemas.SUMMARIES:
        rows = gold.read_partition(settings.lake, dataset, "2026-07").to_pylist()
        assert {(r["publication_version"], r["month_status"]) for r in rows} <= {(1, "final")}, dataset.name
    v1 = closing.history_path(settings.lake, schemas.COMMODITY_VOLUMES, "2026-07", 1)
    assert v1.exists() and closing.is_final(settings, "2026-07")
    assert (settings.lake / "reports" / "laporan_hub_2026-07_v1.html").exists()
    assert closing.close(settings, "2026-07", by="Bu Sari").version == 1  # a replayed approval changes nothing

    # a late file for July: validated (its clerk gets feedback), held, gold unchanged
    gold_files = {p: p.stat().st_mtime_ns for p in (settings.lake / "gold").rglob("*.parquet")}
    _file(
        settings,
        f"{BADAU}_2026-07.csv",
        [f"{BADAU};2026-07;pasokan;05/07/2026;Lada Putih;40;kg;160.000;I;"],
        datetime(2026, 11, 20, tzinfo=UTC),
    )
    _run(settings)
    (held,) = closing.held_submissions(settings, "2026-07")
    assert held["cooperative_id"] == BADAU and held["decision"] == "accepted"
    assert _pepper(settings) == 100.0
    assert {p: p.stat().st_mtime_ns for p in gold_files} == gold_files, "a closed month is never rewritten"
    page = (settings.lake / _ledger(settings, BADAU).feedback_path).read_text(encoding="utf-8")
    assert "sudah ditutup" in page  # the clerk is told the month is closed and the file held
    report = (settings.lake / "reports" / "laporan_hub_2026-07.html").read_text(encoding="utf-8")
    assert "FINAL &mdash; versi 1, disetujui Bu Sari" in report
    assert 'id="held"' in report and f"{BADAU}_2026-07.csv" in report  # the report lists the held file
    assert publish.plan(settings) == []  # listed once

    with pytest.raises(ValueError, match="reason"):
        closing.reopen(settings, "2026-07", by="Pak Budi", reason=" ")
    closing.reopen(settings, "2026-07", by="Pak Budi", reason="berkas Badau terlambat, disetujui rapat")
    _run(settings)
    assert _pepper(settings) == 140.0
    compliance = gold.read_partition(settings.lake, schemas.REPORTING_COMPLIANCE, "2026-07").to_pylist()
    assert {(r["publication_version"], r["month_status"]) for r in compliance} == {(2, "draft")}
    report = (settings.lake / "reports" / "laporan_hub_2026-07.html").read_text(encoding="utf-8")
    assert "DRAF &mdash; versi 2" in report and 'id="held"' not in report
    # version 1 is still readable, as approved
    approved = pq.read_table(v1).to_pylist()
    assert sum(v["quantity_base"] for v in approved if v["commodity"] == "lada_putih") == 100.0

    closing.close(settings, "2026-07", by="Bu Sari", source=closing.UI)
    assert closing.history_path(settings.lake, schemas.COMMODITY_VOLUMES, "2026-07", 2).exists()
    with store.get_engine(settings.db_url).connect() as conn:
        decisions = conn.execute(select(store.MonthDecision).order_by(store.MonthDecision.decision_id)).all()
        sql = store.SUMMARY_TABLES["reporting_compliance"]
        statuses = {(r.publication_version, r.month_status) for r in conn.execute(select(sql)).all()}
    assert [(d.action, d.decided_by, d.version, d.source) for d in decisions] == [
        ("close", "Bu Sari", 1, "cli"),
        ("reopen", "Pak Budi", 1, "cli"),
        ("close", "Bu Sari", 2, "ui"),
    ]
    assert decisions[1].reason == "berkas Badau terlambat, disetujui rapat"
    assert statuses == {(2, "final")}


def test_a_rejection_keeps_the_month_open_with_its_reason(july):
    closing.reject(july, "2026-07", by="Bu Sari", reason="angka Membalong belum masuk")
    assert not closing.state(july.db_url, "2026-07").closed
    with pytest.raises(ValueError, match="not closed"):
        closing.reopen(july, "2026-07", by="Bu Sari", reason="x")


def _ledger(settings, cooperative_id: str):
    with store.get_engine(settings.db_url).connect() as conn:
        return conn.execute(select(store.Submission).where(store.Submission.cooperative_id == cooperative_id)).one()


def test_the_cli_closes_and_reopens_like_the_ui(july, capsys):
    from include.kopdes_hub import cli

    assert cli.main(["close", "2026-07", "--by", "Bu Sari"]) == 0
    assert "final version 1" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["reopen", "2026-07", "--by", "Pak Budi"])  # a reopen needs its reason
    assert cli.main(["reopen", "2026-07", "--by", "Pak Budi", "--reason", "koreksi Badau"]) == 0
    assert "publishes version 2" in capsys.readouterr().out
    with store.get_engine(july.db_url).connect() as conn:
        decisions = conn.execute(select(store.MonthDecision.action, store.MonthDecision.source)).all()
    assert decisions == [("close", "cli"), ("reopen", "cli")]


def test_the_submissions_view_lists_each_month_with_its_status(july):
    from include.kopdes_hub.reporting import submissions

    def page(**params: str) -> str:
        return submissions.render_page(july, submissions.Filters.parse(params))

    assert "DRAF v1" in page() and "FINAL" not in page()
    closing.close(july, "2026-07", by="Bu Sari")
    assert "FINAL v1 (disetujui Bu Sari," in page()
    assert "ditahan sampai bulan dibuka kembali" in page(period="2026-07")
    closing.reopen(july, "2026-07", by="Pak Budi", reason="koreksi")
    assert "DRAF v2" in page()


def test_a_file_held_for_a_closed_month_counts_as_late_whatever_its_file_time(july):
    closing.close(july, "2026-07", by="Bu Sari")
    # a copy that kept its old file time: it says 6 August (before the deadline) but lands after the close
    _file(
        july,
        f"{BADAU}_2026-07.csv",
        [f"{BADAU};2026-07;pasokan;05/07/2026;Lada Putih;40;kg;160.000;I;"],
        datetime(2026, 8, 6, tzinfo=UTC),
    )
    _run(july)
    closing.reopen(july, "2026-07", by="Pak Budi", reason="berkas Badau")
    _run(july)
    rows = gold.read_partition(july.lake, schemas.REPORTING_COMPLIANCE, "2026-07").to_pylist()
    badau = next(r for r in rows if r["cooperative_id"] == BADAU and r["kind"] == "lines")
    perpat = next(r for r in rows if r["cooperative_id"] == PERPAT and r["kind"] == "lines")
    assert (badau["status"], perpat["status"]) == ("late", "on_time")
