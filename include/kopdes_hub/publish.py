"""Publish stage: the hub-level summaries computed from gold volumes, the ledger and the registry.

Pure functions on small frames (cooperatives x months x commodities): reporting compliance, leading commodities
(komoditas unggulan, by location quotient) and the hub balance with a least-cost transfer plan between villages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from include.kopdes_hub import contract, store

LOCAL_TZ = ZoneInfo("Asia/Jakarta")
REPORT_DUE_DAY = 10  # a month's report is due by the 10th of the next month: ASSUMPTION (no published deadline)
TREND_MONTHS = 3  # a leading commodity's trend compares the month with the mean of the 3 before: ASSUMPTION


def _next_month(period: str) -> tuple[int, int]:
    year, month = (int(x) for x in period.split("-"))
    return (year + 1, 1) if month == 12 else (year, month + 1)


def due_date(period: str) -> date:
    year, month = _next_month(period)
    return date(year, month, REPORT_DUE_DAY)


def months_between(earlier: str, later: str) -> int:
    (y1, m1), (y2, m2) = ((int(x) for x in p.split("-")) for p in (earlier, later))
    return (y2 - y1) * 12 + (m2 - m1)


# --------------------------------------------------------------------------------------------------------------
# Reporting compliance
# --------------------------------------------------------------------------------------------------------------

COMPLIANCE_STATES = ("on_time", "late", "missing")


def reporting_compliance(ledger: pd.DataFrame, registry: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """Per cooperative, kind and month: on time / late / missing, rejection rate and months since the last
    accepted submission.

    ``ledger``: one row per validated or rejected submission with cooperative_id, kind, period, received_at (UTC),
    decision, rows_bronze, rows_quarantine. ``registry``: cooperative_id, hub_id, district_code, village_code.
    """
    ledger = ledger.assign(
        cooperative_id=ledger["cooperative_id"].str.strip().str.upper(),
        accepted=ledger["decision"].isin([store.ACCEPTED, store.PARTLY_ACCEPTED]),
    )
    rows = []
    for coop in registry.itertuples(index=False):
        mine = ledger[ledger["cooperative_id"] == coop.cooperative_id]
        for kind in contract.KINDS:
            ours = mine[mine["kind"] == kind]
            accepted_periods = sorted(set(ours.loc[ours["accepted"], "period"]))
            for period in periods:
                month = ours[ours["period"] == period]
                first = month["received_at"].min() if len(month) else None
                due = due_date(period)
                if first is None:
                    state = "missing"
                else:
                    landed = pd.Timestamp(first).tz_convert(LOCAL_TZ).date()
                    state = "on_time" if landed <= due else "late"
                bronze = int(month["rows_bronze"].fillna(0).sum())
                quarantined = int(month["rows_quarantine"].fillna(0).sum())
                past = [p for p in accepted_periods if p <= period]
                rows.append(
                    {
                        "period": period,
                        "hub_id": coop.hub_id,
                        "district_code": coop.district_code,
                        "village_code": coop.village_code,
                        "cooperative_id": coop.cooperative_id,
                        "kind": kind,
                        "status": state,
                        "submissions": len(month),
                        "first_received_at": None if first is None else pd.Timestamp(first).to_pydatetime(),
                        "due_date": due,
                        "rows_bronze": bronze,
                        "rows_quarantine": quarantined,
                        "rejection_rate": quarantined / bronze if bronze else None,
                        "accepted": bool(month["accepted"].any()),
                        "months_since_last_accepted": months_between(past[-1], period) if past else None,
                    }
                )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------------------
# Leading commodities (komoditas unggulan)
# --------------------------------------------------------------------------------------------------------------


def leading_commodities(volumes: pd.DataFrame, period: str) -> pd.DataFrame:
    """Per district and supplied commodity in ``period``: volume, value, shares and the location quotient
    LQ = (district's value of the commodity / district's total value) / (hub's value of it / hub's total value);
    LQ > 1 marks a commodity the district specialises in (a basis sector). Trend: the month's volume against the
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
    month["leading"] = month["location_quotient"] > 1
    month.insert(0, "period", period)
    return month.sort_values(["district_code", "rank_in_district"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------------------------
# Hub balance and the transfer plan
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transfer:
    period: str
    hub_id: str
    commodity: str
    from_village: str
    to_village: str
    quantity_base: float
    cost_per_unit: float


def hub_balance(volumes: pd.DataFrame) -> pd.DataFrame:
    """Per period, hub, village and commodity: supply, demand, net (surplus > 0, deficit < 0) and coverage of
    demand (supply / demand; None without demand). Village rows plus one hub row (village_code None) per commodity."""
    keys = ["period", "hub_id", "district_code", "village_code", "commodity", "base_unit"]
    pivot = (
        volumes.pivot_table(index=keys, columns="flow", values="quantity_base", aggfunc="sum", fill_value=0.0)
        .reindex(columns=[contract.SUPPLY, contract.DEMAND], fill_value=0.0)
        .reset_index()
        .rename(columns={contract.SUPPLY: "supply_base", contract.DEMAND: "demand_base"})
    )
    hub = pivot.groupby(["period", "hub_id", "commodity", "base_unit"], as_index=False)[
        ["supply_base", "demand_base"]
    ].sum()
    hub["district_code"] = None
    hub["village_code"] = None
    out = pd.concat([pivot.assign(level="village"), hub.assign(level="hub")], ignore_index=True)
    out["net_base"] = out["supply_base"] - out["demand_base"]
    out["status"] = np.select([out["net_base"] > 0, out["net_base"] < 0], ["surplus", "deficit"], "balanced")
    out["coverage"] = (out["supply_base"] / out["demand_base"]).where(out["demand_base"] > 0)
    return out


def transfer_plan(balance: pd.DataFrame, cost: dict[tuple[str, str], float]) -> list[Transfer]:
    """Move surplus to deficit villages of one hub, period and commodity at least total cost: a transportation
    problem solved as a linear programme with HiGHS (scipy). As much as can move does move (the smaller of total
    surplus and total deficit); among such plans the cheapest is chosen. ``cost[(a, b)]`` is per base unit from
    village a to b."""
    from scipy.optimize import linprog

    transfers: list[Transfer] = []
    villages = balance[balance["level"] == "village"]
    for (period, hub_id, commodity), group in villages.groupby(["period", "hub_id", "commodity"]):
        sources = group[group["net_base"] > 0]
        sinks = group[group["net_base"] < 0]
        if sources.empty or sinks.empty:
            continue
        supply = sources["net_base"].to_numpy()
        demand = -sinks["net_base"].to_numpy()
        pairs = [(i, j) for i in range(len(supply)) for j in range(len(demand))]
        c = np.array(
            [cost[(sources["village_code"].iloc[i], sinks["village_code"].iloc[j])] for i, j in pairs], dtype=float
        )
        a_ub = np.zeros((len(supply) + len(demand), len(pairs)))
        for k, (i, j) in enumerate(pairs):
            a_ub[i, k] = 1.0
            a_ub[len(supply) + j, k] = 1.0
        b_ub = np.concatenate([supply, demand])
        moved = min(supply.sum(), demand.sum())
        result = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=np.ones((1, len(pairs))), b_eq=[moved], method="highs")
        if result.status != 0:
            raise RuntimeError(f"transfer plan for {commodity} did not solve: {result.message}")
        for k, (i, j) in enumerate(pairs):
            if result.x[k] > 1e-6:
                transfers.append(
                    Transfer(
                        period=str(period),
                        hub_id=str(hub_id),
                        commodity=str(commodity),
                        from_village=str(sources["village_code"].iloc[i]),
                        to_village=str(sinks["village_code"].iloc[j]),
                        quantity_base=float(round(result.x[k], 6)),
                        cost_per_unit=float(c[k]),
                    )
                )
    return transfers
