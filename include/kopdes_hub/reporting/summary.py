"""What the pipeline holds now, in numbers an engineer checks after a run: files, submissions, rows, statuses.

It also checks the ingest promise: every file in landing is in the ledger, either in bronze or with a reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from include.kopdes_hub.config import Settings
from include.kopdes_hub.ingest import landing
from include.kopdes_hub.ingest import stage as ingest
from include.kopdes_hub.storage import gold, lake, schemas, store
from include.kopdes_hub.summaries import compliance as compliance_summary
from include.kopdes_hub.summaries import financing

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class IngestSummary:
    landing_files: int
    unaccounted: list[str]  # landing files the ledger has not finished
    duplicate_names: int  # file names whose content arrived earlier under another name
    statuses: dict[str, int]
    rows_by_kind: dict[str, int]
    submissions_by_kind: dict[str, int]
    unreadable: list[tuple[str, str, str]] = field(default_factory=list)  # (file, code, reason)


def ingest_summary(settings: Settings) -> IngestSummary:
    engine = store.get_engine(settings.db_url)
    with engine.connect() as conn:
        statuses = dict(
            conn.execute(select(store.Submission.status, func.count()).group_by(store.Submission.status)).all()
        )
        by_kind = conn.execute(
            select(store.Submission.kind, func.count(), func.coalesce(func.sum(store.Submission.rows_bronze), 0))
            .where(store.Submission.status != store.UNREADABLE)
            .group_by(store.Submission.kind)
        ).all()
        unreadable = conn.execute(
            select(store.Submission.file_name, store.Submission.reason_code, store.Submission.reason)
            .where(store.Submission.status == store.UNREADABLE)
            .order_by(store.Submission.file_name)
        ).all()
        names_per_content = Counter(sha for (sha,) in conn.execute(select(store.SubmissionFile.sha256)).all())
    entries = landing.list_landing(settings.landing) if settings.landing.exists() else []
    return IngestSummary(
        landing_files=len(entries),
        unaccounted=ingest.find_new_files(settings) if entries else [],
        duplicate_names=sum(n - 1 for n in names_per_content.values()),
        statuses=statuses,
        rows_by_kind={str(kind): int(rows or 0) for kind, _, rows in by_kind},
        submissions_by_kind={str(kind): int(n) for kind, n, _ in by_kind},
        unreadable=[(str(f), str(c), str(r)) for f, c, r in unreadable],
    )


def format_ingest_summary(summary: IngestSummary, settings: Settings) -> str:
    total = sum(summary.statuses.values())
    statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(summary.statuses.items())) or "none"
    kinds = "; ".join(
        f"{kind}: {summary.submissions_by_kind[kind]:,} submissions, {rows:,} rows"
        for kind, rows in sorted(summary.rows_by_kind.items())
    )
    lines = [
        "Kopdes Hub: ingest summary",
        f"  landing     {settings.landing}: {summary.landing_files:,} files",
        f"  ledger      {settings.db_url}: {total:,} submissions ({statuses}); "
        f"{summary.duplicate_names:,} duplicate file(s) of an earlier submission",
        f"  bronze      {settings.bronze}: {kinds or 'nothing yet'}",
    ]
    if summary.unreadable:
        lines.append("  unreadable (file stays in landing; the ledger says why):")
        lines += [f"    {name}: {code}: {reason}" for name, code, reason in summary.unreadable]
    verdict = (
        "every landing file is in bronze or has a ledger reason"
        if not summary.unaccounted
        else f"{len(summary.unaccounted)} landing file(s) not ingested yet: {', '.join(summary.unaccounted[:5])}"
    )
    lines.append(f"  check       {verdict}")
    return "\n".join(lines)


@dataclass
class KindValidation:
    statuses: dict[str, int]  # submissions per status (accepted, partly_accepted, rejected, superseded, bronze)
    rows_silver: int
    rows_quarantine: int
    rows_warning: int  # of rows_silver: accepted with a warning


def validation_summary(settings: Settings) -> dict[str, KindValidation]:
    """Per kind: submissions per decision and rows in silver and quarantine (superseded files included)."""
    with store.get_engine(settings.db_url).connect() as conn:
        rows = conn.execute(
            select(
                store.Submission.kind,
                store.Submission.status,
                func.count(),
                func.coalesce(func.sum(store.Submission.rows_silver), 0),
                func.coalesce(func.sum(store.Submission.rows_quarantine), 0),
                func.coalesce(func.sum(store.Submission.rows_warning), 0),
            )
            .where(store.Submission.kind.is_not(None))
            .group_by(store.Submission.kind, store.Submission.status)
        ).all()
    out: dict[str, KindValidation] = {}
    for kind, status, n, silver, quarantine, warned in rows:
        entry = out.setdefault(str(kind), KindValidation({}, 0, 0, 0))
        entry.statuses[status] = int(n)
        entry.rows_silver += int(silver or 0)
        entry.rows_quarantine += int(quarantine or 0)
        entry.rows_warning += int(warned or 0)
    return out


def format_validation_summary(summary: dict[str, KindValidation], settings: Settings) -> str:
    lines = ["Kopdes Hub: validation summary (submissions; rows)"]
    for kind in sorted(summary):
        s = summary[kind]
        decided = ", ".join(
            f"{status} {s.statuses.get(status, 0):,}"
            for status in (store.ACCEPTED, store.PARTLY_ACCEPTED, store.REJECTED, store.SUPERSEDED)
        )
        waiting = s.statuses.get(store.BRONZE, 0)
        lines.append(
            f"  {kind:<8}  {decided}; rows accepted {s.rows_silver:,} ({s.rows_warning:,} with warnings), "
            f"quarantined {s.rows_quarantine:,}" + (f"; {waiting:,} not validated yet" if waiting else "")
        )
    lines += [
        f"  silver      {settings.lake / 'silver'}",
        f"  quarantine  {settings.lake / 'quarantine'}",
        f"  feedback    {settings.lake / 'feedback'}  (per cooperative and month, HTML + CSV for the clerk)",
        f"  GX results  {settings.lake / 'validation'}",
    ]
    return "\n".join(lines)


@dataclass
class GoldSummary:
    periods: int
    rows: int
    by_flow: dict[str, float]  # flow -> value_idr in gold
    silver_quantity: float  # sum of quantity_base over the silver lines that count
    gold_quantity: float


def gold_summary(settings: Settings) -> GoldSummary:
    """Gold totals next to the live silver they come from (they must match exactly)."""
    import pyarrow.compute as pc

    from include.kopdes_hub import aggregate

    months = gold.published_months(settings.lake, aggregate.DATASET)
    gold_files = [p for m in months if (p := gold.partition_path(settings.lake, aggregate.DATASET, m)).exists()]
    volumes = lake.read_parquet_files(gold_files, ["flow", "quantity_base", "value_idr"])
    by_flow = dict(zip(*volumes.group_by("flow").aggregate([("value_idr", "sum")]).to_pydict().values(), strict=True))
    gold_quantity = pc.sum(volumes["quantity_base"]).as_py() or 0.0
    silver_paths = [settings.lake / path for items in aggregate.live_inputs(settings).values() for _, path in items]
    silver = lake.read_parquet_files(silver_paths, ["quantity_base"])
    silver_quantity = pc.sum(silver["quantity_base"]).as_py() or 0.0
    return GoldSummary(len(gold_files), volumes.num_rows, by_flow, silver_quantity, gold_quantity)


def format_gold_summary(summary: GoldSummary, settings: Settings) -> str:
    matches = abs(summary.gold_quantity - summary.silver_quantity) <= 1e-6 * max(1.0, summary.silver_quantity)
    values = ", ".join(f"{flow} Rp {value / 1e9:,.2f} bn" for flow, value in sorted(summary.by_flow.items()))
    return "\n".join(
        [
            "Kopdes Hub: gold summary",
            f"  commodity_volumes  {settings.lake / 'gold' / 'commodity_volumes'}: {summary.periods} periods, "
            f"{summary.rows:,} rows; value {values or '-'}",
            f"  check       gold quantity {summary.gold_quantity:,.1f} = silver {summary.silver_quantity:,.1f} "
            f"(base units, latest accepted submissions): {'yes' if matches else 'NO'}",
        ]
    )


def _bn(value: float) -> str:
    return f"Rp {value / 1e9:,.2f} bn"


def format_financing(totals: financing.FinancingTotals) -> str:
    """The financing line: who applied and for how much, and what each estimate sums (the hub report prints the
    same ``financing.totals``)."""
    verdicts = ", ".join(f"{s} {totals.by_status[s]}" for s in financing.VERDICTS)
    return (
        f"applied {totals.applicants} ({verdicts}), requested {_bn(totals.requested_idr)}; "
        f"the {totals.approvable} ELIGIBLE or CONDITIONAL requested {_bn(totals.approvable_requested_idr)}, "
        f"estimated maximum loans {_bn(totals.approvable_max_loan_idr)}; "
        f"{financing.NOT_APPLIED} {totals.by_status[financing.NOT_APPLIED]}, of which {totals.not_applied_able} "
        f"failing no hard rule could borrow {_bn(totals.not_applied_max_loan_idr)}"
    )


def format_compliance(counts: dict[str, dict[str, int]]) -> str:
    """The compliance line: per kind, the registry's cooperatives in each state (the hub report's definition)."""
    return (
        "; ".join(
            f"{kind} " + ", ".join(f"{state} {n}" for state, n in states.items()) for kind, states in counts.items()
        )
        + " (cooperatives per kind)"
    )


def format_summaries(settings: Settings) -> str:
    """A few lines of each published summary for the latest month, and where the hub report is."""

    from include.kopdes_hub.reporting import hub_report

    months = gold.published_months(settings.lake, schemas.HUB_BALANCE)
    if not months:
        return "Kopdes Hub: no summaries published yet"
    period = months[-1]

    def read(dataset: schemas.Dataset) -> pd.DataFrame:
        return gold.read_partition(settings.lake, dataset, period).to_pandas()

    balance = read(schemas.HUB_BALANCE)
    hub = balance[balance["level"] == "hub"]
    transfers = read(schemas.HUB_TRANSFERS)
    eligibility = read(schemas.FINANCING_ELIGIBILITY)
    leading = read(schemas.LEADING_COMMODITIES)
    compliance = read(schemas.REPORTING_COMPLIANCE)
    # per district its largest komoditas unggulan (LQ > 1 on a material share), as the hub report's table lists them
    top = (
        leading[leading["leading"]].sort_values(["district_code", "rank_in_district"]).drop_duplicates("district_code")
    )
    lines = [
        f"Kopdes Hub: summaries of {period} ({len(months)} months published in {settings.lake / 'gold'})",
        f"  hub_balance        {int((hub['status'] == 'surplus').sum())} commodities in surplus, "
        f"{int((hub['status'] == 'deficit').sum())} in deficit; unmet demand to buy outside: "
        + ", ".join(f"{c} {v:,.0f}" for c, v in zip(hub["commodity"], hub["unmet_base"], strict=True) if v > 0),
        f"  hub_transfers      {len(transfers)} transfers between villages, "
        f"{transfers['quantity_base'].sum():,.0f} base units, transport Rp {transfers['cost_idr'].sum():,.0f}",
        f"  financing          {format_financing(financing.totals(eligibility))}",
        "  leading            "
        + "; ".join(
            f"{d}: {c} (LQ {q:.1f})"
            for d, c, q in zip(top["district_code"], top["commodity"], top["location_quotient"], strict=True)
        ),
        f"  compliance         {format_compliance(compliance_summary.counts_by_kind(compliance))}",
        f"  hub report         {hub_report.report_path(settings.lake, period)}  (Airflow UI: Browse > Laporan Hub)",
    ]
    return "\n".join(lines)
