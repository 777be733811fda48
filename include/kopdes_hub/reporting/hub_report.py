"""The monthly hub report (Bahasa Indonesia): charts and tables from the published summaries of one month.

Self-contained on purpose: charts are matplotlib SVG inlined in the page and there is no script or web font, so
it opens offline on a hub's poor connection and every number on it comes from a gold row.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd

from include.kopdes_hub.config import Settings
from include.kopdes_hub.periods import is_period
from include.kopdes_hub.reporting.feedback import KIND_ID
from include.kopdes_hub.storage import gold, lake, schemas, store

STATUS_ID = {
    "ELIGIBLE": "LAYAK",
    "CONDITIONAL": "BERSYARAT",
    "NOT_ELIGIBLE": "BELUM LAYAK",
    "NOT_APPLIED": "BELUM MENGAJUKAN",
}
COMPLIANCE_ID = {"on_time": "tepat waktu", "late": "terlambat", "missing": "tidak lapor"}


def report_path(lake_dir: Path, period: str) -> Path:
    if not is_period(period):
        raise ValueError(f"{period!r} is not a month (YYYY-MM): no hub report is named by it")
    return lake_dir / "reports" / f"laporan_hub_{period}.html"


def _read(settings: Settings, dataset: schemas.Dataset, period: str) -> pd.DataFrame:
    return gold.read_partition(settings.lake, dataset, period).to_pandas()


def _svg(figure: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "kopdes", "font.size": 9, "svg.fonttype": "none"})
    return plt


def balance_chart(hub_rows: pd.DataFrame, names: dict[str, str]) -> str:
    plt = _plt()
    rows = hub_rows.sort_values("commodity")
    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(rows), 2) + 1))
    y = range(len(rows))
    ax.barh([i + 0.2 for i in y], rows["supply_base"], height=0.4, label="pasokan", color="#2e7d32")
    ax.barh([i - 0.2 for i in y], rows["demand_base"], height=0.4, label="kebutuhan", color="#c62828")
    ax.set_yticks(
        list(y), [f"{names.get(c, c)} ({u})" for c, u in zip(rows["commodity"], rows["base_unit"], strict=True)]
    )
    ax.set_xscale("symlog")
    ax.set_xlabel("jumlah (satuan dasar, skala log)")
    ax.set_title("Neraca hub: pasokan dan kebutuhan per komoditas")
    ax.legend(loc="lower right")
    return _svg(fig)


def leading_chart(leading: pd.DataFrame, districts: dict[str, str], names: dict[str, str]) -> str:
    plt = _plt()
    table = leading.pivot_table(index="district_code", columns="commodity", values="location_quotient")
    fig, ax = plt.subplots(figsize=(8, 0.5 * max(len(table), 2) + 1.5))
    image = ax.imshow(table.fillna(0).to_numpy(), cmap="YlGn", aspect="auto")
    ax.set_xticks(range(len(table.columns)), [names.get(c, c) for c in table.columns], rotation=35, ha="right")
    ax.set_yticks(range(len(table.index)), [districts.get(d, d) for d in table.index])
    for (i, j), value in pd.DataFrame(table.to_numpy()).stack().dropna().items():  # no label on empty cells
        ax.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=8)
    fig.colorbar(image, ax=ax, label="LQ (> 1: unggulan)")
    ax.set_title("Komoditas unggulan: location quotient per kecamatan")
    return _svg(fig)


def compliance_chart(compliance: pd.DataFrame, districts: dict[str, str]) -> str:
    plt = _plt()
    counts = (
        compliance[compliance["kind"] == "lines"]
        .pivot_table(index="district_code", columns="status", values="cooperative_id", aggfunc="count", fill_value=0)
        .reindex(columns=list(COMPLIANCE_ID), fill_value=0)
    )
    fig, ax = plt.subplots(figsize=(8, 3.2))
    bottom = pd.Series(0, index=counts.index)
    for status, color in zip(COMPLIANCE_ID, ("#2e7d32", "#f9a825", "#c62828"), strict=True):
        ax.bar(
            [districts.get(d, d) for d in counts.index],
            counts[status],
            bottom=bottom,
            label=COMPLIANCE_ID[status],
            color=color,
        )
        bottom = bottom + counts[status]
    ax.set_ylabel("koperasi")
    ax.set_title("Kepatuhan laporan pasokan & kebutuhan")
    ax.legend()
    return _svg(fig)


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


def render(settings: Settings, period: str) -> Path:
    """Write the month's report next to the lake (``reports/laporan_hub_<period>.html``) and refresh the index."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
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
    eligibility = _read(settings, schemas.FINANCING_ELIGIBILITY, period)
    leading = _read(settings, schemas.LEADING_COMMODITIES, period)
    compliance = _read(settings, schemas.REPORTING_COMPLIANCE, period)
    hub_rows = balance[balance["level"] == "hub"]

    charts = {
        "balance": balance_chart(hub_rows, names) if len(hub_rows) else "",
        "leading": leading_chart(leading, districts, names) if len(leading) else "",
        "compliance": compliance_chart(compliance, districts) if len(compliance) else "",
    }
    eligibility = eligibility.assign(
        name=eligibility["cooperative_id"].map(coops),
        status_id=eligibility["status"].map(STATUS_ID),
        reasons=eligibility["rules_json"].map(
            lambda text: [f"{r['rule_id']}: {r['reason']}" for r in json.loads(text) if not r["passed"]]
        ),
    )
    order = {status: i for i, status in enumerate(STATUS_ID)}
    eligibility = eligibility.sort_values(
        ["status", "max_loan_idr"], key=lambda c: c.map(order) if c.name == "status" else -c
    )
    env = Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"), autoescape=select_autoescape(["j2"])
    )
    env.filters["rp"] = lambda v: "-" if pd.isna(v) else f"Rp {v:,.0f}".replace(",", ".")
    env.filters["num"] = lambda v: (
        "-" if pd.isna(v) else f"{v:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
    )
    env.filters["pct"] = lambda v: "-" if pd.isna(v) else f"{v:.0%}"
    env.filters["count"] = lambda v: f"{int(v):,}".replace(",", ".")
    html = env.get_template("hub_report.html.j2").render(
        period=period,
        charts=charts,
        hub_rows=hub_rows.sort_values("commodity").to_dict("records"),
        transfers=transfers.to_dict("records"),
        eligibility=eligibility.to_dict("records"),
        leading=leading[leading["leading"]].to_dict("records"),
        compliance_counts=compliance[compliance["kind"] == "lines"]["status"].value_counts().to_dict(),
        warnings=_warnings(compliance, coops),
        kind_id=KIND_ID,
        villages=village_names,
        districts=districts,
        names=names,
        status_counts=eligibility["status"].value_counts().to_dict(),
        compliance_id=COMPLIANCE_ID,
        status_id=STATUS_ID,
    )
    target = lake.write_text_atomic(html, report_path(settings.lake, period))
    stems = (p.stem.removeprefix("laporan_hub_") for p in target.parent.glob("laporan_hub_*.html"))
    periods = sorted(p for p in stems if is_period(p))
    index = env.get_template("report_index.html.j2").render(periods=periods)
    lake.write_text_atomic(index, target.parent / "index.html")
    return target
