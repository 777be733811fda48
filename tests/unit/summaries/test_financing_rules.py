"""Every financing rule of the table (``financing.RULES``), passing and failing, through the public function: the
rule's result, its figure and threshold, and what it does to the status and the maximum loan."""

from __future__ import annotations

import pandas as pd
import pytest

from include.kopdes_hub.reporting import id_format
from include.kopdes_hub.summaries import financing
from tests.unit.summaries.test_summaries import COOP

# COOP passes every rule: 40 jt/month cash flow (32 jt after imbal jasa), Dana Desa pagu 450 jt, 150 members.
NO_DANA_DESA = {"cooperative_type": "KKMP", "dana_desa_pagu_idr": None}
PERIODS = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
ANNUITY = financing.annuity_factor(financing.TENOR_MONTHS - financing.GRACE_MONTHS)


def _finance(requested: float = 500e6, revenue: float = 100e6, cost: float = 60e6, months: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {"period": PERIODS[len(PERIODS) - months :], "revenue_idr": revenue, "operating_cost_idr": cost}
    ).assign(loan_requested_idr=requested)


def _compliance(rejection: tuple[float, ...] = (0.0, 0.0, 0.0), kind: str = "lines") -> pd.DataFrame:
    return pd.DataFrame({"kind": kind, "status": "on_time", "rejection_rate": list(rejection)})


def _decide(change: dict | None = None, finance: pd.DataFrame | None = None, compliance: pd.DataFrame | None = None):
    return financing.financing_eligibility(
        {**COOP, **(change or {})},
        _finance() if finance is None else finance,
        _compliance() if compliance is None else compliance,
    )


def _rule(result: dict, rule_id: str) -> dict:
    (found,) = [r for r in result["rules"] if r["rule_id"] == rule_id]
    return found


def _failed(result: dict) -> set[str]:
    return set(filter(None, result["failed_rules"].split(",")))


def _rupiah(text: str) -> float:
    return float(text.rsplit("Rp ", 1)[1].replace(",", ""))


def test_the_baseline_passes_every_rule():
    result = _decide()
    assert result["status"] == financing.ELIGIBLE and result["failed_rules"] == ""
    assert all(r["passed"] for r in result["rules"])


def test_the_table_is_the_published_order_and_every_rule_has_a_source_and_a_test():
    ids = [r.rule_id for r in financing.RULES]
    assert ids == ["L1", "L2", "L3", "L4", "L5", "L6", "A1", "C1", "C4", "M1", "M2", "G1", "G2", "Q1", "C3"]
    assert [r["rule_id"] for r in _decide()["rules"]] == ids  # rules_json keeps the table's order
    assert all(r.source and r.severity in (financing.HARD, financing.SOFT) for r in financing.RULES)
    assert set(ids) == TESTED  # a new row in the table needs its test here


@pytest.mark.parametrize("rule_id", list(financing.DOCUMENTS))
@pytest.mark.parametrize(
    ("held", "passed", "status"),
    [
        ("yes", True, financing.ELIGIBLE),
        ("", False, financing.NOT_ELIGIBLE),
        (None, False, financing.NOT_ELIGIBLE),
        (False, False, financing.NOT_ELIGIBLE),
        ("false", False, financing.NOT_ELIGIBLE),  # the registry's flags arrive as text too
        ("nan", False, financing.NOT_ELIGIBLE),
    ],
)
def test_documents_l1_to_l6(rule_id, held, passed, status):
    field, name = financing.DOCUMENTS[rule_id]
    result = _decide({field: held})
    rule = _rule(result, rule_id)
    assert (rule["passed"], rule["severity"], rule["threshold"]) == (passed, financing.HARD, "wajib ada")
    assert rule["value"] == ("ada" if passed else "tidak ada")
    assert rule["reason"] == (f"{name} ada" if passed else f"{name} belum ada: lengkapi dokumen")
    assert result["status"] == status and _failed(result) == (set() if passed else {rule_id})
    assert (result["max_loan_idr"] == 0.0) is not passed  # a NOT_ELIGIBLE cooperative gets no loan estimate


@pytest.mark.parametrize(
    ("change", "passed", "status", "approver"),
    [
        ({}, True, financing.ELIGIBLE, "kepala desa (musdes)"),
        ({"has_approval_letter": False}, False, financing.CONDITIONAL, "kepala desa (musdes)"),
        ({"has_approval_letter": False, **NO_DANA_DESA}, False, financing.CONDITIONAL, "bupati (muskel)"),
    ],
)
def test_a1_approval_by_kepala_desa_or_bupati(change, passed, status, approver):
    result = _decide(change)  # Rp 500 jt, affordable with or without Dana Desa: only A1 can fail
    rule = _rule(result, "A1")
    assert (rule["passed"], rule["severity"], rule["threshold"]) == (passed, financing.SOFT, f"persetujuan {approver}")
    assert rule["reason"] == ("persetujuan ada" if passed else f"minta persetujuan {approver} sebelum pencairan")
    assert result["status"] == status and _failed(result) == (set() if passed else {"A1"})
    assert result["max_loan_idr"] > 0  # a soft fail keeps the loan estimate


# 100 jt/month cash flow: 80 jt after imbal jasa repays the whole plafon at a DSCR of 1.5.
RICH = {"revenue": 200e6, "cost": 100e6}


@pytest.mark.parametrize(
    ("requested", "passed", "status", "failed"),
    [
        (financing.PLAFON_IDR, True, financing.ELIGIBLE, set()),
        (financing.PLAFON_IDR + 1, False, financing.NOT_ELIGIBLE, {"C1", "C3"}),  # above the plafon is unaffordable
    ],
)
def test_c1_the_plafon(requested, passed, status, failed):
    result = _decide(finance=_finance(requested, **RICH))
    rule = _rule(result, "C1")
    assert (rule["passed"], rule["severity"]) == (passed, financing.HARD)
    assert (rule["value"], rule["threshold"]) == (f"Rp {requested:,.0f}", "<= Rp 3,000,000,000")  # machine-readable
    assert rule["reason"] == ("pengajuan dalam plafon" if passed else "pengajuan melebihi plafon Rp 3.000.000.000")
    assert result["status"] == status and _failed(result) == failed
    assert result["max_loan_idr"] == (3e9 if passed else 0.0)
    assert result["max_opex_idr"] == (financing.OPEX_CAP_IDR if passed else 0.0)


@pytest.mark.parametrize(
    ("change", "requested", "passed", "status", "failed", "capacity"),
    [
        # 32 jt / 1.25 + Dana Desa 0.30 x 450 jt / 12 = 36.85 jt/month
        ({}, 500e6, True, financing.ELIGIBLE, set(), 36.85e6),
        ({}, 2.0e9, True, financing.NOT_ELIGIBLE, {"C4"}, 36.85e6),  # affordable only thanks to the Dana Desa cap
        # a kelurahan has no Dana Desa: 25.6 jt/month repays about Rp 1.44 bn; C4 fails with it (DSCR 1.12, soft)
        (NO_DANA_DESA, 1.6e9, False, financing.CONDITIONAL, {"C3", "C4"}, 25.6e6),
    ],
)
def test_c3_what_the_business_and_the_dana_desa_cap_can_repay(change, requested, passed, status, failed, capacity):
    result = _decide(change, _finance(requested))
    rule = _rule(result, "C3")
    assert (rule["passed"], rule["severity"], rule["value"]) == (passed, financing.SOFT, f"Rp {requested:,.0f}")
    assert _rupiah(rule["threshold"]) == pytest.approx(capacity * ANNUITY, abs=1)
    written = id_format.rupiah(capacity * ANNUITY)
    assert rule["reason"] == (
        f"pengajuan dalam kemampuan bayar ({written})"
        if passed
        else f"kurangi pengajuan ke kemampuan bayar, paling banyak {written}"
    )
    assert result["status"] == status and _failed(result) == failed
    expected_max = 0.0 if status == financing.NOT_ELIGIBLE else round(capacity * ANNUITY, -6)
    assert result["max_loan_idr"] == pytest.approx(expected_max)


@pytest.mark.parametrize(
    ("requested", "revenue", "repays", "passed", "severity", "status"),
    [
        (500e6, 100e6, 32e6, True, financing.SOFT, financing.ELIGIBLE),  # DSCR 3.59
        (1.6e9, 100e6, 32e6, False, financing.SOFT, financing.CONDITIONAL),  # 1.12: between 1.0 and 1.25
        (2.0e9, 100e6, 32e6, False, financing.HARD, financing.NOT_ELIGIBLE),  # 0.90: under 1.0 the fail is hard
        # a loss of 10 jt/month owes no imbal jasa and repays nothing (the Dana Desa cap alone keeps C3 passing)
        (500e6, 50e6, -10e6, False, financing.HARD, financing.NOT_ELIGIBLE),
    ],
)
def test_c4_repayment_capacity_is_graded(requested, revenue, repays, passed, severity, status):
    result = _decide(finance=_finance(requested, revenue=revenue))
    dscr = repays / financing.instalment(requested)
    rule = _rule(result, "C4")
    assert (rule["passed"], rule["severity"], rule["value"]) == (passed, severity, f"{dscr:.2f}")
    assert rule["threshold"] == ">= 1.25 (>= 1.0: bersyarat)"
    assert result["dscr"] == pytest.approx(dscr)
    assert result["instalment_idr"] == pytest.approx(financing.instalment(requested))
    assert rule["reason"] == (
        f"arus kas usaha {id_format.rupiah(repays)}/bulan setelah imbal jasa 20% [S34] untuk angsuran "
        f"{id_format.rupiah(financing.instalment(requested))}/bulan (DSCR {id_format.ratio(dscr)})"
    )
    assert result["status"] == status and _failed(result) == (set() if passed else {"C4"})


def test_the_reasons_write_numbers_the_indonesian_way():
    # Rp 500 jt: instalment Rp 8,913,136 a month; an Indonesian reader takes "8,913,136" for a decimal
    rule = _rule(_decide(), "C4")
    assert rule["reason"] == (
        "arus kas usaha Rp 32.000.000/bulan setelah imbal jasa 20% [S34] untuk angsuran Rp 8.913.136/bulan (DSCR 3,59)"
    )
    assert rule["value"] == "3.59"  # the figure itself stays machine-readable


@pytest.mark.parametrize(
    ("change", "finance", "failed", "max_loan"),
    [
        # every rule met: what it could borrow if it applied now, the C3 capacity
        ({}, _finance(0), set(), round(36.85e6 * ANNUITY, -6)),
        ({"land_point_verified": False}, _finance(0), {"G2"}, round(36.85e6 * ANNUITY, -6)),  # soft: still able
        ({"nib": ""}, _finance(0), {"L5"}, 0.0),  # a hard rule fails: nothing until the NIB is there
        # no finance report at all: no request known, the record too thin (Q1), no cash flow to repay with
        ({}, _finance(0, months=0), {"Q1"}, round(11.25e6 * ANNUITY, -6)),
    ],
)
def test_a_cooperative_that_requested_nothing_is_not_applied(change, finance, failed, max_loan):
    result = _decide(change, finance)
    assert result["status"] == financing.NOT_APPLIED  # never ELIGIBLE for Rp 0
    assert _failed(result) == failed  # what it must meet before it applies
    assert result["max_loan_idr"] == pytest.approx(max_loan)
    assert result["max_opex_idr"] == min(financing.OPEX_CAP_IDR, max_loan)
    # the rules about a request have no request to judge: C1 (plafon), C4 (DSCR), C3 (affordable)
    applied = [r["rule_id"] for r in result["rules"]]
    assert applied == [r.rule_id for r in financing.RULES if r.rule_id not in ("C1", "C4", "C3")]
    assert (result["dscr"], result["instalment_idr"], result["loan_requested_idr"]) == (None, 0.0, 0.0)


def test_the_totals_say_whose_figures_they_sum():
    rows = pd.DataFrame(
        {
            "status": [financing.ELIGIBLE, financing.CONDITIONAL, financing.NOT_ELIGIBLE] + [financing.NOT_APPLIED] * 3,
            "loan_requested_idr": [500e6, 1e9, 3e9, 0.0, 0.0, 0.0],
            "max_loan_idr": [700e6, 800e6, 0.0, 2e9, 600e6, 0.0],
        }
    )
    totals = financing.totals(rows)
    assert totals.by_status == {"ELIGIBLE": 1, "CONDITIONAL": 1, "NOT_ELIGIBLE": 1, "NOT_APPLIED": 3}
    assert (totals.applicants, totals.requested_idr) == (3, 4.5e9)
    assert (totals.approvable, totals.approvable_requested_idr, totals.approvable_max_loan_idr) == (2, 1.5e9, 1.5e9)
    assert (totals.not_applied_able, totals.not_applied_max_loan_idr) == (2, 2.6e9)  # not a request: kept apart


@pytest.mark.parametrize(
    ("members", "passed", "status", "failed"),
    [
        (150, True, financing.ELIGIBLE, set()),
        (9, True, financing.CONDITIONAL, {"M2"}),  # legal, but thin: M2 fails
        (8, False, financing.NOT_ELIGIBLE, {"M1", "M2"}),
        (None, False, financing.NOT_ELIGIBLE, {"M1", "M2"}),  # unknown counts as none
    ],
)
def test_m1_the_legal_minimum_of_members(members, passed, status, failed):
    result = _decide({"members": members})
    rule = _rule(result, "M1")
    assert (rule["passed"], rule["severity"], rule["threshold"]) == (passed, financing.HARD, ">= 9")
    assert rule["value"] == str(members or 0)
    assert result["status"] == status and _failed(result) == failed


@pytest.mark.parametrize(
    ("members", "passed", "status"), [(100, True, financing.ELIGIBLE), (99, False, financing.CONDITIONAL)]
)
def test_m2_a_sound_member_base(members, passed, status):
    result = _decide({"members": members})
    rule = _rule(result, "M2")
    assert (rule["passed"], rule["severity"], rule["threshold"], rule["value"]) == (
        passed,
        financing.SOFT,
        ">= 100",
        str(members),
    )
    assert result["status"] == status and _failed(result) == (set() if passed else {"M2"})


@pytest.mark.parametrize(
    ("rule_id", "field", "held_value", "missing_value"),
    [("G1", "simkopdes_active", "aktif", "tidak aktif"), ("G2", "land_point_verified", "terverifikasi", "belum")],
)
@pytest.mark.parametrize("held", [True, False])
def test_g1_g2_simkopdes_and_land_point(rule_id, field, held_value, missing_value, held):
    result = _decide({field: held})
    rule = _rule(result, rule_id)
    assert (rule["passed"], rule["severity"]) == (held, financing.SOFT)
    assert rule["value"] == (held_value if held else missing_value)
    assert result["status"] == (financing.ELIGIBLE if held else financing.CONDITIONAL)
    assert _failed(result) == (set() if held else {rule_id})


@pytest.mark.parametrize(
    ("months", "compliance", "passed", "value"),
    [
        (3, _compliance(), True, "3 bulan keuangan diterima"),
        (5, _compliance(), True, "3 bulan keuangan diterima"),  # only the last FINANCE_MONTHS count
        (2, _compliance(), False, "2 bulan keuangan diterima"),
        (3, _compliance((0.0, 0.9, 0.0)), False, "3 bulan keuangan diterima"),  # one month mostly quarantined
        (3, _compliance((0.5, 0.5, 0.5)), True, "3 bulan keuangan diterima"),  # half is not "mostly"
        (3, _compliance((0.9, 0.9, 0.9), kind="finance"), True, "3 bulan keuangan diterima"),  # lines only
    ],
)
def test_q1_data_quality(months, compliance, passed, value):
    result = _decide(finance=_finance(months=months), compliance=compliance)
    rule = _rule(result, "Q1")
    assert (rule["passed"], rule["severity"], rule["value"]) == (passed, financing.SOFT, value)
    assert rule["threshold"] == "3 bulan terakhir lengkap"
    assert result["status"] == (financing.ELIGIBLE if passed else financing.CONDITIONAL)
    assert _failed(result) == (set() if passed else {"Q1"})


def test_the_facts_are_computed_once_from_the_inputs():
    facts = financing.cooperative_facts(COOP, _finance(500e6, months=5), _compliance())
    assert (facts.finance_months, facts.requested_idr, facts.members) == (3, 500e6, 150)
    assert facts.cash_flow_after_imbal_jasa_idr == pytest.approx(32e6)
    assert facts.dana_desa_monthly_cap_idr == pytest.approx(11.25e6)
    assert facts.documents_held == {field for field, _name in financing.DOCUMENTS.values()}
    assert facts.affordable_idr == pytest.approx(36.85e6 * ANNUITY)


TESTED = {*financing.DOCUMENTS, "A1", "C1", "C3", "C4", "M1", "M2", "G1", "G2", "Q1"}
