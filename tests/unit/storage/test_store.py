"""The store: migrations and models agree, preparing twice changes nothing, upserts never duplicate."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from include.kopdes_hub.storage import store


def test_migrations_create_exactly_the_models(settings):
    with store.get_engine(settings.db_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), store.Base.metadata)
    assert diff == []


def test_prepare_is_idempotent(settings):
    again = store.prepare(settings.db_url)
    assert again == {"villages": 49, "cooperatives": 49, "commodities": 15}
    with store.get_engine(settings.db_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(store.Cooperative)).scalar_one() == 49
        coop = conn.execute(
            select(store.Cooperative).where(store.Cooperative.cooperative_id == "KDMP-1902042008")
        ).one()
    assert coop.pilot is True and coop.village_code == "19.02.04.2008"


def test_upsert_updates_or_keeps(settings):
    table = store.Commodity.__table__
    row = {
        "commodity": "lada_putih",
        "commodity_name": "X",
        "category": "agri",
        "base_unit": "kg",
        "price_min_idr": 1.0,
        "price_max_idr": 2.0,
        "catalogue_version": "t",
    }
    engine = store.get_engine(settings.db_url)
    with engine.begin() as conn:
        store.upsert(conn, table, [row], ("commodity",), update=False)
    with engine.connect() as conn:
        assert conn.execute(select(table.c.commodity_name).where(table.c.commodity == "lada_putih")).scalar() != "X"
    with engine.begin() as conn:
        store.upsert(conn, table, [row], ("commodity",))
    with engine.connect() as conn:
        assert conn.execute(select(table.c.commodity_name).where(table.c.commodity == "lada_putih")).scalar() == "X"
        assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 15
