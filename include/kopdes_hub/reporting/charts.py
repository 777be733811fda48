"""The hub report's charts: matplotlib SVG, inlined in the page (no script, no web font, opens offline).

Every legend sits outside the plotting area, above it, so it never covers a bar or a cell; numbers written on a
chart use the Indonesian format (``id_format``) like the rest of the report.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from include.kopdes_hub import contract
from include.kopdes_hub.reporting import id_format
from include.kopdes_hub.summaries.compliance import COMPLIANCE_STATES
from include.kopdes_hub.summaries.leading import MATERIAL_SHARE_OF_DISTRICT, is_material

COMPLIANCE_ID = {"on_time": "tepat waktu", "late": "terlambat", "missing": "tidak lapor"}
COMPLIANCE_COLORS = {"on_time": "#2e7d32", "late": "#f9a825", "missing": "#c62828"}
KIND_TITLE = {contract.LINES: "Laporan pasokan & kebutuhan", contract.FINANCE: "Laporan keuangan"}
NO_SUPPLY: dict[str, Any] = {
    "facecolor": "#f5f7fa",
    "hatch": "///",
    "edgecolor": "#9aa5b1",
}  # a cell of no supply at all
IMMATERIAL: dict[str, Any] = {
    "facecolor": "#bcc3cd",
    "edgecolor": "white",
}  # supplied, but too small a share for its LQ to count


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "kopdes", "font.size": 9, "svg.fonttype": "none", "hatch.linewidth": 0.6})
    return plt


def _svg(figure: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _legend_above(ax: Any, handles: list[Any] | None = None, ncol: int = 3) -> None:
    """The legend in a row between the title and the plot: it covers nothing."""
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=ncol,
        frameon=False,
        borderaxespad=0.3,
        handlelength=1.6,
    )


def balance_chart(hub_rows: pd.DataFrame, names: dict[str, str]) -> str:
    return _svg(balance_figure(hub_rows, names))


def balance_figure(hub_rows: pd.DataFrame, names: dict[str, str]) -> Any:
    """Supply against demand per commodity of the hub (log scale: kilos of pepper beside tonnes of palm fruit)."""
    plt = _plt()
    rows = hub_rows.sort_values("commodity")
    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(rows), 2) + 1.3))
    y = range(len(rows))
    ax.barh([i + 0.2 for i in y], rows["supply_base"], height=0.4, label="pasokan", color="#2e7d32")
    ax.barh([i - 0.2 for i in y], rows["demand_base"], height=0.4, label="kebutuhan", color="#c62828")
    ax.set_yticks(
        list(y), [f"{names.get(c, c)} ({u})" for c, u in zip(rows["commodity"], rows["base_unit"], strict=True)]
    )
    ax.invert_yaxis()  # top to bottom in the table's order
    ax.set_xscale("symlog")
    ax.set_xlabel("jumlah (satuan dasar, skala log)")
    ax.set_title("Neraca hub: pasokan dan kebutuhan per komoditas", loc="left", pad=24)
    _legend_above(ax, ncol=2)
    return fig


def leading_chart(leading: pd.DataFrame, districts: dict[str, str], names: dict[str, str]) -> str:
    return _svg(leading_figure(leading, districts, names))


def leading_figure(leading: pd.DataFrame, districts: dict[str, str], names: dict[str, str]) -> Any:
    """LQ per district and commodity, coloured and written only where the commodity is a material share of the
    district's supply value; a commodity supplied below it is plain grey, one not supplied at all is hatched."""
    from matplotlib.patches import Patch, Rectangle

    plt = _plt()
    keyed = leading.set_index(["district_code", "commodity"])
    lq = keyed["location_quotient"].where(is_material(keyed["share_of_district"])).unstack().sort_index()
    supplied = (keyed["quantity_base"] > 0).unstack().reindex_like(lq).fillna(False).astype(bool)
    fig, ax = plt.subplots(figsize=(8, 0.5 * max(len(lq), 2) + 2))
    top = max(2.0, float(lq.max().max())) if lq.notna().any().any() else 2.0
    image = ax.imshow(lq.to_numpy(dtype=float), cmap="YlGn", vmin=0, vmax=top, aspect="auto")
    for i, district in enumerate(lq.index):
        for j, commodity in enumerate(lq.columns):
            value = lq.loc[district, commodity]
            if pd.notna(value):
                color = "white" if value > 0.6 * top else "#1f2933"
                ax.text(j, i, id_format.ratio(value), ha="center", va="center", fontsize=8, color=color)
            else:
                style = IMMATERIAL if supplied.loc[district, commodity] else NO_SUPPLY
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, linewidth=0.5, **style))
    ax.set_xticks(range(len(lq.columns)), [names.get(c, c) for c in lq.columns], rotation=35, ha="right")
    ax.set_yticks(range(len(lq.index)), [districts.get(d, d) for d in lq.index])
    fig.colorbar(image, ax=ax, label="LQ (> 1: unggulan)")
    share = id_format.percent(MATERIAL_SHARE_OF_DISTRICT)
    handles = [
        Patch(label=f"pangsa < {share} nilai pasokan kecamatan: LQ tidak ditampilkan", **IMMATERIAL),
        Patch(label="tidak ada pasokan", **NO_SUPPLY),
    ]
    ax.set_title("Komoditas unggulan: location quotient (LQ) per kecamatan", loc="left", pad=24)
    _legend_above(ax, handles, ncol=2)
    return fig


def compliance_chart(counts: dict[str, pd.DataFrame]) -> str:
    return _svg(compliance_figure(counts))


def compliance_figure(counts: dict[str, pd.DataFrame]) -> Any:
    """Per kind side by side, cooperatives per district in each state (``counts``: kind -> district x state)."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(counts), figsize=(9, 3.4), sharey=True, squeeze=False)
    for ax, (kind, table) in zip(axes[0], counts.items(), strict=True):
        bottom = pd.Series(0, index=table.index)
        for state in COMPLIANCE_STATES:
            ax.bar(table.index, table[state], bottom=bottom, label=COMPLIANCE_ID[state], color=COMPLIANCE_COLORS[state])
            bottom = bottom + table[state]
        ax.set_title(KIND_TITLE.get(kind, kind), loc="left", pad=22)
        ax.tick_params(axis="x", rotation=30)
    axes[0][0].set_ylabel("koperasi")
    _legend_above(axes[0][0], ncol=3)
    return fig


def processing_chart(rows: pd.DataFrame, names: dict[str, str]) -> str:
    return _svg(processing_figure(rows, names))


def processing_figure(rows: pd.DataFrame, names: dict[str, str]) -> Any:
    """The hub's processing paths with a projection: the product's output value as a range (low to high) beside
    what the raw supply is worth, per path."""
    plt = _plt()
    shown = rows.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.5 * max(len(shown), 2) + 1.3))
    y = list(range(len(shown)))
    low, high = shown["output_value_low_idr"].fillna(0), shown["output_value_high_idr"].fillna(0)
    ax.barh(y, high - low, left=low, height=0.45, color="#2e7d32", label="nilai hasil olahan (min-maks)")
    ax.scatter(shown["input_value_idr"].fillna(0), y, marker="|", s=300, color="#1f2933", label="nilai bahan mentah")
    labels = [f"{names.get(c, c)} -> {p}" for c, p in zip(shown["commodity"], shown["product_name"], strict=True)]
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("Rp per bulan")
    ax.set_title("Peluang pengolahan: nilai hasil olahan bulan ini", loc="left", pad=24)
    _legend_above(ax, ncol=2)
    return fig
