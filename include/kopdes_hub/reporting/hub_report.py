"""The monthly hub report (Bahasa Indonesia): charts and tables from the published summaries of one month.

Self-contained on purpose: charts are matplotlib SVG inlined in the page (``charts``) and there is no script or web
font, so it opens offline on a hub's poor connection and every number on it comes from a gold row or the ledger.
Every number is written the Indonesian way (``id_format``); the month's figures are counted with the same
definitions as the terminal summary (``compliance.counts_by_kind``, ``financing.totals``); every [Sn] tag on the
page is explained at its end from ``sources.yaml``, a copy inside the package of the domain brief's sources.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from include.kopdes_hub import closing, contract
from include.kopdes_hub.config import Settings
from include.kopdes_hub.periods import is_period, ledger_month, previous_periods
from include.kopdes_hub.reporting import charts, id_format
from include.kopdes_hub.reporting.feedback import KIND_ID
from include.kopdes_hub.storage import gold, lake, schemas, store
from include.kopdes_hub.summaries import compliance as compliance_summary
from include.kopdes_hub.summaries import financing
from include.kopdes_hub.summaries.leading import MATERIAL_SHARE_OF_DISTRICT, TREND_MONTHS

STATUS_ID = {
    financing.ELIGIBLE: "LAYAK",
    financing.CONDITIONAL: "BERSYARAT",
    financing.NOT_ELIGIBLE: "BELUM LAYAK",
    financing.NOT_APPLIED: "BELUM MENGAJUKAN",
}
COMPLIANCE_ID = charts.COMPLIANCE_ID
SOURCES_FILE = Path(__file__).resolve().parent / "sources.yaml"
TAG = re.compile(r"\[([SP]\d+)\]")  # the brief's sources [Sn] and processing facts [Pn]


def report_path(lake_dir: Path, period: str) -> Path:
    if not is_period(period):
        raise ValueError(f"{period!r} is not a month (YYYY-MM): no hub report is named by it")
    return lake_dir / "reports" / f"laporan_hub_{period}.html"


def submissions_link(period: str) -> str:
    """The month's submissions view of the Airflow UI plugin (``/kopdes/submissions/?period=``), relative to the
    report's own address there (``/kopdes/reports/``), so it holds under any base URL."""
    return f"../submissions/?period={period}"


@cache
def sources() -> dict[str, dict[str, str]]:
    """The [Sn] sources the report can cite: tag -> cite, about."""
    import yaml

    return {str(tag): dict(entry) for tag, entry in yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8")).items()}


def tags_in(text: str) -> list[str]:
    """The [Sn] and [Pn] tags in a text, in source order (S3 before S15, the S tags before the P tags)."""
    return sorted(set(TAG.findall(text)), key=lambda tag: (tag[0] != "S", int(tag[1:])))


def _read(settings: Settings, dataset: schemas.Dataset, period: str) -> pd.DataFrame:
    return gold.read_partition(settings.lake, dataset, period).to_pandas()


def _publication(compliance: pd.DataFrame) -> dict[str, Any]:
    """Which publication of the month the page shows: its version, draft/final and when it was published, which
    is when this page was generated (publish and the month's close render it right after writing the rows). The
    publication's own time, not the clock's, so rendering the same publication again gives the same bytes."""
    if not len(compliance):
        return {"published_at": None, "version": None, "month_status": None}
    row = compliance.iloc[0]
    published = row["published_at"]
    return {
        "published_at": None if pd.isna(published) else pd.Timestamp(published).to_pydatetime(),
        "version": None if pd.isna(row["publication_version"]) else int(row["publication_version"]),
        "month_status": row["month_status"],
    }


def data_as_of(ledger: pd.DataFrame, period: str, published_at: datetime | None) -> datetime | None:
    """The latest landing the month's figures rest on: of the accepted (or partly accepted) submissions that count,
    not superseded, of the month and the ``TREND_MONTHS`` before it (the trend and the financing window read those),
    the last ``received_at`` up to the publication. ``ledger``: kind, period, status, received_at."""
    window = {*previous_periods(period, TREND_MONTHS), period}
    counted = ledger[
        ledger["period"].map(ledger_month).isin(window)
        & ledger["status"].isin([store.ACCEPTED, store.PARTLY_ACCEPTED])
        & ledger["kind"].isin(contract.KINDS)
    ]
    received = pd.to_datetime(counted["received_at"], utc=True)
    if published_at is not None:
        received = received[received <= pd.Timestamp(published_at)]
    return None if received.empty else received.max().to_pydatetime()


def _ledger(settings: Settings) -> pd.DataFrame:
    from sqlalchemy import select

    s = store.Submission
    with store.get_engine(settings.db_url).connect() as conn:
        rows = conn.execute(select(s.kind, s.period, s.status, s.received_at)).all()
    return pd.DataFrame(rows, columns=["kind", "period", "status", "received_at"])


def _warnings(compliance: pd.DataFrame, coops: dict[str, str]) -> list[dict[str, Any]]:
    """The month's cooperatives with rows accepted with a warning, most first."""
    if not len(compliance):
        return []
    warned = compliance[compliance["rows_warning"].fillna(0) > 0]
    warned = warned.assign(
        name=warned["cooperative_id"].map(coops),
        rows_accepted=warned["rows_bronze"] - warned["rows_quarantine"],
    )
    return warned.sort_values(["rows_warning", "cooperative_id"], ascending=[False, True]).to_dict("records")


def _compliance_by_district(compliance: pd.DataFrame, districts: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Per kind, cooperatives per district (by name) and state, for the chart."""
    out = {}
    for kind in contract.KINDS:
        table = (
            compliance[compliance["kind"] == kind]
            .pivot_table(index="district_code", columns="status", values="cooperative_id", aggfunc="count")
            .reindex(columns=list(compliance_summary.COMPLIANCE_STATES))
            .fillna(0)
            .astype(int)
        )
        out[kind] = table.rename(index=lambda d: districts.get(d, d))
    return out


def _eligibility(eligibility: pd.DataFrame, coops: dict[str, str]) -> pd.DataFrame:
    """The financing rows as the report lists them: applicants by status then largest estimate, then the rest."""
    eligibility = eligibility.assign(
        name=eligibility["cooperative_id"].map(coops),
        status_id=eligibility["status"].map(STATUS_ID),
        reasons=eligibility["rules_json"].map(
            lambda text: [f"{r['rule_id']}: {r['reason']}" for r in json.loads(text) if not r["passed"]]
        ),
    )
    order = {status: i for i, status in enumerate(STATUS_ID)}
    return eligibility.sort_values(
        ["status", "max_loan_idr", "cooperative_id"],
        key=lambda c: c.map(order) if c.name == "status" else -c if c.name == "max_loan_idr" else c,
    )


def _rules() -> list[dict[str, str]]:
    """Each financing rule with what it asks and its source tags (``asumsi`` where the table says ASSUMPTION)."""
    out = []
    for rule in financing.RULES:
        cited = "".join(f"[{tag}]" for tag in tags_in(rule.source))
        assumed = "asumsi" if "ASSUMPTION" in rule.source else ""
        out.append({"rule_id": rule.rule_id, "title": rule.title, "source": "; ".join(filter(None, (cited, assumed)))})
    return out


def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"), autoescape=select_autoescape(["j2"])
    )
    env.filters.update(
        rp=id_format.rupiah,
        rp_short=id_format.rupiah_short,
        num=lambda v: id_format.number(v, 1),
        ratio=id_format.ratio,
        pct=id_format.percent,
        count=id_format.count,
        wib=id_format.wib,
        missing_id=missing_id,
        span=span,
    )
    return env


SPAN_FORMATS = {
    "num": lambda v: id_format.number(v, 1),
    "percent": lambda v: id_format.percent(v, 1),
    "rp": id_format.rupiah_short,
}


def span(low: Any, high: Any, kind: str = "num") -> str:
    """A low-high range, ``-`` when neither end is known."""
    if pd.isna(low) and pd.isna(high):
        return "-"
    fmt = SPAN_FORMATS[kind]
    return f"{fmt(low)} \u2013 {fmt(high)}"


# what a processing path may lack (summaries.processing: "field: why; ..."), as the hub staff read it
MISSING_ID = {
    "yield": "rendemen",
    "price_idr": "harga produk",
    "capacity": "kapasitas unit",
    "input_value_idr": "nilai bahan",
}


def missing_id(missing: str | None) -> str:
    """``yield: not found [P3]; price_idr: ...`` -> ``rendemen, harga produk`` (the reasons stay in gold)."""
    if not missing or not isinstance(missing, str):
        return ""
    fields = [part.split(":", 1)[0].strip() for part in missing.split(";")]
    return ", ".join(MISSING_ID[f] for f in fields if f in MISSING_ID)


def render(settings: Settings, period: str) -> Path:
    """Write the month's report next to the lake (``reports/laporan_hub_<period>.html``) and refresh the index."""
    from sqlalchemy import select

    from include.kopdes_hub.reference import load_catalogue

    with store.get_engine(settings.db_url).connect() as conn:
        villages = {r.village_code: r for r in conn.execute(select(store.Village)).all()}
        coops = {r.cooperative_id: r.cooperative_name for r in conn.execute(select(store.Cooperative)).all()}
    village_names = {code: v.village_name for code, v in villages.items()}
    districts = {v.district_code: v.district_name for v in villages.values()}
    names = {code: c.name for code, c in load_catalogue().commodities.items()}

    balance = _read(settings, schemas.HUB_BALANCE, period)
    transfers = _read(settings, schemas.HUB_TRANSFERS, period)
    eligibility = _eligibility(_read(settings, schemas.FINANCING_ELIGIBILITY, period), coops)
    leading = _read(settings, schemas.LEADING_COMMODITIES, period)
    compliance = _read(settings, schemas.REPORTING_COMPLIANCE, period)
    processing = _read(settings, schemas.PROCESSING_PROJECTION, period)
    hub_processing = processing[processing["level"] == "hub"] if len(processing) else processing
    projected = hub_processing[hub_processing["output_low"].notna()] if len(hub_processing) else hub_processing
    hub_rows = balance[balance["level"] == "hub"]
    publication = _publication(compliance)

    charts_svg = {
        "balance": charts.balance_chart(hub_rows, names) if len(hub_rows) else "",
        "leading": charts.leading_chart(leading, districts, names) if len(leading) else "",
        "processing": charts.processing_chart(projected, names) if len(projected) else "",
        "compliance": charts.compliance_chart(_compliance_by_district(compliance, districts))
        if len(compliance)
        else "",
    }
    missing = compliance_summary.missing_by_kind(compliance)
    month = closing.state(settings.db_url, period)
    context = {
        "period": period,
        "month": month,
        "held": sorted(closing.held_submissions(settings, period), key=lambda h: (h["received_at"], h["file_name"])),
        "charts": charts_svg,
        "publication": publication,
        "data_as_of": data_as_of(_ledger(settings), period, publication["published_at"]),
        "submissions_link": submissions_link(period),
        "hub_rows": hub_rows.sort_values("commodity").to_dict("records"),
        "transfers": transfers.to_dict("records"),
        "applicants": eligibility[eligibility["status"].isin(financing.VERDICTS)].to_dict("records"),
        "not_applied": eligibility[eligibility["status"] == financing.NOT_APPLIED].to_dict("records"),
        "financing": financing.totals(eligibility),
        "rules": _rules(),
        "leading": leading[leading["leading"]].to_dict("records"),
        "material_share": MATERIAL_SHARE_OF_DISTRICT,
        "compliance_counts": compliance_summary.counts_by_kind(compliance),
        "missing": {kind: [(c, coops.get(c, c)) for c in ids] for kind, ids in missing.items()},
        "warnings": _warnings(compliance, coops),
        "processing": hub_processing.to_dict("records"),
        "kind_title": charts.KIND_TITLE,
        "kind_id": KIND_ID,
        "villages": village_names,
        "districts": districts,
        "names": names,
        "compliance_id": COMPLIANCE_ID,
        "status_id": STATUS_ID,
    }
    env = _environment()
    template = env.get_template("hub_report.html.j2")
    # The sources list names exactly the tags the page shows: render, read the tags off the page, render with them.
    # A tag missing from sources.yaml (a test prevents it) is listed as such rather than failing the publication.
    cited = tags_in(template.render(**context, sources=[]))
    unlisted = {"cite": "-", "about": f"belum ada di {SOURCES_FILE.name}"}
    html = template.render(**context, sources=[(tag, sources().get(tag, unlisted)) for tag in cited])
    target = lake.write_text_atomic(html, report_path(settings.lake, period))
    stems = (p.stem.removeprefix("laporan_hub_") for p in target.parent.glob("laporan_hub_*.html"))
    periods = sorted(p for p in stems if is_period(p))
    index = env.get_template("report_index.html.j2").render(periods=periods)
    lake.write_text_atomic(index, target.parent / "index.html")
    return target
