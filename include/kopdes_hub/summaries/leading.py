"""Leading commodities (komoditas unggulan) per district: volume, value, shares, location quotient and trend."""

from __future__ import annotations

import pandas as pd

from include.kopdes_hub import contract

TREND_MONTHS = 3  # a leading commodity's trend compares the month with the mean of the 3 before: ASSUMPTION

# ASSUMPTION (no published cut-off found): a commodity under 5 % of its district's supply value is too small a part
# of the district's economy for its LQ to mean a specialisation. The LQ divides by the hub's share of the commodity,
# so a commodity the hub barely trades gets a huge LQ from one small sale (2026-10 of the demo: 391 kg of rubber,
# Rp 4.9 m, 1 % of Selat Nasik's supply value, LQ about 13). Below it a row keeps its LQ but is never ``leading``, and
# the hub report shows no LQ for it.
MATERIAL_SHARE_OF_DISTRICT = 0.05


def is_material(share_of_district: pd.Series) -> pd.Series:
    """Whether a district's commodity is a large enough part of its supply value for its LQ to count."""
    return share_of_district.fillna(0) >= MATERIAL_SHARE_OF_DISTRICT


def leading_commodities(volumes: pd.DataFrame, period: str) -> pd.DataFrame:
    """Per district and supplied commodity in ``period``: volume, value, shares and the location quotient
    LQ = (district's value of the commodity / district's total value) / (hub's value of it / hub's total value);
    LQ > 1 on a material share (``MATERIAL_SHARE_OF_DISTRICT``) marks a commodity the district specialises in (a
    basis sector, ``leading``). Trend: the month's volume against the
    mean of the ``TREND_MONTHS`` months before (None without history).

    ``volumes``: gold commodity_volumes rows of ``period`` and the months before it.
    """
    supply = volumes[volumes["flow"] == contract.SUPPLY]
    keys = ["hub_id", "district_code", "commodity", "base_unit"]
    month = supply[supply["period"] == period].groupby(keys, as_index=False)[["quantity_base", "value_idr"]].sum()
    if month.empty:
        return month.assign(period=period)
    district_total = month.groupby(["hub_id", "district_code"])["value_idr"].transform("sum")
    hub_commodity = month.groupby(["hub_id", "commodity"])["value_idr"].transform("sum")
    hub_total = month.groupby("hub_id")["value_idr"].transform("sum")
    month["share_of_district"] = month["value_idr"] / district_total
    month["share_of_hub_commodity"] = month["value_idr"] / hub_commodity
    month["location_quotient"] = month["share_of_district"] / (hub_commodity / hub_total)

    earlier = [p for p in sorted(supply["period"].unique()) if p < period][-TREND_MONTHS:]
    history = supply[supply["period"].isin(earlier)].groupby([*keys, "period"], as_index=False)[
        "quantity_base"
    ].sum().groupby(keys)["quantity_base"].sum() / max(len(earlier), 1)
    baseline = month.set_index(keys).index.map(history.to_dict()) if earlier else None
    month["trend"] = (month["quantity_base"] / pd.Series(baseline, index=month.index) - 1) if earlier else None
    month["rank_in_district"] = (
        month.groupby(["hub_id", "district_code"])["value_idr"].rank(ascending=False, method="first").astype(int)
    )
    month["leading"] = (month["location_quotient"] > 1) & is_material(month["share_of_district"])
    month.insert(0, "period", period)
    return month.sort_values(["district_code", "rank_in_district"]).reset_index(drop=True)
