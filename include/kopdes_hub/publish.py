"""Publish stage: the hub-level summaries computed from gold volumes, the ledger and the registry.

The summaries are pure functions on small frames (cooperatives x months x commodities): reporting compliance,
leading commodities (komoditas unggulan, by location quotient), the hub balance with a least-cost transfer plan
between villages, and financing eligibility. ``publish_period`` reads their inputs and writes one month of each;
``plan`` says which months are stale.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
from sqlalchemy import select

from include.kopdes_hub import closing, contract
from include.kopdes_hub.config import Settings
from include.kopdes_hub.ledger import publication_fingerprints as ledger_fingerprints
from include.kopdes_hub.ledger import record_publication as ledger_record
from include.kopdes_hub.periods import is_period, ledger_month, previous_periods
from include.kopdes_hub.reference import transport_costs
from include.kopdes_hub.reference.processing import load_processing
from include.kopdes_hub.reporting import hub_report
from include.kopdes_hub.storage import gold, lake, schemas, store
from include.kopdes_hub.summaries.balance import hub_balance, settle, transfer_plan
from include.kopdes_hub.summaries.compliance import reporting_compliance
from include.kopdes_hub.summaries.financing import FINANCE_MONTHS, financing_eligibility
from include.kopdes_hub.summaries.leading import TREND_MONTHS, leading_commodities
from include.kopdes_hub.summaries.processing import WINDOW_MONTHS, processing_projection


def _read_volumes(lake_dir: Path, periods: list[str]) -> pd.DataFrame:
    return pa.concat_tables([gold.read_partition(lake_dir, schemas.COMMODITY_VOLUMES, p) for p in periods]).to_pandas()


def _registry_frame(db_url: str) -> pd.DataFrame:

    with store.get_engine(db_url).connect() as conn:
        return pd.DataFrame(conn.execute(select(store.Cooperative)).mappings().all())


def _ledger_frame(db_url: str) -> pd.DataFrame:

    s = store.Submission
    with store.get_engine(db_url).connect() as conn:
        rows = (
            conn.execute(
                select(
                    s.submission_id,
                    s.cooperative_id,
                    s.kind,
                    s.period,
                    s.received_at,
                    s.status,
                    s.decision,
                    s.rows_bronze,
                    s.rows_quarantine,
                    s.rows_warning,
                    s.silver_path,
                    s.validated_at,
                ).where(s.decision.is_not(None))
            )
            .mappings()
            .all()
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "submission_id",
            "cooperative_id",
            "kind",
            "period",
            "received_at",
            "status",
            "decision",
            "rows_bronze",
            "rows_quarantine",
            "rows_warning",
            "silver_path",
            "validated_at",
        ],
    )
    frame["period"] = frame["period"].map(ledger_month)
    frame["cooperative_id"] = frame["cooperative_id"].fillna("")
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True)
    return frame


def _finance_frame(lake_dir: Path, ledger: pd.DataFrame) -> pd.DataFrame:
    """Accepted finance rows of the submissions that count (latest per cooperative and month)."""

    live = ledger[(ledger["kind"] == contract.FINANCE) & ledger["status"].isin([store.ACCEPTED, store.PARTLY_ACCEPTED])]
    paths = [lake_dir / p for p in live["silver_path"].dropna()]
    columns = ["cooperative_id", "period", "revenue_idr", "operating_cost_idr", "loan_requested_idr"]
    return lake.read_parquet_files(paths, columns).to_pandas()


def summarise_period(settings: Settings, period: str, ledger: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every summary of one month, as frames in their published column order."""

    year = _read_volumes(settings.lake, [*previous_periods(period, WINDOW_MONTHS - 1), period])
    volumes = year[year["period"].isin([*previous_periods(period, TREND_MONTHS), period])]
    month = volumes[volumes["period"] == period]
    registry = _registry_frame(settings.db_url)

    balance = hub_balance(month) if len(month) else pd.DataFrame(columns=["level", "net_base"])
    transfers = transfer_plan(balance, transport_costs()) if len(month) else []
    balance = settle(balance, transfers)
    transfer_rows = pd.DataFrame(
        [
            {
                "period": t.period,
                "transfer_id": f"{t.period}:{t.commodity}:{t.from_village}:{t.to_village}",
                "hub_id": t.hub_id,
                "commodity": t.commodity,
                "from_village": t.from_village,
                "to_village": t.to_village,
                "quantity_base": t.quantity_base,
                "cost_per_unit_idr": t.cost_per_unit,
                "cost_idr": t.quantity_base * t.cost_per_unit,
            }
            for t in transfers
        ],
        columns=[
            "period",
            "transfer_id",
            "hub_id",
            "commodity",
            "from_village",
            "to_village",
            "quantity_base",
            "cost_per_unit_idr",
            "cost_idr",
        ],
    )
    units = dict(zip(month["commodity"], month["base_unit"], strict=False))
    transfer_rows["base_unit"] = transfer_rows["commodity"].map(units)

    window = [*previous_periods(period, FINANCE_MONTHS - 1), period]
    compliance_window = reporting_compliance(ledger, registry, window, closing.first_closes(settings.db_url))
    compliance = compliance_window[compliance_window["period"] == period].reset_index(drop=True)
    finance = _finance_frame(settings.lake, ledger)
    eligibility = []
    for coop in registry.to_dict("records"):
        mine = finance[(finance["cooperative_id"] == coop["cooperative_id"]) & finance["period"].isin(window)]
        theirs = compliance_window[compliance_window["cooperative_id"] == coop["cooperative_id"]]
        result = financing_eligibility(coop, mine, theirs)
        result.update(
            period=period,
            hub_id=coop["hub_id"],
            district_code=coop["district_code"],
            village_code=coop["village_code"],
            rules_json=json.dumps(result.pop("rules"), ensure_ascii=False),
        )
        eligibility.append(result)
    leading = leading_commodities(volumes, period)
    return {
        "hub_balance": balance,
        "hub_transfers": transfer_rows,
        "financing_eligibility": pd.DataFrame(eligibility),
        "leading_commodities": leading,
        "reporting_compliance": compliance,
        "processing_projection": processing_projection(year, leading, period, load_processing()),
    }


def publish_period(settings: Settings, period: str) -> dict[str, int | str]:
    """Write every summary of the month: Parquet partitions, the SQL tables in one transaction, then the hub report
    (``hub_report.render``), and only then record the publication."""
    if not is_period(period):
        raise ValueError(f"{period!r} is not a month (YYYY-MM): nothing to publish")
    month = closing.state(settings.db_url, period)
    if month.closed:  # never recomputed: a close whose freeze did not finish is finished, the held files listed
        if not closing.is_final(settings, period):
            closing.finalize(settings, period)
        hub_report.render(settings, period)  # the same figures; the report lists the files held for the month
        with store.get_engine(settings.db_url).begin() as conn:
            ledger_record(conn, HELD_PUBLICATION, period, _held_fingerprint(settings, period), 0, 0, "1.0")
        return {"closed": period, "version": month.version}
    # the inputs are read once, before the summaries: a rebuild of the month meanwhile must leave it stale
    volumes = ledger_fingerprints(settings.db_url, "commodity_volumes")
    ledger = _ledger_frame(settings.db_url)
    frames = summarise_period(settings, period, ledger)
    published_at = store.utcnow()
    tables = {}
    for dataset in schemas.SUMMARIES:
        frame = frames[dataset.name].assign(
            publication_version=month.publication_version, published_at=published_at, month_status=month.month_status
        )
        names = [c.name for c in dataset.columns]
        frame = frame.reindex(columns=names)
        tables[dataset.name] = pa.Table.from_pandas(frame, schema=dataset.schema, preserve_index=False)
        gold.write_partition(settings.lake, dataset, period, tables[dataset.name])
    with store.get_engine(settings.db_url).begin() as conn:
        for name, table in tables.items():
            gold.replace_sql_period(conn, store.SUMMARY_TABLES[name], period, table)
    counts = {name: table.num_rows for name, table in tables.items()}
    # The report and its index are part of the month: rendered before the publication is recorded, or a crash
    # between the two would leave the month "fresh" with its report missing or unlisted on every later run.
    report = hub_report.render(settings, period)
    record_publication(settings, period, ledger, sum(counts.values()), volumes)  # last: a crash before means a rebuild
    return {**counts, "report": report.relative_to(settings.lake).as_posix()}


SUMMARIES_PUBLICATION = "summaries"
HELD_PUBLICATION = "held_files"  # a closed month's report was rendered with these held files listed


def _held_fingerprint(settings: Settings, period: str) -> str:
    held = sorted(h["submission_id"] for h in closing.held_submissions(settings, period))
    return hashlib.sha256("\n".join(held).encode()).hexdigest()


def _inputs_fingerprint(ledger: pd.DataFrame, volume_prints: dict[str, str], period: str, version: int) -> str:
    """What a month's summaries depend on: the gold volumes of the month and the ones its trend looks back on,
    and every ledger decision up to the month, with when it landed (compliance, staleness and eligibility read
    those; a received time moves earlier when the same content turns up under an older name). A decision of no
    known month is in every month's print: publishing a month once too often is cheap, a stale month is not."""

    upto = ledger[ledger["period"].fillna("") <= period]
    state = [
        f"version={version}",
        *sorted(
            f"{r.submission_id}:{r.status}:{r.rows_quarantine}:{r.rows_warning}:{r.received_at}"
            for r in upto.itertuples(index=False)
        ),
    ]
    # the processing projection reads the year (the others at most the trend's months), and its paths' version
    window = [*previous_periods(period, max(TREND_MONTHS, WINDOW_MONTHS - 1)), period]
    parts = [*state, f"processing={load_processing().version}", *(f"{p}={volume_prints.get(p, '')}" for p in window)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def plan(settings: Settings, force: tuple[str, ...] = ()) -> list[str]:
    """Months whose summaries are stale: their inputs changed since they were last published (or forced). Only
    months: a period that is not one (an older run's ``unknown`` partition) is never planned."""
    volumes = {p: f for p, f in ledger_fingerprints(settings.db_url, "commodity_volumes").items() if is_period(p)}
    published = ledger_fingerprints(settings.db_url, SUMMARIES_PUBLICATION)
    ledger = _ledger_frame(settings.db_url)
    months = closing.states(settings.db_url)

    def version(p: str) -> int:
        return months.get(p, closing.MonthState(p)).publication_version

    closed = {p for p, m in months.items() if m.closed}
    stale = {p for p in volumes if published.get(p) != _inputs_fingerprint(ledger, volumes, p, version(p))}
    # a closed month is planned only to finish its freeze or to list newly held files in its report
    listed = ledger_fingerprints(settings.db_url, HELD_PUBLICATION)
    unfinished = {
        p
        for p in closed
        if p in volumes and (not closing.is_final(settings, p) or listed.get(p) != _held_fingerprint(settings, p))
    }
    return sorted(((stale | (set(force) & set(volumes))) - closed) | unfinished)


def record_publication(
    settings: Settings, period: str, ledger: pd.DataFrame, rows: int, volumes: dict[str, str] | None = None
) -> None:
    """Record the month published from ``ledger`` and the gold ``volumes`` fingerprints it was built from."""
    if volumes is None:
        volumes = ledger_fingerprints(settings.db_url, "commodity_volumes")
    fingerprint = _inputs_fingerprint(
        ledger, volumes, period, closing.state(settings.db_url, period).publication_version
    )
    with store.get_engine(settings.db_url).begin() as conn:
        ledger_record(conn, SUMMARIES_PUBLICATION, period, fingerprint, rows, 0, "1.0")
