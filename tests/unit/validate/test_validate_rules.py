"""Every contract rule: one row that passes and one that fails, checked through the real GX suite.

All cases run as submissions of one batch, as production does, so the test also shows that GX's unexpected
indices land on the right submission and row.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import select

from include.kopdes_hub import contract, validate
from include.kopdes_hub.reference import load_catalogue
from include.kopdes_hub.storage import lake, store
from include.kopdes_hub.validate import render

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
    # days that do not exist are malformed dates, not dates of another month or of the future
    ("date_day_32_iso", {"date": "2026-07-32"}, {"DATE_FORMAT"}, None),
    ("date_day_32_iso_other_month", {"date": "2026-03-32"}, {"DATE_FORMAT"}, None),
    ("date_month_13_iso", {"date": "2026-13-01"}, {"DATE_FORMAT"}, None),
    ("date_february_30_iso", {"date": "2026-02-30"}, {"DATE_FORMAT"}, None),
    ("date_april_31", {"date": "31/04/2026"}, {"DATE_FORMAT"}, None),
    ("date_day_32", {"date": "32/01/2026"}, {"DATE_FORMAT"}, None),
    ("date_outside_period", {"date": "30/06/2026"}, {"DATE_OUTSIDE_PERIOD"}, None),
    ("date_after_received", {"date": "25/07/2026"}, {"DATE_AFTER_RECEIVED"}, datetime(2026, 7, 20, tzinfo=UTC)),
    ("commodity_unknown", {"commodity": "Lada Putig"}, {"COMMODITY_UNKNOWN"}, None),
    ("unit_not_allowed", {"unit": "tabung"}, {"UNIT_NOT_ALLOWED"}, None),
    ("grade_unknown", {"grade": "III"}, {"GRADE_UNKNOWN"}, None),
    # squid and fish are graded by size at market [S67]
    ("grade_size_for_squid", {"commodity": "Cumi-cumi", "grade": "Besar", "unit_price_idr": "Rp 110.000"}, set(), None),
    (
        "grade_for_an_ungraded_commodity",
        {"commodity": "TBS Sawit", "grade": "super", "quantity": "500", "unit_price_idr": "Rp 3.000"},
        {"GRADE_UNKNOWN"},
        None,
    ),
    ("nik_in_notes", {"notes": "titip 3201123456780001"}, {"NIK_IN_NOTES"}, None),
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


def _bronze(case: str, kind: str, rows: list[dict[str, str]]) -> pa.Table:
    """A bronze table as ingest writes it: strings and lineage (no ``_received_at``: the ledger has that)."""
    n = len(rows)
    empty = {c: pa.array([], pa.string()) for c in contract.COLUMNS[kind]}
    bronze = pa.Table.from_pylist(rows) if rows else pa.table(empty)
    bronze = bronze.append_column("_submission_id", pa.array([case] * n, pa.string()))
    bronze = bronze.append_column("_source_file", pa.array([f"{case}.csv"] * n, pa.string()))
    return bronze.append_column("_row_number", pa.array(range(2, 2 + n), pa.int32()))


def _submission(
    case: str,
    kind: str,
    rows: list[dict[str, str]],
    received: datetime | None = None,
    cooperative_id: str | None = COOP,
    period: str | None = "2026-07",
):
    return validate.SubmissionInput(
        submission_id=case,
        kind=kind,
        file_name=f"{case}.csv",
        cooperative_id=cooperative_id,
        period=period,
        received_at=received or RECEIVED,
        delimiter=";",
        bronze=_bronze(case, kind, rows),
    )


@pytest.fixture(scope="module")
def line_evaluation() -> tuple[list[validate.SubmissionInput], validate.Evaluation]:
    subs = []
    for case, change, _, received in LINE_CASES:
        second = {**LINE, "date": "06/07/2026", **change} if change else dict(LINE)
        subs.append(_submission(case, contract.LINES, [dict(LINE), second], received))
    return subs, validate.evaluate(contract.LINES, subs, REGISTRY, load_catalogue())


@pytest.fixture(scope="module")
def line_results(line_evaluation) -> dict[str, list[list[validate.Reason]]]:
    subs, ev = line_evaluation
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


# What each rule's failure does (README, "Validate"): a warning keeps the line, an error quarantines it.
WARNINGS = {("GRADE_UNKNOWN", "grade"), ("NIK_IN_NOTES", "notes"), ("NUMBER_FORMAT", "unit_price_idr")}
WARNINGS |= {("PRICE_TOO_LOW", "unit_price_idr"), ("PRICE_TOO_HIGH", "unit_price_idr")}
WARNINGS |= {("QUANTITY_OUTLIER", "quantity")}


def _catalogue_rules(kind: str) -> list[contract.Rule]:
    from include.kopdes_hub.validate.gx import contract_rules

    return contract_rules(kind, REGISTRY, load_catalogue())


@pytest.mark.parametrize("kind", contract.KINDS)
def test_every_rule_has_the_severity_its_effect_on_the_numbers_calls_for(kind):
    for rule in _catalogue_rules(kind):
        expected = contract.WARNING if (rule.rule_id, rule.column) in WARNINGS else contract.ERROR
        assert rule.severity == expected, (rule.rule_id, rule.column)


def test_the_readme_rule_table_gives_every_rule_its_severity():
    """The README's rule table is the engineer's reference: every rule id is in it, with the contract's severity."""
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| rule_id | checks (GX expectation) | severity |") :].split("\n\n")[0]
    documented: dict[str, set[str]] = {}
    for line in table.splitlines()[2:]:
        first, _, severity, _ = (cell.strip() for cell in line.strip("|").split(" | ", 3))
        for rule_id in re.findall(r"`([A-Z_]+)`", first):
            documented.setdefault(rule_id, set()).add(severity)
    used: dict[str, set[str]] = {"FILE_REJECTED": {contract.ERROR}}
    for kind in contract.KINDS:
        for rule in _catalogue_rules(kind):
            used.setdefault(rule.rule_id, set()).add(rule.severity)
    assert documented == used


@pytest.mark.parametrize(("case", "change", "rules", "received"), LINE_CASES, ids=[c[0] for c in LINE_CASES])
def test_a_warning_keeps_the_line_and_an_error_quarantines_it(line_evaluation, case, change, rules, received):
    subs, ev = line_evaluation
    lo = int(ev.bounds[[s.submission_id for s in subs].index(case)])
    reasons = ev.reasons.get(lo + 1, [])
    for reason in reasons:
        expected = contract.WARNING if (reason.rule_id, reason.column) in WARNINGS else contract.ERROR
        assert reason.severity == expected, reason.rule_id
    assert ev.bad[lo + 1] == any(r.severity == contract.ERROR for r in reasons)
    assert ev.warned[lo + 1] == (bool(reasons) and not ev.bad[lo + 1])


def test_each_expectation_carries_its_rule_severity_into_gx(line_evaluation):
    _, ev = line_evaluation
    rule_list = _catalogue_rules(contract.LINES)
    seen = 0
    for result in ev.gx_results:
        for r in result.results:
            rule = rule_list[r.expectation_config.meta["rule"]]
            assert r.expectation_config.severity.value == contract.GX_SEVERITY[rule.severity]
            seen += 1
    assert seen == len(rule_list)  # both GX runs together check every rule once
    assert ev.gx_results[0].get_max_severity_failure().value == "critical"


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


def test_a_day_that_does_not_exist_is_shown_as_received(line_results):
    for case, text in [("date_day_32_iso", "2026-07-32"), ("date_month_13_iso", "2026-13-01")]:
        (reason,) = line_results[case][1]
        assert (reason.rule_id, reason.value) == ("DATE_FORMAT", text)
        assert f"'{text}'" in reason.message_id and f"'{text}'" in reason.message_en


def test_every_date_form_of_the_contract_passes_when_the_day_exists():
    forms = ["05/07/2026", "5-7-2026", "05-07-2026", "2026-07-05", "2026-7-5", "2026-07-05 00:00:00"]
    forms += ["05/07/2026 10:30", "2026/07/05", " 05/07/2026 "]
    subs = [
        _submission("forms", contract.LINES, [{**LINE, "date": d, "quantity": str(i + 1)} for i, d in enumerate(forms)])
    ]
    leap = [
        {**LINE, "period": "2028-02", "date": d, "quantity": str(i + 1)}
        for i, d in enumerate(["29/02/2028", "2028-02-29"])
    ]
    subs.append(_submission("leap", contract.LINES, leap, datetime(2028, 3, 5, tzinfo=UTC), period="2028-02"))
    ev = validate.evaluate(contract.LINES, subs, REGISTRY, load_catalogue())
    assert ev.reasons == {}
    assert ev.prepared["date"].to_pylist() == ["2026-07-05"] * len(forms) + ["2028-02-29"] * 2


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
    # ISO in the prepared column only for a real day, so the DATE_FORMAT pattern (checked by GX) decides
    assert validate.parse_dates(pa.array(["2026-03-32", "2026-13-01", "2026-02-30", "2028-02-29"])).to_pylist() == [
        "?2026-03-32",
        "?2026-13-01",
        "?2026-02-30",
        "2028-02-29",
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


# (case, the file's cooperative and period as the ledger has them, its rows, what the rejection says in English)
UNUSABLE_FILES = [
    ("zero_rows", COOP, "2026-07", [], "The file has no data rows."),
    ("no_period", COOP, None, [dict(LINE)], "The file names no reporting period (YYYY-MM)."),
    ("garbage_period", COOP, "Juli", [{**LINE, "period": "Juli"}], "The file's period 'Juli' is not a month YYYY-MM."),
    ("month_13", COOP, "2026-13", [{**LINE, "period": "2026-13"}], "The file's period '2026-13' is not a month"),
    ("no_cooperative", None, "2026-07", [{**LINE, "cooperative_id": ""}], "The file names no cooperative."),
    (
        "path_as_cooperative",
        "../../X",
        "2026-07",
        [{**LINE, "cooperative_id": "../../X"}],
        "The file's cooperative '../../X' is not registered with the hub.",
    ),
    (
        "unregistered",
        "KDMP-1902069999",
        "2026-07",
        [{**LINE, "cooperative_id": "KDMP-1902069999"}],
        "The file's cooperative 'KDMP-1902069999' is not registered with the hub.",
    ),
]


def test_a_file_without_a_usable_period_or_cooperative_is_rejected_with_a_reason():
    subs = [_submission("usable", contract.LINES, [dict(LINE)])]
    subs += [_submission(c, contract.LINES, rows, cooperative_id=k, period=p) for c, k, p, rows, _ in UNUSABLE_FILES]
    ev = validate.evaluate(contract.LINES, subs, REGISTRY, load_catalogue())
    assert ev.decisions[0] == (store.ACCEPTED, None)
    for (case, *_, english), (decision, why), lo, hi in zip(
        UNUSABLE_FILES, ev.decisions[1:], ev.bounds[1:-1], ev.bounds[2:], strict=True
    ):
        assert decision == store.REJECTED, case
        assert why.message_en.startswith(english), case
        assert why == f"{why.message_id} / {why.message_en}" and why.message_id, case
        assert all(ev.row_reasons(lo, hi)), f"{case}: a row of a rejected file without a reason"
    # the row of the file without a period broke no rule itself: it is told why the whole file went back
    (whole,) = ev.row_reasons(ev.bounds[2], ev.bounds[3])[0]
    assert whole.rule_id == "FILE_REJECTED" and "periode" in whole.message_id


def test_a_rejection_keeps_its_halves_apart_when_the_value_holds_the_separator():
    why = validate.file_problem(COOP, "07 / 2026", {COOP})
    assert why.message_id.startswith("Periode berkas '07 / 2026' tidak dikenali")
    assert why.message_en == "The file's period '07 / 2026' is not a month YYYY-MM."
    assert validate.file_problem(COOP, "2026-07", {COOP}) is None


@pytest.mark.parametrize(
    ("period", "partition"),
    [
        *[("2026-07", "2026-07"), ("2026/7", "2026-07"), ("07/2026", "2026-07"), (" 2026-07 ", "2026-07")],
        *[("Juli", "unknown"), (None, "unknown"), ("", "unknown"), ("2026-13", "unknown"), ("../2026-07", "unknown")],
    ],
)
def test_the_partition_is_the_files_month_or_unknown(period, partition):
    assert _submission("p", contract.LINES, [], period=period).partition == partition


def _land(settings, case: str, rows: list[dict[str, str]], bronze: pa.Table | None = None, **ledger) -> str:
    """A submission in status ``bronze``: its bronze file and its ledger row, as ingest leaves them."""
    submission_id = hashlib.sha256(case.encode()).hexdigest()[:16]
    path = settings.lake / "bronze" / f"{submission_id}.parquet"
    lake.write_parquet_atomic(_bronze(case, contract.LINES, rows) if bronze is None else bronze, path)
    values = {"cooperative_id": COOP, "period": "2026-07", "received_at": RECEIVED, **ledger}
    with store.get_engine(settings.db_url).begin() as conn:
        conn.execute(
            store.Submission.__table__.insert().values(
                submission_id=submission_id,
                sha256=hashlib.sha256(case.encode()).hexdigest(),
                file_name=f"{case}.csv",
                size_bytes=1,
                status=store.BRONZE,
                kind=contract.LINES,
                delimiter=";",
                rows_bronze=len(rows),
                bronze_path=path.relative_to(settings.lake).as_posix(),
                updated_at=RECEIVED,
                **values,
            )
        )
    return submission_id


def _ledger_row(settings, submission_id: str):
    with store.get_engine(settings.db_url).connect() as conn:
        return conn.execute(select(store.Submission).where(store.Submission.submission_id == submission_id)).one()


def test_unusable_files_are_rejected_and_every_file_stays_inside_the_lake(settings):
    ids = [
        _land(
            settings,
            "traversal",
            [{**LINE, "cooperative_id": "../../X", "period": "../../Y"}],
            cooperative_id="../../X",
            period="../../Y",
        ),
        _land(settings, "empty", []),
        _land(settings, "no_period", [dict(LINE)], period=None),
    ]
    validate.validate_submissions(settings, ids)
    render.render_submissions(settings, ids)
    traversal, empty, no_period = (_ledger_row(settings, i) for i in ids)
    assert [r.decision for r in (traversal, empty, no_period)] == [store.REJECTED] * 3
    assert "'../../Y' is not a month" in traversal.decision_reason
    assert "no data rows" in empty.decision_reason and "no reporting period" in no_period.decision_reason
    assert traversal.quarantine_path == f"quarantine/lines/period=unknown/{ids[0]}.parquet"
    assert traversal.feedback_path == f"feedback/unknown/period=unknown/{ids[0]}.html"
    assert empty.feedback_path == f"feedback/{COOP}/period=2026-07/{ids[1]}.html"
    assert (empty.rows_silver, empty.rows_quarantine) == (0, 0)
    written = [p for p in settings.lake.parent.rglob("*") if p.is_file()]
    assert all(p.is_relative_to(settings.lake) for p in written if p.suffix in (".parquet", ".html", ".csv", ".json"))
    assert not (settings.lake.parent / "X").exists() and not (settings.lake.parent.parent / "X").exists()


def test_lineage_received_at_comes_from_the_ledger_not_from_bronze(settings):
    # the ledger's received_at is the earliest landing of any name of the content; bronze may not carry it at all
    landed = datetime(2026, 8, 1, 2, 30, tzinfo=UTC)
    stale = _bronze("stale", contract.LINES, [dict(LINE), {**LINE, "commodity": "Lada Putig"}])
    stale = stale.append_column("_received_at", pa.array([RECEIVED] * 2, pa.timestamp("us", tz="UTC")))
    ids = [
        _land(settings, "without", [dict(LINE)], received_at=landed),
        _land(settings, "stale", [], bronze=stale, received_at=landed),
    ]
    validate.validate_submissions(settings, ids)
    rows = []
    for submission_id in ids:
        sub = _ledger_row(settings, submission_id)
        for relative in (sub.silver_path, sub.quarantine_path):
            if relative:
                rows += lake.read_parquet(settings.lake / relative, ["received_at"]).to_pylist()
    assert rows == [{"received_at": landed}] * 3


def test_batches_come_out_even_so_no_worker_runs_a_straggler_alone():
    files = [(f"s{i:04d}", 980 + i % 41) for i in range(1000)]  # ~1M rows in files of ~1,000
    batches = validate.plan_batches(files, 250_000, 1000)
    sizes = [sum(n for s, n in files if s in set(b)) for b in batches]
    assert len(batches) == 4 and max(sizes) - min(sizes) < 2_000
    assert [s for b in batches for s in b] == [s for s, _ in files]  # every submission once, in order
    assert validate.plan_batches([("big", 300_000), ("small", 10)], 250_000, 1000) == [["big"], ["small"]]
    assert validate.plan_batches(files[:10], 250_000, 4) == [
        [s for s, _ in files[i : min(i + 4, 10)]] for i in (0, 4, 8)
    ]
