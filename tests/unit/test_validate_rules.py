"""Every contract rule: one row that passes and one that fails, checked through the real GX suite.

All cases run as submissions of one batch, as production does, so the test also shows that GX's unexpected
indices land on the right submission and row.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from include.kopdes_hub import contract, store, validate
from include.kopdes_hub.reference import load_catalogue

COOP = "KDMP-1902022001"
REGISTRY = validate.Registry(
    members={COOP: 200, "KDMP-1902022002": 80},
    places={COOP: ("HUB-1902", "19.02.02", "19.02.02.2001"), "KDMP-1902022002": ("HUB-1902", "19.02.02", "x")},
)
RECEIVED = datetime(2026, 8, 5, 3, 0, tzinfo=UTC)
LINE = {
    "cooperative_id": COOP,
    "period": "2026-07",
    "flow": "pasokan",
    "date": "05/07/2026",
    "commodity": "Lada Putih",
    "quantity": "1.250,5",
    "unit": "kg",
    "unit_price_idr": "Rp 160.000",
    "grade": "I",
    "notes": "kering",
}
FINANCE = {
    "cooperative_id": COOP,
    "period": "2026-07",
    "revenue_idr": "15.000.000",
    "operating_cost_idr": "9.000.000",
    "cash_idr": "4.000.000",
    "members": "200",
    "savings_principal_idr": "20.000.000",
    "savings_mandatory_idr": "3.000.000",
    "loan_outstanding_idr": "0",
    "loan_requested_idr": "0",
}

# (case id, changes to the second row, rules the second row must break, submission received_at)
LINE_CASES = [
    ("required_unit", {"unit": ""}, {"REQUIRED"}, None),
    ("required_quantity", {"quantity": " "}, {"REQUIRED"}, None),
    (
        "cooperative_unknown",
        {"cooperative_id": "KDMP-1902069999"},
        {"COOPERATIVE_UNKNOWN", "COOPERATIVE_MISMATCH"},
        None,
    ),
    ("cooperative_mismatch", {"cooperative_id": "KDMP-1902022002"}, {"COOPERATIVE_MISMATCH"}, None),
    ("period_format", {"period": "Juli"}, {"PERIOD_FORMAT", "PERIOD_MISMATCH"}, None),
    ("period_mismatch", {"period": "2026-06"}, {"PERIOD_MISMATCH"}, None),
    ("flow_unknown", {"flow": "jual"}, {"FLOW_UNKNOWN"}, None),
    ("date_format", {"date": "31/02/2026"}, {"DATE_FORMAT"}, None),
    ("date_outside_period", {"date": "30/06/2026"}, {"DATE_OUTSIDE_PERIOD"}, None),
    ("date_after_received", {"date": "25/07/2026"}, {"DATE_AFTER_RECEIVED"}, datetime(2026, 7, 20, tzinfo=UTC)),
    ("commodity_unknown", {"commodity": "Lada Putig"}, {"COMMODITY_UNKNOWN"}, None),
    ("unit_not_allowed", {"unit": "tabung"}, {"UNIT_NOT_ALLOWED"}, None),
    ("grade_unknown", {"grade": "III"}, {"GRADE_UNKNOWN"}, None),
    ("quantity_not_a_number", {"quantity": "banyak"}, {"NUMBER_FORMAT"}, None),
    ("price_not_a_number", {"unit_price_idr": "160rb"}, {"NUMBER_FORMAT"}, None),
    ("quantity_mixed_grouping", {"quantity": "1,234.567,8"}, {"NUMBER_FORMAT"}, None),
    ("quantity_negative", {"quantity": "-5"}, {"QUANTITY_NOT_POSITIVE"}, None),
    ("quantity_implausible", {"quantity": "5.000.000"}, {"QUANTITY_IMPLAUSIBLE"}, None),
    ("price_too_low", {"unit_price_idr": "Rp 1.000"}, {"PRICE_TOO_LOW"}, None),
    ("price_too_high", {"unit_price_idr": "Rp 5.000.000"}, {"PRICE_TOO_HIGH"}, None),
    ("duplicate_line", {}, {"DUPLICATE_ROW"}, None),
]
FINANCE_CASES = [
    ("required_revenue", {"revenue_idr": ""}, {"REQUIRED"}),
    ("revenue_not_a_number", {"revenue_idr": "lima juta"}, {"NUMBER_FORMAT"}),
    ("cash_negative", {"cash_idr": "-1.000"}, {"OUT_OF_RANGE"}),
    ("members_zero", {"members": "0"}, {"OUT_OF_RANGE"}),
    ("duplicate_row", {}, {"DUPLICATE_ROW"}),
]


def _submission(case: str, kind: str, rows: list[dict[str, str]], received: datetime | None = None):
    n = len(rows)
    bronze = pa.Table.from_pylist(rows).append_column("_submission_id", pa.array([case] * n))
    bronze = bronze.append_column("_source_file", pa.array([f"{case}.csv"] * n))
    bronze = bronze.append_column("_row_number", pa.array(range(2, 2 + n), pa.int32()))
    bronze = bronze.append_column("_received_at", pa.array([received or RECEIVED] * n, pa.timestamp("us", tz="UTC")))
    return validate.SubmissionInput(
        submission_id=case,
        kind=kind,
        file_name=f"{case}.csv",
        cooperative_id=COOP,
        period="2026-07",
        received_at=received or RECEIVED,
        delimiter=";",
        bronze=bronze,
    )


@pytest.fixture(scope="module")
def line_results() -> dict[str, list[list[validate.Reason]]]:
    subs = []
    for case, change, _, received in LINE_CASES:
        second = {**LINE, "date": "06/07/2026", **change} if change else dict(LINE)
        subs.append(_submission(case, contract.LINES, [dict(LINE), second], received))
    ev = validate.evaluate(contract.LINES, subs, REGISTRY, load_catalogue())
    return {
        s.submission_id: ev.row_reasons(lo, hi) for s, lo, hi in zip(subs, ev.bounds[:-1], ev.bounds[1:], strict=True)
    }


@pytest.fixture(scope="module")
def finance_results() -> dict[str, list[list[validate.Reason]]]:
    # A finance file holds one row, so the passing row is a file of its own ("good"); the duplicate case has two.
    subs = [_submission("good", contract.FINANCE, [dict(FINANCE)])]
    for case, change, _ in FINANCE_CASES:
        rows = [dict(FINANCE), dict(FINANCE)] if case == "duplicate_row" else [{**FINANCE, **change}]
        subs.append(_submission(case, contract.FINANCE, rows))
    ev = validate.evaluate(contract.FINANCE, subs, REGISTRY, load_catalogue())
    return {
        s.submission_id: ev.row_reasons(lo, hi) for s, lo, hi in zip(subs, ev.bounds[:-1], ev.bounds[1:], strict=True)
    }


@pytest.mark.parametrize(("case", "change", "rules", "received"), LINE_CASES, ids=[c[0] for c in LINE_CASES])
def test_line_rule_passes_good_row_and_fails_bad_row(line_results, case, change, rules, received):
    good, bad = line_results[case]
    assert good == [], f"the valid row broke {[r.rule_id for r in good]}"
    assert {r.rule_id for r in bad} == rules
    for reason in bad:
        assert reason.message_id and reason.message_en and reason.fix_id
        assert "{" not in reason.message_id + reason.fix_id, "unfilled template field"


@pytest.mark.parametrize(("case", "change", "rules"), FINANCE_CASES, ids=[c[0] for c in FINANCE_CASES])
def test_finance_rule_passes_good_row_and_fails_bad_row(finance_results, case, change, rules):
    assert finance_results["good"] == [[]]
    *first, bad = finance_results[case]
    assert first in ([], [[]])
    assert {r.rule_id for r in bad} == rules


def test_reasons_name_the_column_and_the_value_received(line_results):
    (reason,) = line_results["commodity_unknown"][1]
    assert (reason.column, reason.value) == ("commodity", "Lada Putig")
    assert "Lada Putih (lada_putih)" in reason.fix_id  # the closest catalogue name is suggested
    (reason,) = line_results["unit_not_allowed"][1]
    assert reason.fix_id.endswith("kg, kuintal, ton.")
    (reason,) = line_results["quantity_implausible"][1]
    assert "100.000 kg" in reason.message_id  # 200 members x 500 kg, written the Indonesian way
    assert "100,000 kg" in reason.message_en
    (reason,) = line_results["duplicate_line"][1]
    assert reason.message_id == "Baris ini sama persis dengan baris 2."


def test_silver_values_are_typed_in_base_units():
    sub = _submission(
        "typed", contract.LINES, [{**LINE, "quantity": "3", "unit": "Kwintal", "unit_price_idr": "15.800.000"}]
    )
    ev = validate.evaluate(contract.LINES, [sub], REGISTRY, load_catalogue())
    assert ev.reasons == {} and not ev.bad.any()
    row = ev.prepared.to_pylist()[0]
    assert (row["commodity"], row["unit"], row["quantity"], row["quantity_base"]) == (
        "lada_putih",
        "kuintal",
        3.0,
        300.0,
    )
    assert row["unit_price_base_idr"] == 158_000.0
    assert row["date"] == "2026-07-05"


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("1.250,5", True, 1250.5),
        ("1250.5", False, 1250.5),
        ("1250.5", True, 1250.5),
        ("1.250", True, 1250.0),
        ("1.250", False, 1.25),
        ("1,250.75", False, 1250.75),
        ("12,5", True, 12.5),
        ("Rp 160.000", True, 160000.0),
        ("Rp. 1.500.000", False, 1500000.0),
        ("IDR 2,000,000", False, 2000000.0),
        ("-5", True, -5.0),
        ("banyak", True, None),
        ("160rb", True, None),
        ("1.2.3,4,5", True, None),
        ("1,234.567,8", False, None),  # mixed grouping: once admitted by the rule and then unparseable
        ("1,500", False, 1500.0),
        ("1,500", True, 1.5),
        ("1,5", False, 1.5),
        ("- 2,5", True, -2.5),
        ("Rp\u00a0160.000", True, 160000.0),  # Excel's non-breaking space
        ("\uff11\uff12", False, None),  # full-width digits: not a number of the contract, for both regex engines
    ],
)
def test_parse_number(text, decimal_comma, expected):
    value = validate.parse_number(text, decimal_comma)
    assert (value != value) if expected is None else value == expected


def test_parse_dates_and_periods():
    texts = pa.array(["05/07/2026", "5-7-2026", "2026-07-05", "2026-07-05 00:00:00", "31/02/2026", None])
    assert validate.parse_dates(texts).to_pylist() == [
        "2026-07-05",
        "2026-07-05",
        "2026-07-05",
        "2026-07-05",
        "31/02/2026",
        None,
    ]
    assert [validate.normalize_period(p) for p in ("2026-7", "2026/07", "07/2026", "Juli", None)] == [
        "2026-07",
        "2026-07",
        "2026-07",
        "Juli",
        None,
    ]


@pytest.mark.parametrize(
    ("columns", "rows", "bad", "decision"),
    [
        (set(contract.REQUIRED[contract.LINES]), 10, 0, store.ACCEPTED),
        (set(contract.REQUIRED[contract.LINES]), 10, 5, store.PARTLY_ACCEPTED),
        (set(contract.REQUIRED[contract.LINES]), 10, 6, store.REJECTED),
        (set(contract.REQUIRED[contract.LINES]) - {"unit"}, 10, 10, store.REJECTED),
        (set(contract.REQUIRED[contract.LINES]), 0, 0, store.REJECTED),
    ],
)
def test_decision(columns, rows, bad, decision):
    assert validate.decide(contract.LINES, columns, rows, bad)[0] == decision


def test_missing_required_column_rejects_with_its_indonesian_name():
    decision, why = validate.decide(contract.LINES, set(contract.REQUIRED[contract.LINES]) - {"unit"}, 3, 3)
    assert decision == store.REJECTED and "satuan" in why


def test_conservation_mismatch_fails_loudly():
    sub = _submission("c", contract.LINES, [dict(LINE), dict(LINE)])
    validate.check_conservation(sub, 1, 1)
    with pytest.raises(RuntimeError, match="conservation broken"):
        validate.check_conservation(sub, 1, 0)
