"""The store's tables as SQLAlchemy models: reference data, the submission ledger, publications, the monthly close
and the gold tables. The schema is owned by Alembic migrations (``storage/migrations``); these models mirror them and
a test keeps the two identical. Callers use them through ``store`` (``store.Submission``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from include.kopdes_hub.storage import schemas


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
    # when its feedback and GX pages were written, off the decision path (migration 0009): null = still to render
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


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
