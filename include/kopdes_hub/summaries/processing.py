"""Processing projection (nilai tambah): what the hub's supply of a commodity would give if processed locally,
per district and for the whole hub, along each path of ``reference/processing.yaml``.

It is a projection, not a forecast: output = supply x yield at the path's low and high yield, valued at the
product's low and high price, against what the raw supply was sold for. Value added here is before processing costs
(labour, fuel, packaging, the unit itself), so it bounds what a unit could pay for them. A number the path lacks
leaves what needs it empty, and ``missing`` says which and why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from include.kopdes_hub import contract, periods
from include.kopdes_hub.reference.processing import ProcessingPath, ProcessingPaths, load_processing
from include.kopdes_hub.storage.dataset import PUBLICATION
from include.kopdes_hub.storage.processing_schema import PROCESSING_PROJECTION

WINDOW_MONTHS = 12  # input_base_12m: the month and the 11 before it, a year of seasons (pepper, sawit trek, fishing)
LEVEL_DISTRICT = "district"
LEVEL_HUB = "hub"

# the published columns (storage/processing_schema.py) but the three publish adds to every summary
COLUMNS = tuple(c.name for c in PROCESSING_PROJECTION.columns if c not in PUBLICATION)
_NUMBERS = [c.name for c in PROCESSING_PROJECTION.columns if c.type == pa.float64()]


def _supply(volumes: pd.DataFrame, period: str, keys: list[str]) -> pd.DataFrame:
    """The month's supply (quantity, value) and the trailing 12 months' quantity per ``keys`` + commodity."""
    window = [*periods.previous_periods(period, WINDOW_MONTHS - 1), period]
    supply = volumes[(volumes["flow"] == contract.SUPPLY) & volumes["period"].isin(window)]
    by = [*keys, "commodity", "base_unit"]
    year = supply.groupby(by, as_index=False)["quantity_base"].sum().rename(columns={"quantity_base": "input_base_12m"})
    month_rows = supply[supply["period"] == period]
    month = month_rows.groupby(by, as_index=False).agg(
        input_base=("quantity_base", "sum"),
        # min_count: a month whose lines all lack a price has no value, not a value of Rp 0
        input_value_idr=("value_idr", lambda s: s.sum(min_count=1)),
        month_rows=("quantity_base", "size"),
    )
    out = year.merge(month, on=by, how="left")
    out["input_base"] = out["input_base"].fillna(0.0)
    no_supply_this_month = out["month_rows"].isna()
    out.loc[no_supply_this_month, "input_value_idr"] = 0.0
    out["input_value_idr"] = out["input_value_idr"].astype(float)
    out["value_unpriced"] = out["input_value_idr"].isna()
    months = volumes[volumes["period"].isin(window)].groupby("hub_id")["period"].nunique()
    out["input_months_12m"] = out["hub_id"].map(months).fillna(0).astype("int64")
    return out.drop(columns="month_rows")


def _leading_flags(
    leading: pd.DataFrame, period: str
) -> tuple[set[tuple[str | None, str, str]], set[tuple[str | None, str]]]:
    """(hub, district, commodity) that lead in ``period``, and (hub, commodity) that lead in any district of it."""
    rows = leading
    if "period" in rows.columns:
        rows = rows[rows["period"] == period]
    rows = rows[rows["leading"].fillna(False).astype(bool)]
    hubs = rows["hub_id"] if "hub_id" in rows.columns else pd.Series([None] * len(rows), index=rows.index)
    district: set[tuple[str | None, str, str]] = set(zip(hubs, rows["district_code"], rows["commodity"], strict=True))
    return district, {(h, c) for h, _, c in district}


def _apply_path(rows: pd.DataFrame, path: ProcessingPath) -> pd.DataFrame:
    """The path's projection on each row of the commodity's supply (one row per place)."""
    out = rows.copy()
    out["product"] = path.product
    out["product_name"] = path.name
    out["output_unit"] = path.output_unit
    out["yield_low"] = np.nan if path.yield_low is None else path.yield_low
    out["yield_high"] = np.nan if path.yield_high is None else path.yield_high
    out["output_low"] = out["input_base"] * out["yield_low"]
    out["output_high"] = out["input_base"] * out["yield_high"]
    price_low = np.nan if path.price_idr is None else path.price_idr.low
    price_high = np.nan if path.price_idr is None else path.price_idr.high
    out["output_value_low_idr"] = out["output_low"] * price_low
    out["output_value_high_idr"] = out["output_high"] * price_high
    out["value_added_low_idr"] = out["output_value_low_idr"] - out["input_value_idr"]
    out["value_added_high_idr"] = out["output_value_high_idr"] - out["input_value_idr"]
    out["unit_capacity_base"] = np.nan if path.capacity is None else path.capacity.low
    out["unit_months_of_supply"] = out["input_base_12m"] / out["unit_capacity_base"]
    reasons = "; ".join(f"{name}: {why}" for name, why in path.missing.items())
    unpriced = "input_value_idr: the month's supply lines have no price, so no value added"
    out["missing"] = [
        "; ".join(r for r in (reasons, unpriced if flag and path.price_idr is not None else "") if r) or None
        for flag in out["value_unpriced"]
    ]
    out["sources"] = path.sources
    return out


def processing_projection(
    volumes: pd.DataFrame, leading: pd.DataFrame, period: str, paths: ProcessingPaths | None = None
) -> pd.DataFrame:
    """Per district and for the hub (``level``), per supplied commodity and processing path of ``paths`` (the
    shipped ``processing.yaml`` by default): the month's supply and the trailing 12 months' (``input_base``,
    ``input_base_12m``), output = ``input_base`` x yield at both ends, its value at the product's price range,
    value added = output value - the supply's value (before processing costs), and ``unit_months_of_supply`` =
    ``input_base_12m`` / one typical unit's monthly input: how many months of full work the last year's supply
    would give one unit (12 or more: enough to keep a unit busy all year).

    ``volumes``: gold commodity_volumes rows of ``period`` and the 11 months before it (only ``flow == supply``
    counts; fewer months may be present, ``input_months_12m`` says how many). ``leading``: the month's
    leading_commodities rows (``district_code``, ``commodity``, ``leading``, and ``hub_id`` / ``period`` if
    present); a district row is ``leading`` when its commodity leads there (LQ > 1 on a material share, as
    ``summaries.leading`` decides), the hub row when it leads in any district. A place and commodity appear when
    it supplied the commodity in the 12 months; commodities with no path are left out. Rows are ordered by hub,
    level (districts, then the hub), district, commodity and the path's order in ``processing.yaml``.
    """
    paths = paths if paths is not None else load_processing()
    columns = list(COLUMNS)
    district = _supply(volumes, period, ["hub_id", "district_code"])
    hub = _supply(volumes, period, ["hub_id"]).assign(district_code=None)
    places = pd.concat([district.assign(level=LEVEL_DISTRICT), hub.assign(level=LEVEL_HUB)], ignore_index=True)
    places = places[places["commodity"].isin(paths.commodities)]
    clash = places.drop_duplicates(["commodity", "base_unit"]).merge(
        pd.DataFrame({"commodity": [p.commodity for p in paths.paths], "unit": [p.input_unit for p in paths.paths]}),
        on="commodity",
    )
    clash = clash[clash["base_unit"] != clash["unit"]]
    if not clash.empty:
        first = clash.iloc[0]
        raise ValueError(
            f"processing projection {period}: {first['commodity']} is in {first['base_unit']} in gold but its "
            f"processing paths take {first['unit']} (processing.yaml against the catalogue the month was built with)"
        )
    if places.empty:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in columns})

    lead_district, lead_hub = _leading_flags(leading, period)
    keys = zip(places["hub_id"], places["district_code"], places["commodity"], places["level"], strict=True)
    places["leading"] = [
        # a leading frame without hub_id names its districts under hub None
        bool({(h, c), (None, c)} & lead_hub) if level == LEVEL_HUB else bool({(h, d, c), (None, d, c)} & lead_district)
        for h, d, c, level in keys
    ]
    places = places.rename(columns={"base_unit": "input_unit"})
    frames = []
    for order, path in enumerate(paths.paths):
        rows = places[places["commodity"] == path.commodity]
        if not rows.empty:
            frames.append(_apply_path(rows, path).assign(_order=order))
    out = pd.concat(frames, ignore_index=True)
    out["period"] = period
    out["processing_version"] = paths.version
    out["_level"] = (out["level"] == LEVEL_HUB).astype(int)
    out = out.sort_values(["hub_id", "_level", "district_code", "commodity", "_order"], na_position="last")
    out = out[columns].reset_index(drop=True)
    out[_NUMBERS] = out[_NUMBERS].astype(float)
    out["leading"] = out["leading"].astype(bool)
    return out


def _dtype(column: str) -> str:
    if column == "leading":
        return "bool"
    if column == "input_months_12m":
        return "int64"
    return "float64" if column in _NUMBERS else "str"
