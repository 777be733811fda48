"""The same store code on PostgreSQL: migrations, reference upserts and the ingest ledger."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from include.kopdes_hub import ingest, report, store
from include.kopdes_hub.config import get_settings

pytestmark = pytest.mark.services


def test_migrations_and_reference_on_postgres(pg_url):
    assert store.prepare(pg_url) == {"villages": 49, "cooperatives": 49, "commodities": 15}
    assert store.prepare(pg_url) == {"villages": 49, "cooperatives": 49, "commodities": 15}
    with store.get_engine(pg_url).connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), store.Base.metadata) == []
        assert conn.execute(select(func.count()).select_from(store.Cooperative)).scalar_one() == 49


def test_ingest_ledger_on_postgres(pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("KOPDES_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("KOPDES_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("KOPDES_DB_URL", pg_url)
    settings = get_settings()
    settings.landing.mkdir()
    store.prepare(pg_url)
    data = b"kode_koperasi;periode;komoditas;jumlah;satuan\nKDMP-1902022001;2026-07;Lada Putih;1.250,5;kg\n"
    (settings.landing / "a.csv").write_bytes(data)
    (settings.landing / "a (1).csv").write_bytes(data)
    (settings.landing / "kosong.csv").write_bytes(b"")
    assert ingest.ingest_files(settings, ingest.find_new_files(settings)) == {
        "bronze": 1,
        "unreadable": 1,
        "duplicate": 1,
        "vanished": 0,
    }
    assert ingest.ingest_files(settings, ingest.find_new_files(settings))["bronze"] == 0
    summary = report.ingest_summary(settings)
    assert summary.statuses == {"bronze": 1, "unreadable": 1}
    assert summary.unaccounted == [] and summary.duplicate_names == 1
