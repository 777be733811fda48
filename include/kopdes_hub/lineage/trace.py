"""Which submissions, files and rows are behind a published row: "which files made July's rice deficit in Membalong".

Answered from the lake's lineage columns (every silver line keeps its ``submission_id`` and ``row_number``) and
the ledger (a submission's names, status and decision), so it needs no OpenLineage backend. What is behind a row
is what its figures are summed from:

- ``commodity_volumes``: the silver lines of its cooperative, commodity and flow in the month;
- ``hub_balance``: the month's supply and demand lines of its commodity in its village (a hub row: in the hub);
- ``hub_transfers``: the supply lines of the sending village and the demand lines of the receiving one;
- ``leading_commodities``: the district's supply lines of the commodity in the month and the months its trend
  compares with (its share and location quotient also read the rest of the hub's supply);
- ``processing_projection``: the district's (a hub row: the hub's) supply lines of the commodity in its 12 months;
- ``financing_eligibility``: the cooperative's finance rows in the financing window (its reporting rule reads
  ``reporting_compliance``, which can be traced the same way);
- ``reporting_compliance``: every submission of the cooperative and kind the ledger holds for the month.

Only submissions that count now are behind a row (superseded ones are not): a month reopened and republished
is traced as it stands.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select

from include.kopdes_hub import aggregate, contract
from include.kopdes_hub.config import Settings
from include.kopdes_hub.periods import is_period, ledger_month, previous_periods
from include.kopdes_hub.storage import gold, lake, schemas, store
from include.kopdes_hub.summaries.financing import FINANCE_MONTHS
from include.kopdes_hub.summaries.leading import TREND_MONTHS
from include.kopdes_hub.summaries.processing import WINDOW_MONTHS

LINE_COLUMNS = [
    "submission_id",
    "period",
    "hub_id",
    "district_code",
    "village_code",
    "cooperative_id",
    "flow",
    "commodity",
    "quantity_base",
    "base_unit",
    "row_number",
]
# How each published dataset's rows are shown: the columns that say which row it is, then its figures.
SHOWN = {
    "commodity_volumes": ("cooperative_id", "commodity", "flow", "quantity_base", "base_unit", "lines"),
    "hub_balance": ("level", "village_code", "commodity", "supply_base", "demand_base", "net_base", "base_unit"),
    "hub_transfers": ("commodity", "from_village", "to_village", "quantity_base", "base_unit"),
    "financing_eligibility": ("cooperative_id", "status", "failed_rules"),
    "leading_commodities": ("district_code", "commodity", "quantity_base", "base_unit", "leading"),
    "reporting_compliance": ("cooperative_id", "kind", "status", "submissions"),
    "processing_projection": ("level", "district_code", "commodity", "product", "input_base_12m", "input_unit"),
}


class TraceError(ValueError):
    """The question cannot be answered as asked (unknown dataset, month or place, or no published row matches)."""


@dataclass(frozen=True)
class Source:
    """One submission behind the rows: every name it landed under (earliest first) and its rows in the file."""

    submission_id: str
    kind: str | None
    status: str
    decision: str | None
    period: str | None
    received_at: str
    files: list[str]
    rows: list[int]


@dataclass
class Trace:
    dataset: str
    period: str
    filters: dict[str, str]
    published: list[dict[str, Any]]
    evidence: str  # silver_lines, silver_finance or the ledger
    sources: list[Source] = field(default_factory=list)
    totals: list[dict[str, Any]] = field(default_factory=list)  # traced quantity per flow, commodity and unit


@dataclass(frozen=True)
class Place:
    cooperative: str | None = None
    commodity: str | None = None
    village: str | None = None
    district: str | None = None


@dataclass(frozen=True)
class Resolved:
    filters: dict[str, str]  # column -> code, as asked
    village: str | None  # where the filters point, for datasets without a cooperative or village column
    district: str | None


def _resolve(settings: Settings, place: Place) -> Resolved:
    """The filters as codes: a village or district may be given by name; a cooperative brings its village, and a
    village its district."""
    with store.get_engine(settings.db_url).connect() as conn:
        villages = pd.read_sql(
            select(
                store.Village.village_code,
                store.Village.village_name,
                store.Village.district_code,
                store.Village.district_name,
            ),
            conn,
        )
        coops = pd.read_sql(select(store.Cooperative.cooperative_id, store.Cooperative.village_code), conn)
    found: dict[str, str] = {}
    village = None
    if place.cooperative:
        match = coops[coops["cooperative_id"].str.upper() == place.cooperative.strip().upper()]
        if match.empty:
            raise TraceError(f"no cooperative {place.cooperative!r} in the registry")
        found["cooperative_id"], village = match.iloc[0]["cooperative_id"], match.iloc[0]["village_code"]
    for key, given, code, name in (
        ("village_code", place.village, "village_code", "village_name"),
        ("district_code", place.district, "district_code", "district_name"),
    ):
        if given:
            wanted = given.strip().casefold()
            match = villages[(villages[code] == given.strip()) | (villages[name].str.casefold() == wanted)]
            codes = sorted(set(match[code]))
            if len(codes) != 1:
                raise TraceError(f"{given!r} names {'no' if not codes else 'more than one'} {key[:-5]}: {codes}")
            found[key] = codes[0]
    if place.commodity:
        found["commodity"] = place.commodity.strip()
    village = village or found.get("village_code")
    districts = villages.loc[villages["village_code"] == village, "district_code"]
    district = found.get("district_code") or (districts.iloc[0] if len(districts) else None)
    return Resolved(found, village, district)


def published_rows(settings: Settings, dataset: schemas.Dataset, period: str, place: Resolved) -> pd.DataFrame:
    frame = gold.read_partition(settings.lake, dataset, period).to_pandas()
    names = set(frame.columns)
    village, district = place.village, place.district
    for key, value in place.filters.items():
        if key in names:
            frame = frame[frame[key] == value]
        elif key in ("cooperative_id", "village_code") and {"from_village", "to_village"} <= names:
            frame = frame[(frame["from_village"] == village) | (frame["to_village"] == village)]
        elif key in ("cooperative_id", "village_code") and "village_code" in names:
            frame = frame[frame["village_code"] == village]
        elif key in ("cooperative_id", "village_code") and "district_code" in names:
            frame = frame[frame["district_code"] == district]
        elif key == "district_code" and {"from_village", "to_village"} <= names:
            inside = frame["from_village"].str.startswith(f"{value}.") | frame["to_village"].str.startswith(f"{value}.")
            frame = frame[inside]
    return frame.reset_index(drop=True)


def _months(dataset: str, period: str) -> list[str]:
    back = {"leading_commodities": TREND_MONTHS, "processing_projection": WINDOW_MONTHS - 1}.get(dataset, 0)
    return [*previous_periods(period, back), period] if back else [period]


def _live_lines(settings: Settings, months: list[str]) -> pd.DataFrame:
    inputs = aggregate.live_inputs(settings)
    paths = [settings.lake / p for m in months for _, p in inputs.get(m, [])]
    return lake.read_parquet_files(paths, LINE_COLUMNS).to_pandas()


def _row_mask(dataset: str, row: dict[str, Any], lines: pd.DataFrame) -> pd.Series:
    """The lines one published row is summed from (module docstring)."""
    same = lines["commodity"] == row["commodity"]
    if dataset == "commodity_volumes":
        return same & (lines["flow"] == row["flow"]) & (lines["cooperative_id"] == row["cooperative_id"])
    if dataset == "hub_balance":
        village = row.get("village_code")
        return same & ((lines["village_code"] == village) if isinstance(village, str) else True)
    if dataset == "hub_transfers":
        sent = (lines["flow"] == contract.SUPPLY) & (lines["village_code"] == row["from_village"])
        return same & (sent | ((lines["flow"] == contract.DEMAND) & (lines["village_code"] == row["to_village"])))
    district = row.get("district_code")
    here = (lines["district_code"] == district) if isinstance(district, str) else True
    return same & (lines["flow"] == contract.SUPPLY) & here & (lines["hub_id"] == row["hub_id"])


def _behind_lines(settings: Settings, dataset: str, period: str, rows: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    lines = _live_lines(settings, _months(dataset, period))
    if dataset == "processing_projection":  # a path's rows share their commodity's supply: trace each once
        rows = rows.drop_duplicates(["level", "hub_id", "district_code", "commodity"])
    mask = pd.Series(False, index=lines.index)
    for row in rows.to_dict("records"):
        mask |= _row_mask(dataset, row, lines)
    behind = lines[mask]
    totals = (
        behind.groupby(["flow", "commodity", "base_unit"], as_index=False)
        .agg(quantity_base=("quantity_base", "sum"), lines=("row_number", "size"))
        .to_dict("records")
    )
    return behind[["submission_id", "row_number"]], totals


def _behind_finance(settings: Settings, period: str, rows: pd.DataFrame) -> pd.DataFrame:
    window = [*previous_periods(period, FINANCE_MONTHS - 1), period]
    with store.get_engine(settings.db_url).connect() as conn:
        paths = (
            conn.execute(
                select(store.Submission.silver_path).where(
                    store.Submission.kind == contract.FINANCE,
                    store.Submission.status.in_(aggregate.LIVE),
                    store.Submission.cooperative_id.in_(rows["cooperative_id"].tolist()),
                )
            )
            .scalars()
            .all()
        )
    columns = ["submission_id", "cooperative_id", "period", "row_number"]
    finance = lake.read_parquet_files([settings.lake / p for p in paths if p], columns).to_pandas()
    if finance.empty:
        return pd.DataFrame(columns=["submission_id", "row_number"])
    wanted = finance["period"].isin(window) & finance["cooperative_id"].isin(rows["cooperative_id"])
    return finance[wanted][["submission_id", "row_number"]]


def _behind_ledger(settings: Settings, period: str, rows: pd.DataFrame) -> pd.DataFrame:
    """Every row of every submission the compliance rows count: its silver and its quarantine rows."""
    wanted = set(zip(rows["cooperative_id"], rows["kind"], strict=True))
    with store.get_engine(settings.db_url).connect() as conn:
        ledger = select(store.Submission.__table__)
        subs = conn.execute(ledger.where(store.Submission.cooperative_id.in_([c for c, _ in wanted]))).all()
    subs = [s for s in subs if (s.cooperative_id, s.kind) in wanted and ledger_month(s.period) == period]
    paths = [settings.lake / p for s in subs for p in (s.silver_path, s.quarantine_path) if p]
    found = lake.read_parquet_files(paths, ["submission_id", "row_number"]).to_pandas()
    empty = pd.DataFrame({"submission_id": [s.submission_id for s in subs], "row_number": pd.NA})
    return pd.concat([found, empty], ignore_index=True)  # a submission with no rows in the lake still counts


def _sources(settings: Settings, behind: pd.DataFrame) -> list[Source]:
    ids = sorted(set(behind["submission_id"]))
    with store.get_engine(settings.db_url).connect() as conn:
        subs = conn.execute(select(store.Submission.__table__).where(store.Submission.submission_id.in_(ids))).all()
        names = conn.execute(
            select(store.SubmissionFile.sha256, store.SubmissionFile.path)
            .where(store.SubmissionFile.sha256.in_([s.sha256 for s in subs]))
            .order_by(store.SubmissionFile.first_seen_at, store.SubmissionFile.path)
        ).all()
    files: dict[str, list[str]] = {}
    for sha, path in names:
        files.setdefault(sha, []).append(path)
    rows = behind.dropna().groupby("submission_id")["row_number"].agg(lambda r: sorted(int(n) for n in set(r)))
    return [
        Source(
            submission_id=s.submission_id,
            kind=s.kind,
            status=s.status,
            decision=s.decision,
            period=s.period,
            received_at=s.received_at.isoformat(timespec="seconds"),
            files=files.get(s.sha256, [s.file_name]),
            rows=rows.get(s.submission_id, []),
        )
        for s in sorted(subs, key=lambda s: (s.received_at, s.submission_id))
    ]


def trace(settings: Settings, dataset_name: str, period: str, place: Place = Place()) -> Trace:
    """The published rows of ``dataset_name`` in ``period`` that ``place`` selects, and what is behind them."""
    dataset = schemas.DATASETS.get(dataset_name)
    if dataset is None:
        raise TraceError(f"no published dataset {dataset_name!r}; one of {', '.join(schemas.DATASETS)}")
    if not is_period(period):
        raise TraceError(f"{period!r} is not a month (YYYY-MM)")
    if not gold.partition_path(settings.lake, dataset, period).exists():
        raise TraceError(f"{dataset_name} has no published partition for {period}")
    resolved = _resolve(settings, place)
    filters = resolved.filters
    rows = published_rows(settings, dataset, period, resolved)
    if rows.empty:
        given = ", ".join(f"{k}={v}" for k, v in filters.items()) or "no filter"
        raise TraceError(f"no published row of {dataset_name} {period} matches {given}")
    shown = [c for c in SHOWN[dataset_name] if c in rows.columns]
    result = Trace(dataset_name, period, filters, _records(rows[shown]), "silver_lines")
    if dataset_name == "financing_eligibility":
        result.evidence, behind = "silver_finance", _behind_finance(settings, period, rows)
    elif dataset_name == "reporting_compliance":
        result.evidence, behind = "ledger", _behind_ledger(settings, period, rows)
    else:
        behind, result.totals = _behind_lines(settings, dataset_name, period, rows)
    result.sources = _sources(settings, behind) if len(behind) else []
    return result


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: numpy scalars and NaN become Python values and None."""
    return [
        {k: (None if pd.isna(v) else v.item() if hasattr(v, "item") else v) for k, v in r.items()}
        for r in frame.astype(object).to_dict("records")
    ]


def _ranges(rows: list[int]) -> str:
    """[2, 3, 4, 7] -> "2-4, 7": a file's rows as a clerk finds them in a spreadsheet."""
    spans: list[list[int]] = []
    for n in rows:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"{a}-{b}" if b > a else f"{a}" for a, b in spans)


def _value(value: Any) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else "-" if value is None else str(value)


def as_json(result: Trace) -> dict[str, Any]:
    return asdict(result)


def format_trace(result: Trace, limit: int = 20) -> str:
    """The terminal answer: the rows asked about, then each submission with its files and rows."""
    given = ", ".join(f"{k}={v}" for k, v in result.filters.items()) or "every row"
    n = len(result.published)
    lines = [f"{result.dataset} {result.period} ({given}): {n} published row{'s' * (n != 1)}"]
    lines += ["  " + "  ".join(f"{k}={_value(v)}" for k, v in row.items()) for row in result.published[:limit]]
    if n > limit:
        lines.append(f"  ... and {n - limit} more (--json lists them all)")
    if not result.sources:
        lines.append(f"behind them: no {result.evidence} rows (nothing that counts was received)")
        return "\n".join(lines)
    rows = sum(len(s.rows) for s in result.sources)
    lines.append(f"behind them: {rows:,} {result.evidence} row(s) of {len(result.sources)} submission(s)")
    for s in result.sources:
        lines.append(
            f"  {s.submission_id}  {s.kind or '-'}  {s.period or '-'}  {s.status}"
            f"{f' ({s.decision})' if s.decision not in (None, s.status) else ''}  received {s.received_at}"
        )
        lines.append(f"    file{'s' * (len(s.files) > 1)}: {', '.join(s.files)}")
        lines.append(f"    rows: {_ranges(s.rows) or '-'}  ({len(s.rows):,})")
    for t in result.totals:
        lines.append(
            f"traced {t['flow']} {t['commodity']}: {_value(t['quantity_base'])} {t['base_unit']}"
            f" in {t['lines']:,} line(s)"
        )
    return "\n".join(lines)
