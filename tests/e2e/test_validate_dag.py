"""Ingest then validate with dag.test() on hand-made files: exact silver and quarantine counts and reasons,
supersession by a later file, a rerun that changes nothing, and a forced revalidation that gives the same result."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from include.kopdes_hub import contract, validate
from include.kopdes_hub.storage import schemas, store

pytestmark = pytest.mark.e2e

HEADER = "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan;mutu;keterangan"
GOOD = [
    "KDMP-1902022001;2026-07;pasokan;05/07/2026;Lada Putih;1.250,5;kg;Rp 160.000;I;kering – baik",
    "KDMP-1902022001;2026-07;pasokan;12/07/2026;Lada Putih;3;kuintal;15.800.000;II;",
    "KDMP-1902022001;2026-07;kebutuhan;10/07/2026;Beras;2;ton;13.000.000;medium;",
]
TYPO = "KDMP-1902022001;2026-07;pasokan;20/07/2026;Lada Putig;400;kg;159.000;I;"
FIXED = TYPO.replace("Lada Putig", "Lada Putih")


def _write(settings, name: str, data: bytes, day: int) -> None:
    path = settings.landing / name
    path.write_bytes(data)
    stamp = datetime(2026, 8, day, 9, 0, tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))


def _csv(lines: list[str]) -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode("cp1252")


def _landing(settings) -> None:
    _write(settings, "KDMP-1902022001_2026-07.csv", _csv([*GOOD, TYPO]), 5)
    _write(settings, "KDMP-1902022001_2026-07_revisi.csv", _csv([*GOOD, FIXED]), 7)
    _write(
        settings,
        "keuangan_KDMP-1902022001_2026-07.csv",
        b"cooperative_id,period,revenue_idr,operating_cost_idr,cash_idr,members\n"
        b"KDMP-1902022001,2026-07,15000000,9000000,4000000,120\n",
        5,
    )
    no_unit = [";".join(c for i, c in enumerate(line.split(";")) if i != 6) for line in [HEADER, *GOOD]]
    _write(settings, "tanpa_satuan.csv", ("\n".join(no_unit) + "\n").encode(), 6)
    unknown = [
        {
            "kode_koperasi": "KDMP-1902069999",
            "periode": "2026-07",
            "jenis": "pasokan",
            "tanggal": "2026-07-03",
            "komoditas": "cumi",
            "jumlah": 12.5,
            "satuan": "kg",
            "harga_satuan": 90000,
        },
        {
            "kode_koperasi": "KDMP-1902069999",
            "periode": "2026-07",
            "jenis": "pasokan",
            "tanggal": "2026-07-04",
            "komoditas": "cumi",
            "jumlah": 10,
            "satuan": "kg",
            "harga_satuan": 95000,
        },
    ]
    _write(settings, "unknown.json", json.dumps(unknown).encode(), 6)
    _write(settings, "kosong.csv", b"", 6)


def _ledger(settings) -> dict[str, tuple]:
    with store.get_engine(settings.db_url).connect() as conn:
        rows = conn.execute(select(store.Submission)).all()
    return {
        r.file_name: (r.status, r.decision, r.rows_bronze, r.rows_silver, r.rows_quarantine, r.superseded_by)
        for r in rows
    }


def _read(settings, layer: str):
    files = sorted((settings.lake / layer).rglob("*.parquet"))
    return {f.relative_to(settings.lake).as_posix(): pq.read_table(f) for f in files}


def test_ingest_then_validate(settings, airflow_db):
    from airflow.utils.state import DagRunState

    from dags.kopdes_ingest import kopdes_ingest
    from dags.kopdes_validate import kopdes_validate

    _landing(settings)
    assert kopdes_ingest().test().state == DagRunState.SUCCESS
    validate_dag = kopdes_validate()
    assert validate_dag.test().state == DagRunState.SUCCESS

    ledger = _ledger(settings)
    revision_id = next(s for s in ledger if s.endswith("_revisi.csv"))
    with store.get_engine(settings.db_url).connect() as conn:
        revision = conn.execute(
            select(store.Submission.submission_id).where(store.Submission.file_name == revision_id)
        ).scalar_one()
    assert ledger == {
        "KDMP-1902022001_2026-07.csv": ("superseded", "partly_accepted", 4, 3, 1, revision),
        "KDMP-1902022001_2026-07_revisi.csv": ("accepted", "accepted", 4, 4, 0, None),
        "keuangan_KDMP-1902022001_2026-07.csv": ("accepted", "accepted", 1, 1, 0, None),
        "tanpa_satuan.csv": ("rejected", "rejected", 3, 0, 3, None),
        "unknown.json": ("rejected", "rejected", 2, 0, 2, None),
        "kosong.csv": ("unreadable", None, None, None, None, None),
    }

    silver = _read(settings, "silver")
    quarantine = _read(settings, "quarantine")
    assert sum(t.num_rows for t in silver.values()) == 8
    assert sum(t.num_rows for t in quarantine.values()) == 6
    assert all("/period=2026-07/" in path for path in [*silver, *quarantine])

    lines = [t for p, t in silver.items() if p.startswith("silver/lines/")]
    rows = [r for t in lines for r in t.to_pylist()]
    first = next(r for r in rows if r["row_number"] == 2)
    assert (first["commodity"], first["quantity_base"], first["base_unit"]) == ("lada_putih", 1250.5, "kg")
    assert first["value_idr"] == pytest.approx(1250.5 * 160_000)
    assert first["contract_version"] == contract.CONTRACT_VERSION == "v1.1" and first["catalogue_version"]
    assert first["village_code"] == "19.02.02.2001" and first["hub_id"] == "HUB-1902"
    beras = next(r for r in rows if r["commodity"] == "beras")
    assert (beras["flow"], beras["quantity_base"], beras["unit_price_base_idr"]) == ("demand", 2000.0, 13_000.0)

    # written through the lake schemas, lineage received_at from the ledger (bronze no longer carries it)
    assert {t.schema.metadata[b"kopdes.dataset"] for t in silver.values()} == {b"silver_lines", b"silver_finance"}
    assert all(t.schema == schemas.QUARANTINE.schema for t in quarantine.values())
    with store.get_engine(settings.db_url).connect() as conn:
        landed = dict(conn.execute(select(store.Submission.submission_id, store.Submission.received_at)).all())
    for table in [*silver.values(), *quarantine.values()]:
        for row in table.select(["submission_id", "received_at"]).to_pylist():
            assert row["received_at"] == landed[row["submission_id"]]

    reasons = {
        (r["source_file"], r["row_number"]): sorted(x["rule_id"] for x in r["reasons"])
        for t in quarantine.values()
        for r in t.to_pylist()
    }
    assert reasons == {
        ("KDMP-1902022001_2026-07.csv", 5): ["COMMODITY_UNKNOWN"],
        ("tanpa_satuan.csv", 2): ["REQUIRED"],
        ("tanpa_satuan.csv", 3): ["REQUIRED"],
        ("tanpa_satuan.csv", 4): ["REQUIRED"],
        ("unknown.json", 1): ["COOPERATIVE_UNKNOWN"],
        ("unknown.json", 2): ["COOPERATIVE_UNKNOWN"],
    }

    # feedback for the clerk and the GX result for the engineer, per submission
    with store.get_engine(settings.db_url).connect() as conn:
        paths = conn.execute(
            select(store.Submission.feedback_path, store.Submission.gx_result_path).where(
                store.Submission.decision.is_not(None)
            )
        ).all()
    assert len(paths) == 5
    for page, gx_page in paths:
        assert (settings.lake / page).exists() and (settings.lake / page).with_suffix(".csv").exists()
        assert (settings.lake / gx_page).exists() and (settings.lake / gx_page).with_suffix(".json").exists()

    # a rerun on the same bronze changes nothing
    before = (_ledger(settings), {p: t.to_pylist() for p, t in {**silver, **quarantine}.items()})
    stamps = {p: p.stat().st_mtime_ns for p in (settings.lake / "silver").rglob("*.parquet")}
    assert validate_dag.test().state == DagRunState.SUCCESS
    assert (
        _ledger(settings),
        {p: t.to_pylist() for p, t in {**_read(settings, "silver"), **_read(settings, "quarantine")}.items()},
    ) == before
    assert {p: p.stat().st_mtime_ns for p in (settings.lake / "silver").rglob("*.parquet")} == stamps

    # forced revalidation of everything gives the same decisions and the same rows
    with store.get_engine(settings.db_url).connect() as conn:
        ids = [
            i
            for (i,) in conn.execute(
                select(store.Submission.submission_id).where(store.Submission.decision.is_not(None))
            )
        ]
    assert validate.reset_validation(settings, ids) == 5
    assert _read(settings, "silver") == {}
    assert validate_dag.test().state == DagRunState.SUCCESS
    after = (
        _ledger(settings),
        {p: t.to_pylist() for p, t in {**_read(settings, "silver"), **_read(settings, "quarantine")}.items()},
    )
    assert after == before
