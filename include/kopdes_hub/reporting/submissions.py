"""The submissions view (Berkas Masuk) for hub managers and engineers: per month and cooperative, every file the
hub received under every name it landed under, when (WIB), what became of it and why, its row counts, links to the
clerk's feedback and the engineer's GX page, and who has not reported.

"Who has not reported" is ``summaries.compliance.reporting_compliance`` over the ledger, the one definition the
published ``gold/reporting_compliance`` partition, the hub report and the terminal summary are built from; the page
says when the published month differs (a file landed after it was published, or the month was closed). The page
links each submission's feedback and GX pages by its id (``reporting.submission_pages`` serves them). Plain Python;
the plugin only wires the routes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select

from include.kopdes_hub import closing, contract
from include.kopdes_hub.closing import MonthState
from include.kopdes_hub.config import Settings
from include.kopdes_hub.periods import LOCAL_TZ, due_date, is_period, ledger_month
from include.kopdes_hub.reporting import id_format
from include.kopdes_hub.reporting.feedback import DECISION_ID, KIND_ID
from include.kopdes_hub.reporting.hub_report import COMPLIANCE_ID, report_path
from include.kopdes_hub.storage import gold, schemas, store
from include.kopdes_hub.storage.lake import COOPERATIVE_ID_PATTERN, UNKNOWN
from include.kopdes_hub.summaries.compliance import counts_by_kind, reporting_compliance

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATUS_ID = {
    store.RECEIVED: "terdaftar, belum dibaca",
    store.BRONZE: "menunggu validasi",
    store.UNREADABLE: "tidak terbaca",
    store.ACCEPTED: "diterima",
    store.PARTLY_ACCEPTED: "diterima sebagian",
    store.REJECTED: "ditolak",
    store.SUPERSEDED: "digantikan",
}
# the pages of a submission the view serves, by the name in its URL: (ledger column, suffix, media type)


@dataclass(frozen=True)
class Filters:
    """What the view shows: a month (``YYYY-MM``, or ``unknown`` for files of no readable month), a cooperative,
    a kind, a ledger status. None shows all; with no month the page lists the months."""

    period: str | None = None
    cooperative_id: str | None = None
    kind: str | None = None
    status: str | None = None

    @classmethod
    def parse(cls, params: Mapping[str, str | None]) -> Filters:
        """The filters from query parameters (others are ignored); ValueError, in both languages, for a value that
        is not one: an empty value is no filter."""
        values = {k: (v or "").strip() or None for k, v in params.items()}
        period, coop = values.get("period"), values.get("cooperative_id")
        kind, status = values.get("kind"), values.get("status")
        if period is not None and period != UNKNOWN and not is_period(period):
            raise ValueError(f"periode harus YYYY-MM / period must be YYYY-MM or {UNKNOWN}: {period!r}")
        if coop is not None:
            coop = coop.upper()
            if not re.fullmatch(COOPERATIVE_ID_PATTERN, coop):
                raise ValueError(f"kode koperasi seperti KDMP-1902042008 / not a cooperative id: {coop!r}")
        if kind is not None and kind not in contract.KINDS:
            raise ValueError(f"jenis laporan / kind must be one of {', '.join(contract.KINDS)}: {kind!r}")
        if status is not None and status not in store.STATUSES:
            raise ValueError(f"status tidak dikenal / status must be one of {', '.join(store.STATUSES)}: {status!r}")
        return cls(period, coop, kind, status)

    def query(self, **changes: str | None) -> str:
        """The query string of these filters with ``changes`` applied (a link to another month keeps the rest)."""
        chosen = replace(self, **changes)
        pairs = [(k, v) for k, v in vars(chosen).items() if v]
        return "?" + urlencode(pairs) if pairs else "./"


@dataclass(frozen=True)
class LandedName:
    path: str  # landing-relative, as the ledger keeps it
    landed_at: datetime  # WIB: the file's mtime, capped at when the hub registered it (as the ledger's received_at)


@dataclass
class SubmissionRow:
    """One ledger submission as the view shows it."""

    submission_id: str
    names: list[LandedName]  # every name the content landed under, earliest first
    received_at: datetime  # UTC, the ledger's
    cooperative_id: str  # as the ledger's compliance reads it: stripped, upper case ("" when none)
    cooperative_name: str | None  # None: not registered with the hub
    period: str  # YYYY-MM, or ``unknown`` when the file names no month
    period_received: str | None  # as the file wrote it
    kind: str | None
    status: str
    decision: str | None
    decision_reason: str | None
    reason_code: str | None
    reason: str | None
    rows_bronze: int | None
    rows_silver: int | None
    rows_quarantine: int | None
    rows_warning: int | None
    superseded_by: str | None
    has_feedback: bool
    has_gx: bool

    @property
    def received_wib(self) -> datetime:
        return self.received_at.astimezone(LOCAL_TZ)

    @property
    def on_time(self) -> bool | None:
        """Landed by the month's deadline (WIB), as compliance judges a month's first file; None without a month."""
        return self.received_wib.date() <= due_date(self.period) if is_period(self.period) else None


@dataclass
class Month:
    period: str
    submissions: int
    statuses: dict[str, int]
    published: dict[str, dict[str, int]] | None = None  # per kind, cooperatives on time / late / missing
    report: bool = False  # the month's hub report exists
    close: MonthState | None = None  # the monthly close: draft or final version n, approved by whom and when


def _wib(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(LOCAL_TZ)


def _cooperative(value: object) -> str:
    return value.strip().upper() if isinstance(value, str) else ""  # as reporting_compliance matches ids


def registry(db_url: str) -> pd.DataFrame:
    """The registered cooperatives with their village and district names."""
    c, v = store.Cooperative, store.Village
    query = select(
        c.cooperative_id, c.cooperative_name, c.hub_id, c.district_code, c.village_code, v.village_name, v.district_name
    ).outerjoin(v, v.village_code == c.village_code)
    with store.get_engine(db_url).connect() as conn:
        rows = conn.execute(query.order_by(c.cooperative_id)).mappings().all()
    return pd.DataFrame(rows, columns=list(query.selected_columns.keys()))


def load_ledger(db_url: str, names: Mapping[str, str]) -> list[SubmissionRow]:
    """Every ledger submission with every name it landed under; ``names`` maps registered ids to their names."""
    s, f = store.Submission, store.SubmissionFile
    with store.get_engine(db_url).connect() as conn:
        subs = conn.execute(select(s)).mappings().all()
        files = conn.execute(select(f.sha256, f.path, f.mtime_ns, f.first_seen_at)).all()
    landed: dict[str, list[LandedName]] = {}
    for sha, path, mtime_ns, first_seen in files:
        seen = _wib(first_seen)
        at = min(datetime.fromtimestamp(mtime_ns / 1e9, tz=LOCAL_TZ), seen)
        landed.setdefault(sha, []).append(LandedName(path, at))
    rows = []
    for sub in subs:
        coop = _cooperative(sub["cooperative_id"])
        rows.append(
            SubmissionRow(
                submission_id=sub["submission_id"],
                names=sorted(landed.get(sub["sha256"], []), key=lambda n: (n.landed_at, n.path)),
                received_at=sub["received_at"],
                cooperative_id=coop,
                cooperative_name=names.get(coop),
                period=ledger_month(sub["period"]) or UNKNOWN,
                period_received=sub["period"],
                kind=sub["kind"],
                status=sub["status"],
                decision=sub["decision"],
                decision_reason=sub["decision_reason"],
                reason_code=sub["reason_code"],
                reason=sub["reason"],
                rows_bronze=sub["rows_bronze"],
                rows_silver=sub["rows_silver"],
                rows_quarantine=sub["rows_quarantine"],
                rows_warning=sub["rows_warning"],
                superseded_by=sub["superseded_by"],
                has_feedback=bool(sub["feedback_path"]),
                has_gx=bool(sub["gx_result_path"]),
            )
        )
    return rows


def choose(rows: list[SubmissionRow], filters: Filters) -> list[SubmissionRow]:
    """The rows the filters keep: newest month first, then by cooperative, kind and landing time."""
    kept = [
        r
        for r in rows
        if (filters.period is None or r.period == filters.period)
        and (filters.cooperative_id is None or r.cooperative_id == filters.cooperative_id)
        and (filters.kind is None or r.kind == filters.kind)
        and (filters.status is None or r.status == filters.status)
    ]
    kept.sort(key=lambda r: (r.cooperative_id, r.kind or "", r.received_at, r.submission_id))
    kept.sort(key=lambda r: (r.period != UNKNOWN, r.period), reverse=True)
    return kept


def compliance(rows: list[SubmissionRow], coops: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """``reporting_compliance`` over the ledger, given what publish gives it: every submission with a decision."""
    decided = [r for r in rows if r.decision is not None]
    ledger = pd.DataFrame(
        {
            "cooperative_id": [r.cooperative_id for r in decided],
            "kind": [r.kind for r in decided],
            "period": [None if r.period == UNKNOWN else r.period for r in decided],
            "received_at": pd.to_datetime([r.received_at for r in decided], utc=True),
            "decision": [r.decision for r in decided],
            "rows_bronze": pd.array([r.rows_bronze for r in decided], dtype="Int64"),
            "rows_quarantine": pd.array([r.rows_quarantine for r in decided], dtype="Int64"),
            "rows_warning": pd.array([r.rows_warning for r in decided], dtype="Int64"),
        }
    )
    return reporting_compliance(ledger, coops, periods) if periods and len(coops) else pd.DataFrame()


def published_compliance(lake: Path, period: str) -> list[dict[str, Any]] | None:
    """The published month's (cooperative, kind, status) rows, or None when the month is not published."""
    if not is_period(period) or not gold.partition_path(lake, schemas.REPORTING_COMPLIANCE, period).exists():
        return None
    table = gold.read_partition(lake, schemas.REPORTING_COMPLIANCE, period)
    return table.select(["cooperative_id", "kind", "status"]).to_pylist()


def counts(compliance: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per kind, the cooperatives in each state, by the one definition the hub report and the summary use."""
    return counts_by_kind(pd.DataFrame(compliance, columns=["kind", "status"]))


def months(rows: list[SubmissionRow], lake: Path, closes: Mapping[str, MonthState]) -> list[Month]:
    """The months of the ledger (newest first, files of no month last): files by status, compliance as the month
    was published (what the hub report and the summary say), and its close (``closing.states``)."""
    periods = sorted({r.period for r in rows} - {UNKNOWN}, reverse=True)
    if any(r.period == UNKNOWN for r in rows):
        periods.append(UNKNOWN)
    out = []
    for period in periods:
        mine = [r for r in rows if r.period == period]
        published = published_compliance(lake, period)
        out.append(
            Month(
                period=period,
                submissions=len(mine),
                statuses=dict(Counter(r.status for r in mine)),
                published=None if published is None else counts(published),
                report=is_period(period) and report_path(lake, period).is_file(),
                close=closes.get(period, MonthState(period)) if is_period(period) else None,
            )
        )
    return out


def missing(state: pd.DataFrame, coops: pd.DataFrame, filters: Filters) -> list[dict[str, Any]]:
    """The registered cooperatives with a kind missing for the month (the filters' cooperative and kind), one
    entry per cooperative naming the kinds."""
    if not len(state):
        return []
    gone = state[state["status"] == "missing"]
    if filters.cooperative_id:
        gone = gone[gone["cooperative_id"] == filters.cooperative_id]
    if filters.kind:
        gone = gone[gone["kind"] == filters.kind]
    places = coops.set_index("cooperative_id")
    out = []
    for coop, theirs in gone.groupby("cooperative_id", sort=True):
        place = places.loc[coop]
        since = dict(zip(theirs["kind"], theirs["months_since_last_accepted"], strict=True))
        out.append(
            {
                "cooperative_id": coop,
                "cooperative_name": place["cooperative_name"],
                "village_name": place["village_name"],
                "district_name": place["district_name"],
                # (kind, months since its last accepted file, None when never)
                "kinds": [(k, None if pd.isna(since[k]) else int(since[k])) for k in contract.KINDS if k in since],
            }
        )
    return out


@cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters["thousands"] = id_format.count
    env.filters["wib"] = lambda t: t.strftime("%Y-%m-%d %H:%M WIB")
    env.filters["close_id"] = close_id
    return env


def close_id(month: MonthState) -> str:
    """A month's close as the hub staff read it: FINAL with who approved it and when, or DRAF of the next version."""
    if month.closed and month.closed_at is not None:
        return f"FINAL v{month.version} (disetujui {month.closed_by}, {_wib(month.closed_at):%Y-%m-%d %H:%M} WIB)"
    return f"DRAF v{month.publication_version}"


def render_page(settings: Settings, filters: Filters) -> str:
    """The view as one self-contained HTML page (no script, no external resource)."""
    coops = registry(settings.db_url)
    rows = load_ledger(settings.db_url, dict(zip(coops["cooperative_id"], coops["cooperative_name"], strict=True)))
    index = months(rows, settings.lake, closing.states(settings.db_url))
    listed = filters.period is not None or any((filters.cooperative_id, filters.kind, filters.status))
    month = next((m for m in index if m.period == filters.period), None)
    live: dict[str, dict[str, int]] = {}
    gone: list[dict[str, Any]] = []
    behind: set[tuple[str, str]] = set()  # (cooperative, kind) whose state differs from the published month
    if filters.period and is_period(filters.period):
        if month is None:  # a month no file names yet: every registered cooperative is missing
            report = report_path(settings.lake, filters.period).is_file()
            month = Month(filters.period, 0, {}, report=report, close=closing.state(settings.db_url, filters.period))
        scope = coops if filters.cooperative_id is None else coops[coops["cooperative_id"] == filters.cooperative_id]
        state = compliance(rows, scope, [filters.period])
        states = state.to_dict("records")
        live = counts(states)
        gone = missing(state, coops, filters)
        published = published_compliance(settings.lake, filters.period)
        if published is not None:  # what differs from the published month, in the page's scope
            ours = set(scope["cooperative_id"])
            now = {(r["cooperative_id"], r["kind"], r["status"]) for r in states}
            then = {(r["cooperative_id"], r["kind"], r["status"]) for r in published if r["cooperative_id"] in ours}
            behind = {(coop, kind) for coop, kind, _ in now ^ then}
    return (
        _env()
        .get_template("submissions.html.j2")
        .render(
            f=filters,
            index=index,
            month=month,
            live=live,
            rows=choose(rows, filters) if listed else [],
            listed=listed,
            missing=gone,
            behind=behind,
            cooperatives=coops.to_dict("records"),
            kinds=contract.KINDS,
            statuses=store.STATUSES,
            status_id=STATUS_ID,
            decision_id=DECISION_ID,
            kind_id=KIND_ID,
            compliance_id=COMPLIANCE_ID,
            unknown=UNKNOWN,
        )
    )
