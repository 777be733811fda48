"""The ingest DAG end to end with dag.test(): exact counts on hand-made files, and a rerun that changes nothing."""

from __future__ import annotations

import io
import json
import os

import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from include.kopdes_hub.storage import store

pytestmark = pytest.mark.e2e

SEMICOLON_CP1252 = (
    "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan;mutu;keterangan\r\n"
    "KDMP-1902022001;2026-07;pasokan;05/07/2026;Lada Putih;1.250,5;kg;Rp 160.000;I;kering – baik\r\n"
    "KDMP-1902022001;2026-07;pasokan;12/07/2026;Lada Putih;3;kuintal;158.000;II;\r\n"
    "KDMP-1902022001;2026-07;kebutuhan;10/07/2026;Beras;2;ton;13.000;;\r\n"
).encode("cp1252")
COMMA_BOM = (
    "\ufeffcooperative_id,period,revenue_idr,operating_cost_idr,cash_idr,members\n"
    "KDMP-1902022001,2026-07,15000000,9000000,4000000,120\n"
).encode()
JSON_OBJECT = json.dumps(
    {
        "kode_koperasi": "KDMP-1902042008",
        "periode": "2026-07",
        "baris": [
            {"jenis": "pasokan", "tanggal": "2026-07-03", "komoditas": "Cumi-cumi", "jumlah": 12.5, "satuan": "kg"},
            {"jenis": "kebutuhan", "tanggal": "2026-07-09", "komoditas": "LPG 3 kg", "jumlah": 60, "satuan": "tabung"},
        ],
    }
).encode()


def _xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["LAPORAN KOPERASI DESA MERAH PUTIH BADAU - JULI 2026"])
    ws.append([])
    ws.append(["Kode Koperasi", "Periode", "Jenis", "Tanggal", "Komoditas", "Jumlah", "Satuan", "Harga Satuan"])
    ws.append(["KDMP-1902052001", "2026-07", "pasokan", "2026-07-02", "TBS Sawit", 4.2, "ton", 3100])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _landing(settings) -> None:
    files = {
        "KDMP-1902022001_2026-07.csv": SEMICOLON_CP1252,
        "Salinan dari KDMP-1902022001_2026-07.csv": SEMICOLON_CP1252,  # the same bytes again
        "keuangan_KDMP-1902022001_2026-07.csv": COMMA_BOM,
        "KDMP-1902042008-2026-07.json": JSON_OBJECT,
        "laporan_badau_juli.xlsx": _xlsx(),
        "kosong.csv": b"",
        "rusak.xlsx": b"PK\x03\x04 truncated",
    }
    for name, data in files.items():
        (settings.landing / name).write_bytes(data)
    # entries that are not files: recorded, never opened (a dangling link used to crash the whole run)
    (settings.landing / "pintasan.csv").symlink_to(settings.landing / "tidak-ada.csv")
    (settings.landing / "passwd.csv").symlink_to("/etc/passwd")
    os.mkfifo(settings.landing / "pipa.csv")


def _snapshot(settings):
    with store.get_engine(settings.db_url).connect() as conn:
        subs = conn.execute(
            select(store.Submission.file_name, store.Submission.status, store.Submission.rows_bronze).order_by(
                store.Submission.file_name
            )
        ).all()
        n_files = conn.execute(select(func.count()).select_from(store.SubmissionFile)).scalar_one()
    bronze = {p: p.stat().st_mtime_ns for p in settings.bronze.rglob("*.parquet")}
    return subs, n_files, bronze


def test_ingest_dag_end_to_end_and_rerun(settings, airflow_db):
    from airflow.utils.state import DagRunState

    from dags.kopdes_ingest import kopdes_ingest

    _landing(settings)
    dag = kopdes_ingest()
    run = dag.test()
    assert run.state == DagRunState.SUCCESS

    subs, n_files, bronze = _snapshot(settings)
    assert n_files == 10
    assert [(s.file_name, s.status, s.rows_bronze) for s in subs] == [
        ("KDMP-1902022001_2026-07.csv", "bronze", 3),
        ("KDMP-1902042008-2026-07.json", "bronze", 2),
        ("keuangan_KDMP-1902022001_2026-07.csv", "bronze", 1),
        ("kosong.csv", "unreadable", None),
        ("laporan_badau_juli.xlsx", "bronze", 1),
        ("passwd.csv", "unreadable", None),
        ("pintasan.csv", "unreadable", None),
        ("pipa.csv", "unreadable", None),
        ("rusak.xlsx", "unreadable", None),
    ]
    assert len(bronze) == 4
    assert sum(pq.read_metadata(p).num_rows for p in bronze) == 7

    rerun = dag.test()
    assert rerun.state == DagRunState.SUCCESS
    assert _snapshot(settings) == (subs, n_files, bronze)
