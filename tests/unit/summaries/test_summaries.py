"""The hub's summaries on hand-made cases with known answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import update

from include.kopdes_hub import periods, publish
from include.kopdes_hub.storage import store
from include.kopdes_hub.summaries import balance as hub_balances
from include.kopdes_hub.summaries import compliance, financing, leading

REGISTRY = pd.DataFrame([{"cooperative_id": "KDMP-1", "hub_id": "HUB", "district_code": "D1", "village_code": "V1"}])


def _ledger(rows):
    """Ledger rows: cooperative_id, kind, period, received_at, decision, rows_bronze, rows_quarantine, rows_warning."""
    columns = ["cooperative_id", "kind", "period", "received_at", "decision", "rows_bronze", "rows_quarantine"]
    frame = pd.DataFrame([(*r, 0) if len(r) == len(columns) else r for r in rows], columns=[*columns, "rows_warning"])
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True)
    return frame


def test_compliance_states_rejection_rate_and_staleness():
    ledger = _ledger(
        [
            ("kdmp-1", "lines", "2026-07", datetime(2026, 8, 5, 2, tzinfo=UTC), "accepted", 20, 0, 3),
            ("KDMP-1", "lines", "2026-08", datetime(2026, 9, 15, 2, tzinfo=UTC), "rejected", 10, 10),
            # 16:30 UTC on the 10th is 23:30 WIB: still on time
            ("KDMP-1", "finance", "2026-07", datetime(2026, 8, 10, 16, 30, tzinfo=UTC), "accepted", 1, 0),
            ("KDMP-1", "finance", "2026-08", datetime(2026, 9, 10, 17, 30, tzinfo=UTC), "accepted", 1, 0),
        ]
    )
    out = compliance.reporting_compliance(ledger, REGISTRY, ["2026-07", "2026-08", "2026-09"])
    got = {(r.kind, r.period): (r.status, r.rejection_rate, r.months_since_last_accepted) for r in out.itertuples()}
    assert got[("lines", "2026-07")] == ("on_time", 0.0, 0)
    assert out.set_index(["kind", "period"]).loc[("lines", "2026-07"), "rows_warning"] == 3
    assert got[("lines", "2026-08")] == ("late", 1.0, 1)
    assert got[("lines", "2026-09")][0] == "missing" and got[("lines", "2026-09")][2] == 2
    assert got[("finance", "2026-07")][0] == "on_time"
    assert got[("finance", "2026-08")][0] == "late"  # 00:30 WIB on the 11th
    assert set(out["status"]) <= set(compliance.COMPLIANCE_STATES)
    assert periods.due_date("2026-12") == date(2027, 1, 10)


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
    out = leading.leading_commodities(volumes, "2026-07")
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


def test_an_lq_counts_only_on_a_material_share_of_the_district():
    # D2's rubber is 1 % of D2 and all of the hub's rubber: LQ 2.0 from one small sale, too small to lead
    volumes = _volumes(
        [
            ("2026-07", "D1", "V1", "lada_putih", "supply", 6.0, 60.0),
            ("2026-07", "D1", "V1", "ikan_tongkol", "supply", 4.0, 40.0),
            ("2026-07", "D2", "V2", "lada_putih", "supply", 2.0, 20.0),
            ("2026-07", "D2", "V2", "ikan_tongkol", "supply", 7.9, 79.0),
            ("2026-07", "D2", "V2", "karet", "supply", 1.0, 1.0),
        ]
    )
    out = leading.leading_commodities(volumes, "2026-07").set_index(["district_code", "commodity"])
    rubber = out.loc[("D2", "karet")]
    assert rubber["share_of_district"] == pytest.approx(0.01)
    assert rubber["location_quotient"] == pytest.approx(2.0)  # kept in gold, for whoever wants it
    assert not rubber["leading"]
    assert out.loc[("D1", "lada_putih"), "leading"] and out.loc[("D2", "ikan_tongkol"), "leading"]
    shares = pd.Series([0.049, 0.05, 0.3, None])
    assert leading.is_material(shares).tolist() == [False, True, True, False]
    assert leading.MATERIAL_SHARE_OF_DISTRICT == 0.05


def test_compliance_has_one_definition_per_kind():
    registry = pd.DataFrame(
        [
            {"cooperative_id": f"KDMP-{i}", "hub_id": "HUB", "district_code": "D1", "village_code": f"V{i}"}
            for i in range(4)
        ]
    )
    ledger = _ledger(
        [
            ("KDMP-0", "lines", "2026-07", datetime(2026, 8, 5, tzinfo=UTC), "accepted", 20, 0),
            (
                "KDMP-0",
                "lines",
                "2026-07",
                datetime(2026, 8, 20, tzinfo=UTC),
                "accepted",
                20,
                0,
            ),  # a resend: still once
            ("KDMP-0", "finance", "2026-07", datetime(2026, 8, 5, tzinfo=UTC), "accepted", 1, 0),
            (
                "KDMP-1",
                "lines",
                "2026-07",
                datetime(2026, 8, 15, tzinfo=UTC),
                "rejected",
                10,
                10,
            ),  # late, even rejected
            ("KDMP-2", "finance", "2026-07", datetime(2026, 8, 1, tzinfo=UTC), "accepted", 1, 0),
        ]
    )
    rows = compliance.reporting_compliance(ledger, registry, ["2026-07"])
    counts = compliance.counts_by_kind(rows)
    assert counts == {
        "lines": {"on_time": 1, "late": 1, "missing": 2},
        "finance": {"on_time": 2, "late": 0, "missing": 2},
    }
    assert all(sum(states.values()) == len(registry) for states in counts.values())  # each cooperative once per kind
    assert compliance.missing_by_kind(rows) == {"lines": ["KDMP-2", "KDMP-3"], "finance": ["KDMP-1", "KDMP-3"]}


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
    balance = hub_balances.hub_balance(volumes)
    hub = balance[balance["level"] == "hub"].iloc[0]
    assert (hub["supply_base"], hub["demand_base"], hub["net_base"], hub["status"]) == (15.0, 14.0, 1.0, "surplus")
    t1 = balance[balance["village_code"] == "T1"].iloc[0]
    assert (t1["status"], t1["coverage"]) == ("deficit", 0.0)
    cost = {("S1", "T1"): 1.0, ("S1", "T2"): 4.0, ("S2", "T1"): 2.0, ("S2", "T2"): 1.0}
    plan = hub_balances.transfer_plan(balance, cost)
    moves = {(t.from_village, t.to_village): t.quantity_base for t in plan}
    assert moves == pytest.approx({("S1", "T1"): 8.0, ("S1", "T2"): 1.0, ("S2", "T2"): 5.0})
    assert sum(t.quantity_base * t.cost_per_unit for t in plan) == pytest.approx(17.0)


COOP = {
    "cooperative_id": "KDMP-1",
    "cooperative_type": "KDMP",
    "sk_ahu_no": "AHU-1",
    "nik_koperasi": "1234567890123456",
    "bank_account": "123",
    "npwp": "1",
    "nib": "1",
    "has_business_proposal": True,
    "has_approval_letter": True,
    "members": 150,
    "simkopdes_active": True,
    "land_point_verified": True,
    "dana_desa_pagu_idr": 450_000_000,
}


def _finance(requested: float, revenue: float = 100e6, cost: float = 60e6, months: int = 3) -> pd.DataFrame:
    periods = ["2026-08", "2026-09", "2026-10"][-months:] if months else []
    return pd.DataFrame(
        {"period": periods, "revenue_idr": revenue, "operating_cost_idr": cost, "loan_requested_idr": requested}
    )


COMPLIANT = pd.DataFrame({"kind": ["lines"] * 3, "status": ["on_time"] * 3, "rejection_rate": [0.0] * 3})


def _rules(result: dict) -> dict[str, bool]:
    return {r["rule_id"]: r["passed"] for r in result["rules"]}


def test_annuity_matches_the_brief():
    # 0.30 x 450 jt / 12 x annuity(0.5 %/mo, 66) is about Rp 0.61-0.63 bn [BRIEF 3, C3]
    assert financing.annuity_factor(66) == pytest.approx(56.1, abs=0.05)
    assert financing.annuity_factor(64) == pytest.approx(54.7, abs=0.05)
    assert 0.30 * 450e6 / 12 * financing.annuity_factor(66) == pytest.approx(631e6, rel=0.01)


def test_eligible_cooperative_and_its_maximum_loan():
    result = financing.financing_eligibility(COOP, _finance(500e6), COMPLIANT)
    assert result["status"] == financing.ELIGIBLE and result["failed_rules"] == ""
    # cash flow 40 jt x 0.8 = 32 jt; /1.25 = 25.6 jt + Dana Desa 11.25 jt = 36.85 jt/month over 66 months
    assert result["max_loan_idr"] == pytest.approx(round(36.85e6 * financing.annuity_factor(66), -6))
    assert result["dscr"] == pytest.approx(32e6 / financing.instalment(500e6))
    assert all(r["source"] for r in result["rules"])


@pytest.mark.parametrize(
    ("change", "finance", "status", "failed"),
    [
        ({"nib": ""}, _finance(500e6), financing.NOT_ELIGIBLE, "L5"),
        ({"has_business_proposal": False}, _finance(500e6), financing.NOT_ELIGIBLE, "L6"),
        ({"has_approval_letter": False}, _finance(500e6), financing.CONDITIONAL, "A1"),
        ({}, _finance(3.5e9), financing.NOT_ELIGIBLE, "C1"),
        # no Dana Desa behind a kelurahan: Rp 1.6 bn is more than the business repays at DSCR 1.25 (C3, C4 soft)
        ({"cooperative_type": "KKMP", "dana_desa_pagu_idr": None}, _finance(1.6e9), financing.CONDITIONAL, "C3"),
        ({}, _finance(1.2e9, revenue=60e6, cost=55e6), financing.NOT_ELIGIBLE, "C4"),
        ({"members": 5}, _finance(500e6), financing.NOT_ELIGIBLE, "M1"),
        ({"members": 50}, _finance(500e6), financing.CONDITIONAL, "M2"),
        ({"simkopdes_active": False}, _finance(500e6), financing.CONDITIONAL, "G1"),
        ({"land_point_verified": False}, _finance(500e6), financing.CONDITIONAL, "G2"),
        ({}, _finance(500e6, months=2), financing.CONDITIONAL, "Q1"),
    ],
)
def test_each_rule_decides(change, finance, status, failed):
    result = financing.financing_eligibility({**COOP, **change}, finance, COMPLIANT)
    assert result["status"] == status
    assert failed in result["failed_rules"].split(",")
    assert not _rules(result)[failed]


def test_mostly_quarantined_lines_cannot_be_eligible():
    bad = COMPLIANT.assign(rejection_rate=[0.0, 0.9, 0.0])
    assert financing.financing_eligibility(COOP, _finance(500e6), bad)["status"] == financing.CONDITIONAL


def test_a_kelurahan_has_no_dana_desa_support():
    result = financing.financing_eligibility(
        {**COOP, "cooperative_type": "KKMP", "dana_desa_pagu_idr": None}, _finance(0), COMPLIANT
    )
    assert result["dana_desa_monthly_cap_idr"] == 0.0
    assert result["max_loan_idr"] == pytest.approx(round(25.6e6 * financing.annuity_factor(66), -6))


def test_a_received_time_moved_earlier_makes_its_month_stale(settings):
    """The same content landing under an older name moves received_at earlier (compliance may change)."""
    landed = datetime(2026, 8, 12, tzinfo=UTC)
    row = {"submission_id": "0123456789abcdef", "sha256": "0123456789abcdef" * 4, "file_name": "a.csv"}
    row |= {"size_bytes": 1, "received_at": landed, "updated_at": landed, "kind": "lines", "period": "2026-07"}
    row |= {"cooperative_id": "KDMP-1902022001", "status": "accepted", "decision": "accepted", "rows_bronze": 1}
    volumes = {"dataset": "commodity_volumes", "period": "2026-07", "fingerprint": "x", "rows": 1}
    volumes |= {"submissions": 1, "schema_version": "1.0", "published_at": landed}
    with store.get_engine(settings.db_url).begin() as conn:
        store.upsert(conn, store.Submission.__table__, [row], ("submission_id",))
        store.upsert(conn, store.Publication.__table__, [volumes], ("dataset", "period"))
    publish.record_publication(settings, "2026-07", publish._ledger_frame(settings.db_url), 1)
    assert publish.plan(settings) == []
    with store.get_engine(settings.db_url).begin() as conn:
        conn.execute(update(store.Submission).values(received_at=datetime(2026, 8, 9, tzinfo=UTC)))
    assert publish.plan(settings) == ["2026-07"]  # late before, on time now
