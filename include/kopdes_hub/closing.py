"""The monthly close: a month past its deadline is approved by the hub manager, its figures become final and
versioned, and files that land for it later are held until a recorded reopen.

- The store keeps each month's state (``month_close``: open or closed, and how many approvals it had) and every
  decision on it (``month_decision``: close, reject or reopen, by whom, when, why, through the UI or the CLI).
- A closed month is never rewritten: aggregate and publish skip it. Its summaries say ``month_status`` final and
  ``publication_version`` n (the n-th approval); a copy of each gold partition of that version is kept under
  ``gold_history/<dataset>/period=YYYY-MM/version=n/`` for BI ("as approved on ..."), beside the latest in gold/.
- A file for a closed month is ingested and validated as usual (its clerk is told the month is closed and the
  file held); it is held when it was validated after the month's close, and counts as late for compliance.
- A reopen lets the held files in: the next aggregate and publish rebuild the month as the draft of version n+1.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import func, insert, select

from include.kopdes_hub import contract
from include.kopdes_hub.config import Settings
from include.kopdes_hub.periods import LOCAL_TZ, due_date, is_period, normalize_period
from include.kopdes_hub.storage import gold, lake, schemas, store

log = logging.getLogger(__name__)

OPEN, CLOSED = "open", "closed"
DRAFT, FINAL = "draft", "final"
CLOSE, REJECT, REOPEN = "close", "reject", "reopen"
UI, CLI = "ui", "cli"
# what gets frozen with a version: the gold volumes and every summary
FROZEN = (schemas.COMMODITY_VOLUMES, *schemas.SUMMARIES)


@dataclass(frozen=True)
class MonthState:
    period: str
    status: str = OPEN
    version: int = 0  # approvals so far
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def closed(self) -> bool:
        return self.status == CLOSED

    @property
    def publication_version(self) -> int:
        """The version the month's summaries carry: the approved one while closed, else the draft of the next."""
        return self.version if self.closed else self.version + 1

    @property
    def month_status(self) -> str:
        return FINAL if self.closed else DRAFT


def states(db_url: str) -> dict[str, MonthState]:
    """Every month the store has a close record for (a month without one is open, never approved)."""
    with store.get_engine(db_url).connect() as conn:
        rows = conn.execute(select(store.MonthClose)).all()
    return {r.period: MonthState(r.period, r.status, r.version, r.closed_at, r.closed_by) for r in rows}


def state(db_url: str, period: str) -> MonthState:
    return states(db_url).get(period, MonthState(period))


def first_closes(db_url: str) -> dict[str, datetime]:
    """Month -> when it was first closed: a file validated after that was held for it (compliance counts it late)."""
    with store.get_engine(db_url).connect() as conn:
        rows = conn.execute(
            select(store.MonthDecision.period, func.min(store.MonthDecision.decided_at))
            .where(store.MonthDecision.action == CLOSE)
            .group_by(store.MonthDecision.period)
        ).all()
    return {period: moment for period, moment in rows}


def closed_periods(db_url: str) -> set[str]:
    return {p for p, s in states(db_url).items() if s.closed}


def _decide(
    settings: Settings, period: str, action: str, by: str, reason: str | None, source: str, now: datetime
) -> MonthState:
    """Record a decision and the month's new state in one transaction."""
    if not is_period(period):
        raise ValueError(f"{period!r} is not a month (YYYY-MM)")
    if not by.strip():
        raise ValueError("a decision needs the name of who took it")
    current = state(settings.db_url, period)
    if action == CLOSE:
        if current.closed:
            return current  # a replayed approval changes nothing
        new = MonthState(period, CLOSED, current.version + 1, now, by)
    elif action == REOPEN:
        if not current.closed:
            raise ValueError(f"{period} is not closed: there is nothing to reopen")
        if not (reason or "").strip():
            raise ValueError("a reopen needs a reason")
        new = MonthState(period, OPEN, current.version, current.closed_at, current.closed_by)
    else:  # a rejection keeps the month open, with its reason on record
        new = current
    with store.get_engine(settings.db_url).begin() as conn:
        values = {
            "status": new.status,
            "version": new.version,
            "closed_at": new.closed_at,
            "closed_by": new.closed_by,
            "updated_at": now,
        }
        store.upsert(conn, store.MonthClose.__table__, [{"period": period, **values}], ("period",))
        conn.execute(
            insert(store.MonthDecision).values(
                period=period,
                action=action,
                decided_by=by,
                decided_at=now,
                reason=reason,
                source=source,
                version=new.version,
            )
        )
    log.info("%s %s by %s (%s): %s, version %d", period, action, by, source, new.status, new.version)
    return new


def close(settings: Settings, period: str, by: str, reason: str | None = None, source: str = CLI) -> MonthState:
    """Approve the month: record it, then freeze its figures as final version n (idempotent: a rerun after a crash
    between the two finishes the freeze)."""
    new = _decide(settings, period, CLOSE, by, reason, source, store.utcnow())
    finalize(settings, period)
    return new


def reject(settings: Settings, period: str, by: str, reason: str | None, source: str = UI) -> MonthState:
    return _decide(settings, period, REJECT, by, reason, source, store.utcnow())


def reopen(settings: Settings, period: str, by: str, reason: str, source: str = CLI) -> MonthState:
    """Reopen a closed month: the next run lets its held files in and publishes the draft of version n+1; version
    n stays readable in gold_history/."""
    return _decide(settings, period, REOPEN, by, reason, source, store.utcnow())


def history_path(lake_dir: Path, dataset: schemas.Dataset, period: str, version: int) -> Path:
    return lake_dir / "gold_history" / dataset.name / f"period={period}" / f"version={version}" / "part-0.parquet"


def versioned_report_path(lake_dir: Path, period: str, version: int) -> Path:
    """The hub report as approved in version n (the live one is re-rendered on every publication)."""
    from include.kopdes_hub.reporting import hub_report

    report = hub_report.report_path(lake_dir, period)
    return report.with_name(f"{report.stem}_v{version}.html")


def is_final(settings: Settings, period: str) -> bool:
    """Are the month's latest summaries its approved version (a close whose freeze finished)?"""
    current = state(settings.db_url, period)
    if not current.closed:
        return False
    table = gold.read_partition(settings.lake, schemas.REPORTING_COMPLIANCE, period)
    if not table.num_rows:
        return False
    statuses = set(table["month_status"].to_pylist())
    versions = set(table["publication_version"].to_pylist())
    return statuses == {FINAL} and versions == {current.version}


def finalize(settings: Settings, period: str) -> None:
    """Mark a closed month's latest summaries final (its rows as they are, nothing recomputed), in the Parquet
    partitions and the SQL tables, and keep a copy of every gold partition of the version in gold_history/."""
    from include.kopdes_hub.reporting import hub_report

    current = state(settings.db_url, period)
    if not current.closed:
        raise ValueError(f"{period} is not closed")
    tables = {}
    for dataset in schemas.SUMMARIES:
        table = gold.read_partition(settings.lake, dataset, period)
        n = table.num_rows
        for name, value in (
            ("publication_version", current.version),
            ("month_status", FINAL),
            ("published_at", current.closed_at),
        ):
            column = dataset.schema.field(name)
            table = table.set_column(table.schema.get_field_index(name), column, pa.array([value] * n, column.type))
        tables[dataset.name] = table
        gold.write_partition(settings.lake, dataset, period, table)
    with store.get_engine(settings.db_url).begin() as conn:
        for name, table in tables.items():
            gold.replace_sql_period(conn, store.SUMMARY_TABLES[name], period, table)
    for dataset in FROZEN:
        source = gold.partition_path(settings.lake, dataset, period)
        if source.exists():
            target = history_path(settings.lake, dataset, period, current.version)
            lake.write_parquet_atomic(lake.read_parquet(source), target)
    report = hub_report.render(settings, period)
    lake.write_bytes_atomic(report.read_bytes(), versioned_report_path(settings.lake, period, current.version))


def due_months(settings: Settings, today: date | None = None) -> list[str]:
    """Months with published figures, past their reporting deadline (the 10th of the next month, WIB), and open."""
    today = today or store.utcnow().astimezone(LOCAL_TZ).date()
    closed = closed_periods(settings.db_url)
    published = gold.published_months(settings.lake, schemas.REPORTING_COMPLIANCE)
    return [p for p in published if due_date(p) < today and p not in closed]


def held_submissions(settings: Settings, period: str) -> list[dict[str, Any]]:
    """The month's submissions validated after its close, while it is closed: held until a reopen."""
    current = state(settings.db_url, period)
    if not current.closed or current.closed_at is None:
        return []
    with store.get_engine(settings.db_url).connect() as conn:
        rows = conn.execute(
            select(store.Submission).where(
                store.Submission.validated_at > current.closed_at, store.Submission.decision.is_not(None)
            )
        ).all()
    return [
        {
            "submission_id": r.submission_id,
            "file_name": r.file_name,
            "cooperative_id": r.cooperative_id,
            "kind": r.kind,
            "received_at": r.received_at,
            "decision": r.decision,
        }
        for r in rows
        if normalize_period(r.period) == period and r.kind in contract.KINDS
    ]


def close_pack(settings: Settings, period: str) -> dict[str, str]:
    """What the hub manager reads before approving a month (Bahasa Indonesia, Markdown): its key figures,
    compliance, the files still quarantined and the cooperatives missing, and the draft report's link."""
    from include.kopdes_hub.reporting import id_format
    from include.kopdes_hub.summaries import compliance as compliance_summary

    volumes = gold.read_partition(settings.lake, schemas.COMMODITY_VOLUMES, period).to_pandas()
    compliance = gold.read_partition(settings.lake, schemas.REPORTING_COMPLIANCE, period).to_pandas()
    with store.get_engine(settings.db_url).connect() as conn:
        names = dict(conn.execute(select(store.Cooperative.cooperative_id, store.Cooperative.cooperative_name)).all())
    supply = volumes[volumes["flow"] == contract.SUPPLY]
    demand = volumes[volumes["flow"] == contract.DEMAND]
    current = state(settings.db_url, period)
    lines = [
        f"Bulan **{period}** sudah melewati batas laporan ({due_date(period):%d-%m-%Y}, WIB). Bila disetujui, angka "
        f"bulan ini menjadi **final versi {current.version + 1}** dan tidak berubah lagi; berkas yang datang "
        "kemudian disimpan sampai bulan dibuka kembali.",
        "",
        f"- Pasokan: Rp {id_format.number(supply['value_idr'].fillna(0).sum())} dari {len(supply)} baris gold; "
        f"kebutuhan: Rp {id_format.number(demand['value_idr'].fillna(0).sum())}.",
    ]
    counts = compliance_summary.counts_by_kind(compliance)
    missing = compliance_summary.missing_by_kind(compliance)
    for kind, label in ((contract.LINES, "pasokan & kebutuhan"), (contract.FINANCE, "keuangan")):
        named = ", ".join(names.get(c, c) for c in missing[kind][:8]) + (", ..." if len(missing[kind]) > 8 else "")
        lines.append(
            f"- Laporan {label}: tepat waktu {counts[kind]['on_time']}, terlambat {counts[kind]['late']}, "
            f"tidak lapor {counts[kind]['missing']}" + (f" ({named})" if missing[kind] else "") + "."
        )
        quarantined = int(compliance.loc[compliance["kind"] == kind, "rows_quarantine"].sum())
        if quarantined:
            lines.append(f"- Baris {label} masih dikarantina: {id_format.number(quarantined)}.")
    lines += ["", f"Laporan draf: /kopdes/reports/laporan_hub_{period}.html"]
    return {"subject": f"Tutup bulan {period}: setujui angka final hub?", "body": "\n".join(lines)}
