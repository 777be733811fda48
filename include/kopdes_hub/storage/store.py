"""The store: reference data and the submission ledger, in SQLite by default and PostgreSQL in production.

The ledger is the truth about what the hub has received (events and sweeps are only hints): one row per distinct
file content (SHA-256), one row per file name it arrived under, its status and the reason when it failed.
The schema is owned by Alembic migrations (``include/kopdes_hub/storage/migrations``); the models here mirror them and a
test keeps the two identical.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from include.kopdes_hub import reference
from include.kopdes_hub.storage import schemas

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


class UTCDateTime(TypeDecorator):
    """A timestamp that always comes back timezone-aware in UTC: SQLite drops the zone, PostgreSQL keeps it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class Base(DeclarativeBase):
    # every model is a plain table: saying so lets the type checker see ``Model.__table__`` as the Table it is
    __table__: ClassVar[Table]


class Village(Base):
    __tablename__ = "village"
    village_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    village_name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    district_code: Mapped[str] = mapped_column(String(10), index=True)
    district_name: Mapped[str] = mapped_column(String(100))
    regency_code: Mapped[str] = mapped_column(String(8))
    regency_name: Mapped[str] = mapped_column(String(100))


class Cooperative(Base):
    __tablename__ = "cooperative"
    cooperative_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    cooperative_name: Mapped[str] = mapped_column(String(200))
    hub_id: Mapped[str] = mapped_column(String(20), index=True)
    village_code: Mapped[str] = mapped_column(String(16))
    district_code: Mapped[str] = mapped_column(String(10))
    cooperative_type: Mapped[str] = mapped_column(String(4))
    formation_model: Mapped[str] = mapped_column(String(20))
    sk_ahu_no: Mapped[str | None] = mapped_column(String(60))
    sk_ahu_date: Mapped[str | None] = mapped_column(String(10))
    nik_koperasi: Mapped[str | None] = mapped_column(String(16))
    npwp: Mapped[str | None] = mapped_column(String(20))
    nib: Mapped[str | None] = mapped_column(String(13))
    bank: Mapped[str | None] = mapped_column(String(20))
    bank_account: Mapped[str | None] = mapped_column(String(20))
    has_business_proposal: Mapped[bool] = mapped_column(Boolean)
    has_approval_letter: Mapped[bool] = mapped_column(Boolean)
    members: Mapped[int] = mapped_column(Integer)
    business_units: Mapped[str] = mapped_column(Text)
    simkopdes_active: Mapped[bool] = mapped_column(Boolean)
    has_business_gerai: Mapped[bool] = mapped_column(Boolean)
    land_point_verified: Mapped[bool] = mapped_column(Boolean)
    pilot: Mapped[bool] = mapped_column(Boolean)
    dana_desa_pagu_idr: Mapped[int | None] = mapped_column(BigInteger)


class Commodity(Base):
    __tablename__ = "commodity"
    commodity: Mapped[str] = mapped_column(String(40), primary_key=True)
    commodity_name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    base_unit: Mapped[str] = mapped_column(String(20))
    price_min_idr: Mapped[float] = mapped_column(Float)
    price_max_idr: Mapped[float] = mapped_column(Float)
    catalogue_version: Mapped[str] = mapped_column(String(20))


class Submission(Base):
    """One distinct file content received by the hub."""

    __tablename__ = "submission"
    submission_id: Mapped[str] = mapped_column(String(16), primary_key=True)  # first 16 hex digits of sha256
    # of the content; of a descriptor for a landing entry that was not read (a link, a FIFO, a file over the size
    # limit: ingest.landing.entry_sha256), so that entry is one row on every run
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(Text)  # the name of its earliest landing (landing-relative)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    # the earliest landing (mtime, capped at now) of any name it arrived under, whatever order batches ran in
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    file_format: Mapped[str | None] = mapped_column(String(10))
    encoding: Mapped[str | None] = mapped_column(String(20))
    delimiter: Mapped[str | None] = mapped_column(String(4))
    sheet: Mapped[str | None] = mapped_column(String(100))
    header_row: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str | None] = mapped_column(String(10))
    cooperative_id: Mapped[str | None] = mapped_column(String(40), index=True)
    period: Mapped[str | None] = mapped_column(String(20), index=True)
    rows_bronze: Mapped[int | None] = mapped_column(Integer)
    bronze_path: Mapped[str | None] = mapped_column(Text)
    contract_version: Mapped[str | None] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Validation (migration 0002)
    decision: Mapped[str | None] = mapped_column(String(20))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    rows_silver: Mapped[int | None] = mapped_column(Integer)
    rows_quarantine: Mapped[int | None] = mapped_column(Integer)
    catalogue_version: Mapped[str | None] = mapped_column(String(20))
    validation_run_id: Mapped[str | None] = mapped_column(String(40))
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    silver_path: Mapped[str | None] = mapped_column(Text)
    quarantine_path: Mapped[str | None] = mapped_column(Text)
    feedback_path: Mapped[str | None] = mapped_column(Text)
    gx_result_path: Mapped[str | None] = mapped_column(Text)
    superseded_by: Mapped[str | None] = mapped_column(String(16))
    rows_warning: Mapped[int | None] = mapped_column(Integer)  # silver rows with a warning (migration 0006)


class SubmissionTotal(Base):
    """An accepted lines submission's silver, summed per commodity and flow (written with its silver, migration
    0006): a cooperative's own history for QUANTITY_OUTLIER, read without opening thousands of silver files."""

    __tablename__ = "submission_total"
    submission_id: Mapped[str] = mapped_column(String(16), ForeignKey("submission.submission_id"), primary_key=True)
    commodity: Mapped[str] = mapped_column(String(40), primary_key=True)
    flow: Mapped[str] = mapped_column(String(10), primary_key=True)
    quantity_base: Mapped[float] = mapped_column(Float)
    lines: Mapped[int] = mapped_column(Integer)


class ValidationRun(Base):
    """One validation task over a batch of submissions: what it checked and what it found."""

    __tablename__ = "validation_run"
    validation_run_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submissions: Mapped[int] = mapped_column(Integer)
    rows_bronze: Mapped[int] = mapped_column(Integer)
    rows_silver: Mapped[int] = mapped_column(Integer)
    rows_quarantine: Mapped[int] = mapped_column(Integer)
    contract_version: Mapped[str] = mapped_column(String(10))
    catalogue_version: Mapped[str] = mapped_column(String(20))
    rows_warning: Mapped[int | None] = mapped_column(Integer)  # migration 0006


class Publication(Base):
    """What each gold partition was last built from: a fingerprint of its inputs, so a run rebuilds only the
    periods whose accepted submissions changed since (and a crash before this row is written means a rebuild)."""

    __tablename__ = "publication"
    dataset: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    submissions: Mapped[int] = mapped_column(Integer)
    schema_version: Mapped[str] = mapped_column(String(10))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MonthClose(Base):
    """A month's close (migration 0007): open or closed, and how many times the hub manager approved it (its final
    publication's version). A closed month is never rewritten by aggregate or publish."""

    __tablename__ = "month_close"
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))  # OPEN or CLOSED
    version: Mapped[int] = mapped_column(Integer)  # approvals so far: the final version while closed
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MonthDecision(Base):
    """Every decision on a month's close: who, when, why, and through what (the Airflow UI or the CLI)."""

    __tablename__ = "month_decision"
    decision_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    action: Mapped[str] = mapped_column(String(10))  # close, reject or reopen
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10))  # ui or cli
    version: Mapped[int] = mapped_column(Integer)  # the month's version after the decision


class GoldCommodityVolume(Base):
    """gold/commodity_volumes as a SQL table, replaced per period (schemas.COMMODITY_VOLUMES)."""

    __tablename__ = "gold_commodity_volumes"
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    cooperative_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    commodity: Mapped[str] = mapped_column(String(40), primary_key=True)
    flow: Mapped[str] = mapped_column(String(10), primary_key=True)
    hub_id: Mapped[str | None] = mapped_column(String(20), index=True)
    district_code: Mapped[str | None] = mapped_column(String(10))
    village_code: Mapped[str | None] = mapped_column(String(16))
    quantity_base: Mapped[float] = mapped_column(Float)
    base_unit: Mapped[str] = mapped_column(String(20))
    value_idr: Mapped[float | None] = mapped_column(Float)
    submissions: Mapped[int] = mapped_column(Integer)
    lines: Mapped[int] = mapped_column(Integer)
    catalogue_version: Mapped[str] = mapped_column(String(20))


def _sql_type(arrow_type: Any) -> Any:
    import pyarrow as pa

    if pa.types.is_string(arrow_type):
        return Text()
    if pa.types.is_floating(arrow_type):
        return Float()
    if pa.types.is_integer(arrow_type):
        return BigInteger()
    if pa.types.is_boolean(arrow_type):
        return Boolean()
    if pa.types.is_date(arrow_type):
        return Date()
    if pa.types.is_timestamp(arrow_type):
        return DateTime(timezone=True)
    raise TypeError(f"no SQL type for {arrow_type}")


# The summaries as SQL tables, column for column from their published schema (migration 0004 froze this shape).
SUMMARY_TABLES: dict[str, Table] = {
    d.name: Table(
        f"gold_{d.name}",
        Base.metadata,
        *(Column(c.name, _sql_type(c.type)) for c in d.columns),
        Index(f"ix_gold_{d.name}_period", "period"),
    )
    for d in schemas.SUMMARIES
}


class SubmissionFile(Base):
    """Every file name a content arrived under: a duplicate file is a second row pointing at one submission."""

    __tablename__ = "submission_file"
    path: Mapped[str] = mapped_column(Text, primary_key=True)  # landing-relative, POSIX separators
    sha256: Mapped[str] = mapped_column(String(64), ForeignKey("submission.sha256"), primary_key=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


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
