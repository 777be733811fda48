"""The hub balance (neraca): supply against demand per month, commodity and village, and the least-cost transfer plan
from surplus to deficit villages inside the hub (a linear programme, HiGHS), settled back onto the balance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from include.kopdes_hub import contract


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


def settle(balance: pd.DataFrame, transfers: list[Transfer]) -> pd.DataFrame:
    """Add what each village ships and receives under the plan, and what stays unsold or unmet for outside markets."""
    shipped: dict[tuple, float] = {}
    received: dict[tuple, float] = {}
    for t in transfers:
        shipped[(t.period, t.commodity, t.from_village)] = (
            shipped.get((t.period, t.commodity, t.from_village), 0.0) + t.quantity_base
        )
        received[(t.period, t.commodity, t.to_village)] = (
            received.get((t.period, t.commodity, t.to_village), 0.0) + t.quantity_base
        )
    out = balance.copy()
    if out.empty:
        for column in ("shipped_base", "received_base", "unsold_base", "unmet_base"):
            out[column] = pd.Series(dtype="float64")
        return out
    keys = list(zip(out["period"], out["commodity"], out["village_code"], strict=True))
    out["shipped_base"] = [shipped.get(k, 0.0) for k in keys]
    out["received_base"] = [received.get(k, 0.0) for k in keys]
    village = out["level"] == "village"
    out["unsold_base"] = (out["net_base"].clip(lower=0) - out["shipped_base"]).clip(lower=0)
    out["unmet_base"] = (-out["net_base"].clip(upper=0) - out["received_base"]).clip(lower=0)
    # hub rows: the totals of their villages
    totals = (
        out[village]
        .groupby(["period", "hub_id", "commodity"])[["shipped_base", "received_base", "unsold_base", "unmet_base"]]
        .sum()
    )
    hub_keys = list(
        zip(out.loc[~village, "period"], out.loc[~village, "hub_id"], out.loc[~village, "commodity"], strict=True)
    )
    for column in ("shipped_base", "received_base", "unsold_base", "unmet_base"):
        out.loc[~village, column] = [totals[column].get(k, 0.0) for k in hub_keys]
    return out
