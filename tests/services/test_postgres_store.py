"""The same store code on PostgreSQL: migrations, reference upserts and the ingest ledger."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from include.kopdes_hub.config import get_settings
from include.kopdes_hub.ingest import stage as ingest
from include.kopdes_hub.reporting import summary as run_summary
from include.kopdes_hub.storage import store

pytestmark = pytest.mark.services


def test_migrations_and_reference_on_postgres(pg_url):
    assert store.prepare(pg_url) == {"villages": 49, "cooperatives": 49, "commodities": 15}
    assert store.prepare(pg_url) == {"villages": 49, "cooperatives": 49, "commodities": 15}
    with store.get_engine(pg_url).connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), store.Base.metadata) == []
        assert conn.execute(select(func.count()).select_from(store.Cooperative)).scalar_one() == 49


def test_concurrent_migrations_on_a_fresh_store(pg_url):
    """The runs created when the DAGs are unpaused all start by migrating: at once, on a fresh store, none fails."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(3, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(store.migrate, [pg_url] * 3))
    with store.get_engine(pg_url).connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), store.Base.metadata) == []


@pytest.fixture
def pg_settings(pg_url, tmp_path, monkeypatch):
    """Landing and lake under tmp_path, the store in a fresh PostgreSQL database."""
    monkeypatch.setenv("KOPDES_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("KOPDES_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("KOPDES_DB_URL", pg_url)
    settings = get_settings()
    settings.landing.mkdir()
    store.prepare(pg_url)
    return settings


def test_ingest_ledger_on_postgres(pg_settings):
    settings = pg_settings
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
    summary = run_summary.ingest_summary(settings)
    assert summary.statuses == {"bronze": 1, "unreadable": 1}
    assert summary.unaccounted == [] and summary.duplicate_names == 1


def test_chain_to_gold_on_postgres(pg_settings, pg_url):
    from include.kopdes_hub import aggregate, validate

    settings = pg_settings
    (settings.landing / "a.csv").write_bytes(
        b"kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan\n"
        b"KDMP-1902022001;2026-07;pasokan;05/07/2026;Lada Putih;2;kuintal;16.000.000\n"
        b"KDMP-1902022001;2026-07;pasokan;06/07/2026;Lada Putih;50;kg;160.000\n"
        b"KDMP-1902022001;2026-07;pasokan;07/07/2026;Lada Putig;50;kg;160.000\n"
    )
    ingest.ingest_files(settings, ingest.find_new_files(settings))
    for batch in validate.plan_batches(validate.find_bronze(settings), 1000, 100):
        assert validate.validate_submissions(settings, batch)["partly_accepted"] == 1
    validate.apply_supersession(settings)
    for _ in range(2):  # the second pass replaces the period's rows in place: nothing doubles
        for period in aggregate.plan(settings, force=("2026-07",)):
            aggregate.rebuild_period(settings, period)
    with store.get_engine(pg_url).connect() as conn:
        rows = conn.execute(select(store.GoldCommodityVolume.__table__)).all()
    assert [(r.period, r.commodity, r.quantity_base, r.value_idr, r.lines) for r in rows] == [
        ("2026-07", "lada_putih", 250.0, 40_000_000.0, 2)
    ]


def test_a_landing_path_longer_than_512_characters_is_recorded_on_postgres(pg_settings):
    settings = pg_settings
    folder = settings.landing
    for part in ("a" * 200, "b" * 200, "c" * 200):  # each name under NAME_MAX (255), the path over 512
        folder = folder / part
    folder.mkdir(parents=True)
    (folder / "kosong.csv").write_bytes(b"")
    paths = ingest.find_new_files(settings)
    assert len(paths) == 1 and len(paths[0]) > 512
    assert ingest.ingest_files(settings, paths)["unreadable"] == 1
    assert ingest.find_new_files(settings) == []
