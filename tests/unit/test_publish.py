"""The hub's summaries on hand-made cases with known answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from include.kopdes_hub import publish

REGISTRY = pd.DataFrame([{"cooperative_id": "KDMP-1", "hub_id": "HUB", "district_code": "D1", "village_code": "V1"}])


def _ledger(rows):
    frame = pd.DataFrame(
        rows, columns=["cooperative_id", "kind", "period", "received_at", "decision", "rows_bronze", "rows_quarantine"]
    )
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True)
    return frame


def test_compliance_states_rejection_rate_and_staleness():
    ledger = _ledger(
        [
            ("kdmp-1", "lines", "2026-07", datetime(2026, 8, 5, 2, tzinfo=UTC), "accepted", 20, 0),
            ("KDMP-1", "lines", "2026-08", datetime(2026, 9, 15, 2, tzinfo=UTC), "rejected", 10, 10),
            # 16:30 UTC on the 10th is 23:30 WIB: still on time
            ("KDMP-1", "finance", "2026-07", datetime(2026, 8, 10, 16, 30, tzinfo=UTC), "accepted", 1, 0),
            ("KDMP-1", "finance", "2026-08", datetime(2026, 9, 10, 17, 30, tzinfo=UTC), "accepted", 1, 0),
        ]
    )
    out = publish.reporting_compliance(ledger, REGISTRY, ["2026-07", "2026-08", "2026-09"])
    got = {(r.kind, r.period): (r.status, r.rejection_rate, r.months_since_last_accepted) for r in out.itertuples()}
    assert got[("lines", "2026-07")] == ("on_time", 0.0, 0)
    assert got[("lines", "2026-08")] == ("late", 1.0, 1)
    assert got[("lines", "2026-09")][0] == "missing" and got[("lines", "2026-09")][2] == 2
    assert got[("finance", "2026-07")][0] == "on_time"
    assert got[("finance", "2026-08")][0] == "late"  # 00:30 WIB on the 11th
    assert set(out["status"]) <= set(publish.COMPLIANCE_STATES)
    assert publish.due_date("2026-12") == date(2027, 1, 10)


def _volumes(rows):
    return pd.DataFrame(
        [
            {
                "period": p,
                "hub_id": "HUB",
                "district_code": d,
                "village_code": v,
                "commodity": c,
                "base_unit": "kg",
                "flow": f,
                "quantity_base": q,
                "value_idr": val,
            }
            for p, d, v, c, f, q, val in rows
        ]
    )


def test_location_quotient_on_a_hand_computed_example():
    # D1: pepper 60, fish 40; D2: pepper 20, fish 80; hub: pepper 80, fish 120, total 200
    volumes = _volumes(
        [
            ("2026-07", "D1", "V1", "lada_putih", "supply", 6.0, 60.0),
            ("2026-07", "D1", "V1", "ikan_tongkol", "supply", 4.0, 40.0),
            ("2026-07", "D2", "V2", "lada_putih", "supply", 2.0, 20.0),
            ("2026-07", "D2", "V2", "ikan_tongkol", "supply", 8.0, 80.0),
            ("2026-07", "D2", "V2", "beras", "demand", 100.0, 1300.0),  # demand never counts
            ("2026-06", "D1", "V1", "lada_putih", "supply", 3.0, 30.0),
        ]
    )
    out = publish.leading_commodities(volumes, "2026-07")
    lq = {(r.district_code, r.commodity): r.location_quotient for r in out.itertuples()}
    assert lq == pytest.approx(
        {
            ("D1", "lada_putih"): 1.5,
            ("D1", "ikan_tongkol"): 0.4 / 0.6,
            ("D2", "lada_putih"): 0.5,
            ("D2", "ikan_tongkol"): 0.8 / 0.6,
        }
    )
    d1_pepper = out[(out["district_code"] == "D1") & (out["commodity"] == "lada_putih")].iloc[0]
    assert (d1_pepper["leading"], d1_pepper["rank_in_district"], d1_pepper["share_of_district"]) == (True, 1, 0.6)
    assert d1_pepper["trend"] == pytest.approx(1.0)  # 6 kg against 3 kg the month before


def test_balance_and_least_cost_transfer_plan():
    volumes = _volumes(
        [
            ("2026-07", "D1", "S1", "beras", "supply", 10.0, None),
            ("2026-07", "D1", "S2", "beras", "supply", 5.0, None),
            ("2026-07", "D2", "T1", "beras", "demand", 8.0, None),
            ("2026-07", "D2", "T2", "beras", "demand", 6.0, None),
            ("2026-07", "D2", "T2", "beras", "supply", 0.0, None),
        ]
    )
    balance = publish.hub_balance(volumes)
    hub = balance[balance["level"] == "hub"].iloc[0]
    assert (hub["supply_base"], hub["demand_base"], hub["net_base"], hub["status"]) == (15.0, 14.0, 1.0, "surplus")
    t1 = balance[balance["village_code"] == "T1"].iloc[0]
    assert (t1["status"], t1["coverage"]) == ("deficit", 0.0)
    cost = {("S1", "T1"): 1.0, ("S1", "T2"): 4.0, ("S2", "T1"): 2.0, ("S2", "T2"): 1.0}
    plan = publish.transfer_plan(balance, cost)
    moves = {(t.from_village, t.to_village): t.quantity_base for t in plan}
    assert moves == pytest.approx({("S1", "T1"): 8.0, ("S1", "T2"): 1.0, ("S2", "T2"): 5.0})
    assert sum(t.quantity_base * t.cost_per_unit for t in plan) == pytest.approx(17.0)
