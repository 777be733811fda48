"""The chain ingest -> validate -> aggregate -> publish with dag.test(): exact gold totals (kuintal, ton, sak and
tandan converted), a corrected resubmission superseding, reruns and a crash that change nothing, partition pruning,
the summaries and the hub report (opened in a real headless Chromium)."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from sqlalchemy import delete, select

from include.kopdes_hub import aggregate
from include.kopdes_hub.storage import schemas, store

pytestmark = pytest.mark.e2e

HEADER = "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan;mutu;keterangan"
PERPAT = "KDMP-1902022001"
BADAU = "KDMP-1902052001"


def _file(settings, name: str, lines: list[str], received: datetime) -> None:
    path = settings.landing / name
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n").encode("cp1252"))
    os.utime(path, (received.timestamp(), received.timestamp()))


def _landing(settings) -> None:
    july = [
        f"{PERPAT};2026-07;pasokan;05/07/2026;Lada Putih;2;kuintal;16.000.000;I;",
        f"{PERPAT};2026-07;pasokan;12/07/2026;Lada Putih;150;kg;160.000;II;",
        f"{PERPAT};2026-07;kebutuhan;10/07/2026;Pupuk Urea;10;sak;112.500;;",
        f"{PERPAT};2026-07;kebutuhan;11/07/2026;Beras;1;ton;13.000.000;medium;",
    ]
    _file(settings, f"{PERPAT}_2026-07.csv", july, datetime(2026, 8, 5, tzinfo=UTC))
    revised = [line.replace(";150;kg;", ";250;kg;") for line in july]
    _file(settings, f"{PERPAT}_2026-07_revisi.csv", revised, datetime(2026, 8, 7, tzinfo=UTC))
    _file(
        settings,
        f"{BADAU}_2026-07.csv",
        [
            # TBS is not graded: a warning, the line counts (and its value: the price is sound)
            f"{BADAU};2026-07;pasokan;03/07/2026;TBS Sawit;40;tandan;45.000;segar;",
            f"{BADAU};2026-07;pasokan;17/07/2026;TBS Sawit;2;ton;3.100.000;;",
        ],
        datetime(2026, 8, 6, tzinfo=UTC),
    )
    _file(
        settings,
        f"{PERPAT}_2026-08.csv",
        [f"{PERPAT};2026-08;pasokan;20/08/2026;Lada Putih;100;kg;160.000;I;"],
        datetime(2026, 9, 5, tzinfo=UTC),
    )


EXPECTED = {
    ("2026-07", PERPAT, "lada_putih", "supply"): (450.0, 72_000_000.0, 1, 2),
    ("2026-07", PERPAT, "pupuk_urea", "demand"): (500.0, 1_125_000.0, 1, 1),
    ("2026-07", PERPAT, "beras", "demand"): (1000.0, 13_000_000.0, 1, 1),
    ("2026-07", BADAU, "tbs_sawit", "supply"): (2600.0, 8_000_000.0, 1, 2),
    ("2026-08", PERPAT, "lada_putih", "supply"): (100.0, 16_000_000.0, 1, 1),
}


def _gold(settings) -> dict:
    rows = ds.dataset(settings.lake / "gold" / "commodity_volumes", partitioning="hive").to_table().to_pylist()
    return {
        (r["period"], r["cooperative_id"], r["commodity"], r["flow"]): (
            r["quantity_base"],
            r["value_idr"],
            r["submissions"],
            r["lines"],
        )
        for r in rows
    }


def _sql(settings) -> dict:
    table = store.GoldCommodityVolume.__table__
    with store.get_engine(settings.db_url).connect() as conn:
        rows = conn.execute(select(table)).all()
    return {
        (r.period, r.cooperative_id, r.commodity, r.flow): (r.quantity_base, r.value_idr, r.submissions, r.lines)
        for r in rows
    }


def _files(settings) -> dict:
    return {p: p.stat().st_mtime_ns for p in (settings.lake / "gold").rglob("*.parquet")}


def test_chain_to_gold(settings, airflow_db):
    from airflow.utils.state import DagRunState

    from dags.kopdes_aggregate import kopdes_aggregate
    from dags.kopdes_ingest import kopdes_ingest
    from dags.kopdes_validate import kopdes_validate

    _landing(settings)
    for dag in (kopdes_ingest(), kopdes_validate()):
        assert dag.test().state == DagRunState.SUCCESS
    aggregate_dag = kopdes_aggregate()
    assert aggregate_dag.test().state == DagRunState.SUCCESS

    assert _gold(settings) == EXPECTED
    assert _sql(settings) == EXPECTED
    files = _files(settings)
    assert sorted(p.parent.name for p in files) == ["period=2026-07", "period=2026-08"]
    for path in files:
        assert pq.read_schema(path).remove_metadata() == schemas.COMMODITY_VOLUMES.schema.remove_metadata()
        assert pq.read_schema(path).metadata[b"kopdes.schema_version"] == b"1.0"

    # partition pruning: a filter on period opens one file only
    dataset = ds.dataset(settings.lake / "gold" / "commodity_volumes", partitioning="hive")
    fragments = list(dataset.get_fragments(filter=ds.field("period") == "2026-08"))
    assert [f.path.split("/")[-2] for f in fragments] == ["period=2026-08"]

    # a nightly (or backfill) run covers the periods of the submissions that landed in its interval
    august = (datetime(2026, 8, 1, tzinfo=UTC), datetime(2026, 9, 1, tzinfo=UTC))
    assert aggregate.received_periods(settings, *august) == ("2026-07",)
    assert aggregate.plan(settings, force=("2026-07",)) == ["2026-07"]

    # a rerun rebuilds nothing: same rows, same files untouched
    assert aggregate.plan(settings) == []
    assert aggregate_dag.test().state == DagRunState.SUCCESS
    assert (_gold(settings), _sql(settings), _files(settings)) == (EXPECTED, EXPECTED, files)

    # a crash after the partition was written but before SQL and the fingerprint: the rerun finishes the job
    with store.get_engine(settings.db_url).begin() as conn:
        conn.execute(delete(store.GoldCommodityVolume.__table__).where(store.GoldCommodityVolume.period == "2026-07"))
        conn.execute(delete(store.Publication).where(store.Publication.period == "2026-07"))
    (settings.lake / "gold" / "commodity_volumes" / "period=2026-07" / "part-0.parquet").write_bytes(b"half a file")
    assert aggregate.plan(settings) == ["2026-07"]
    assert aggregate_dag.test().state == DagRunState.SUCCESS
    assert (_gold(settings), _sql(settings)) == (EXPECTED, EXPECTED)


def test_chain_to_summaries_and_report(settings, airflow_db, tmp_path):
    from airflow.utils.state import DagRunState

    from dags.kopdes_aggregate import kopdes_aggregate
    from dags.kopdes_ingest import kopdes_ingest
    from dags.kopdes_publish import kopdes_publish
    from dags.kopdes_validate import kopdes_validate
    from include.kopdes_hub import publish
    from include.kopdes_hub.reporting import hub_report
    from tests.e2e.browser import open_page

    _landing(settings)
    for dag in (kopdes_ingest(), kopdes_validate(), kopdes_aggregate()):
        assert dag.test().state == DagRunState.SUCCESS
    publish_dag = kopdes_publish()
    assert publish_dag.test().state == DagRunState.SUCCESS

    for dataset in schemas.SUMMARIES:
        for period in ("2026-07", "2026-08"):
            path = settings.lake / "gold" / dataset.name / f"period={period}" / "part-0.parquet"
            table = pq.read_table(path) if path.exists() else dataset.schema.empty_table()
            assert table.schema.remove_metadata() == dataset.schema.remove_metadata(), dataset.name
            with store.get_engine(settings.db_url).connect() as conn:
                sql = store.SUMMARY_TABLES[dataset.name]
                assert len(conn.execute(select(sql).where(sql.c.period == period)).all()) == table.num_rows
    balance = pq.read_table(settings.lake / "gold" / "hub_balance" / "period=2026-07" / "part-0.parquet").to_pandas()
    hub = balance[balance["level"] == "hub"].set_index("commodity")
    assert (hub.loc["lada_putih", "supply_base"], hub.loc["beras", "demand_base"]) == (450.0, 1000.0)
    assert hub.loc["beras", "unmet_base"] == 1000.0  # nobody in the hub offers rice: bought outside
    compliance = pq.read_table(
        settings.lake / "gold" / "reporting_compliance" / "period=2026-07" / "part-0.parquet"
    ).to_pandas()
    assert len(compliance) == 49 * 2  # every registered cooperative, both kinds
    perpat = compliance[(compliance["cooperative_id"] == PERPAT) & (compliance["kind"] == "lines")].iloc[0]
    assert (perpat["status"], perpat["submissions"], perpat["accepted"]) == ("on_time", 2, True)
    # the processing projection: Badau's palm fruit as CPO, output = supply x yield at both ends, its sources named
    projection = pq.read_table(
        settings.lake / "gold" / "processing_projection" / "period=2026-07" / "part-0.parquet"
    ).to_pandas()
    cpo = projection[(projection["product"] == "cpo") & (projection["level"] == "hub")].iloc[0]
    assert cpo["input_base"] == 2600.0
    assert (cpo["output_low"], cpo["output_high"]) == (2600.0 * cpo["yield_low"], 2600.0 * cpo["yield_high"])
    assert projection["sources"].str.contains(r"\[[SP]\d+\]").all()
    badau = compliance[(compliance["cooperative_id"] == BADAU) & (compliance["kind"] == "lines")].iloc[0]
    assert (badau["rows_bronze"], badau["rows_quarantine"], badau["rows_warning"]) == (2, 0, 1)

    # republishing finds nothing stale
    assert publish.plan(settings) == []
    assert publish_dag.test().state == DagRunState.SUCCESS

    report = hub_report.report_path(settings.lake, "2026-07")
    page = open_page(report, tmp_path)
    assert page.console_errors == []
    assert page.charts >= 3, "the balance, leading-commodity and compliance charts"
    assert "Laporan Hub Koperasi" in page.dom and "Rencana transfer" in page.dom
    warnings = page.dom[page.dom.index('id="warnings"') :]
    assert BADAU in warnings[: warnings.index("</table>")], "the month's warnings per cooperative"
    assert 'id="pengolahan"' in page.dom and 'id="chart-processing"' in page.dom
    assert page.screenshot.stat().st_size > 20_000

    # what a reader reads: Indonesian numbers only, when it was made, on what data, every [Sn] tag explained
    body, sources = page.dom.split('id="sumber"')
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>|<style>.*?</style>", " ", body, flags=re.S))
    text = re.sub(r"\s+", " ", text)
    assert not re.search(r"\d,\d{3}\b", text), "an English thousands separator in the Bahasa text"
    assert "Rp 72.000.000" in text and "450,0 kg" in text  # Perpat's pepper: 2 kuintal + 250 kg, Rp 72 jt
    assert re.search(r"Dibuat: \d{1,2} [A-Z][a-z]+ 20\d\d \d\d\.\d\d WIB \(versi publikasi 1, draf\)", text)
    assert "Data per: 7 Agustus 2026 07.00 WIB" in text, "Perpat's revision (7 Aug 00:00 UTC), not August's file"
    tags = set(re.findall(r"\[(S\d+)\]", text))
    assert {"S34", "S35", "S36"} <= tags
    assert all(re.search(rf'<li id="{tag}"><strong>\[{tag}\]</strong> \S', sources) for tag in tags), tags
    assert 'href="../submissions/?period=2026-07"' in page.dom
    assert "LAYAK" not in body.split('id="not-applied"')[1].split("</table>")[0]  # no file asked for a loan
