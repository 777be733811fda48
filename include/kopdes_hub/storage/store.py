"""The store: reference data and the submission ledger, in SQLite by default and PostgreSQL in production.

The ledger is the truth about what the hub has received (events and sweeps are only hints): one row per distinct
file content (SHA-256), one row per file name it arrived under, its status and the reason when it failed.
The schema is owned by Alembic migrations (``include/kopdes_hub/storage/migrations``); the models (``models``,
named here as ``store.Submission`` and so on) mirror them and a test keeps the two identical.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Engine,
    Table,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

from include.kopdes_hub import reference
from include.kopdes_hub.storage.models import (
    SUMMARY_TABLES,
    Base,
    Commodity,
    Cooperative,
    GoldCommodityVolume,
    MonthClose,
    MonthDecision,
    Publication,
    Submission,
    SubmissionFile,
    SubmissionTotal,
    UTCDateTime,
    ValidationRun,
    Village,
)

# the models, as callers name them (store.Submission): re-exported
__all__ = [
    "SUMMARY_TABLES",
    "Base",
    "Commodity",
    "Cooperative",
    "GoldCommodityVolume",
    "MonthClose",
    "MonthDecision",
    "Publication",
    "Submission",
    "SubmissionFile",
    "SubmissionTotal",
    "UTCDateTime",
    "ValidationRun",
    "Village",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Ledger statuses of a submission (the same bytes = one submission), in the order a submission moves through them.
RECEIVED = "received"  # registered, not parsed yet (a crash here is retried by the next run)
BRONZE = "bronze"  # parsed into one bronze Parquet file, not validated yet
UNREADABLE = "unreadable"  # could not be parsed; ``reason_code`` and ``reason`` say why, the file stays in landing
# Validation decisions (also kept in ``decision``, which supersession never overwrites):
ACCEPTED = "accepted"  # every row in silver
PARTLY_ACCEPTED = "partly_accepted"  # some rows quarantined, the rest in silver
REJECTED = "rejected"  # the whole file quarantined: a required column missing, or too many bad rows
SUPERSEDED = "superseded"  # a later accepted file for the same cooperative, kind and month replaces it
STATUSES = (RECEIVED, BRONZE, UNREADABLE, ACCEPTED, PARTLY_ACCEPTED, REJECTED, SUPERSEDED)
DECISIONS = (ACCEPTED, PARTLY_ACCEPTED, REJECTED)


def utcnow() -> datetime:
    return datetime.now(UTC)


@cache
def get_engine(url: str) -> Engine:
    """One engine per URL per process. SQLite gets WAL and a busy timeout so parallel tasks wait, not fail."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


# Any fixed 64-bit number, the same in every process: the PostgreSQL advisory lock serialising migrations.
_MIGRATION_LOCK = 0x6B6F7064_6573_0001


def migrate(url: str) -> None:
    """Bring the schema to the newest Alembic revision (idempotent, and safe when tasks run it at once).

    Every DAG run's first task migrates, so on a fresh store (a new deployment: the runs created at unpause start
    together) several processes upgrade at the same moment; unserialised, two CREATE TABLEs of the same table
    collide (``pg_type_typname_nsp_index``) and the losing task waits out its retry delay. On PostgreSQL the
    migration's transaction first takes an advisory lock, so the others wait and then find the schema at head; on
    SQLite the migration starts with ``BEGIN IMMEDIATE``, the database's write lock.
    """
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    engine = get_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.begin()
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        elif engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.begin()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()


def upsert(
    conn: Any, table: Table, rows: Iterable[Mapping[str, Any]], keys: tuple[str, ...], *, update: bool = True
) -> int:
    """Insert rows; where the key exists, update them (or, with ``update=False``, keep what is there).

    One statement per batch, on SQLite and PostgreSQL alike, so concurrent tasks never trip on a duplicate key.
    """
    rows = list(rows)
    if not rows:
        return 0
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), 1000):
        batch = rows[start : start + 1000]
        stmt = dialect.insert(table).values(batch)
        updates = {c: stmt.excluded[c] for c in batch[0] if c not in keys} if update else {}
        if updates:
            stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=updates)
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
        conn.execute(stmt)
    return len(rows)


def _flag(value: str) -> bool:
    return value.strip().lower() == "true"


def registry_rows(rows: Iterable[Mapping[str, str]]) -> list[dict[str, Any]]:
    """Type the registry CSV for the store (flags to booleans, empty identifiers to NULL)."""
    bools = {c.name for c in Cooperative.__table__.columns if isinstance(c.type, Boolean)}
    typed = []
    for row in rows:
        out: dict[str, Any] = {}
        for column in reference.REGISTRY_COLUMNS:
            value = row[column]
            if column in bools:
                out[column] = _flag(value)
            elif column in ("members", "dana_desa_pagu_idr"):
                out[column] = int(value) if value else None
            else:
                out[column] = value or None
        typed.append(out)
    return typed


def load_reference(url: str, registry_csv: Path = reference.REGISTRY_CSV) -> dict[str, int]:
    """Upsert villages, the cooperative registry and the commodity catalogue into the store (idempotent)."""
    catalogue = reference.load_catalogue()
    commodities = [
        {
            "commodity": c.code,
            "commodity_name": c.name,
            "category": c.category,
            "base_unit": c.base_unit,
            "price_min_idr": c.price_min_idr,
            "price_max_idr": c.price_max_idr,
            "catalogue_version": catalogue.version,
        }
        for c in catalogue.commodities.values()
    ]
    with get_engine(url).begin() as conn:
        return {
            "villages": upsert(conn, Village.__table__, reference.load_villages(), ("village_code",)),
            "cooperatives": upsert(
                conn, Cooperative.__table__, registry_rows(reference.load_registry(registry_csv)), ("cooperative_id",)
            ),
            "commodities": upsert(conn, Commodity.__table__, commodities, ("commodity",)),
        }


def prepare(url: str) -> dict[str, int]:
    """Migrate, then load the reference data: what every DAG run does first so a fresh store just works."""
    migrate(url)
    return load_reference(url)
