"""Warnings never drop a line: a file whose only faults are warnings is accepted whole, its lines reach silver and
gold with what was doubtful left out, and the clerk reads them in their own section; outliers are judged against
the cooperative's own history, by hand here."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from include.kopdes_hub import aggregate, contract, validate
from include.kopdes_hub.ingest import stage as ingest
from include.kopdes_hub.reference import load_catalogue
from include.kopdes_hub.storage import gold, schemas, store
from include.kopdes_hub.validate import render
from include.kopdes_hub.validate.history import usual_max
from tests.unit.validate.test_validate_rules import LINE, REGISTRY, _submission

FLAT = [1.0] * 12


def test_usual_max_is_median_plus_k_spread_by_hand():
    # median 100; |x - 100| = 0, 10, 10, 0, 20, 20 -> MAD 10, scaled 14.826 < 25 % of the median: spread 25
    history = {"2026-01": 100, "2026-02": 110, "2026-03": 90, "2026-04": 100, "2026-05": 120, "2026-06": 80}
    assert usual_max(history, "2026-07", FLAT) == pytest.approx(100 + 3.5 * 25)
    # a wide history: median 250, MAD 100, spread 148.26 -> 250 + 3.5 x 148.26
    wide = {"2026-03": 100, "2026-04": 200, "2026-05": 300, "2026-06": 400}
    assert usual_max(wide, "2026-07", FLAT) == pytest.approx(250 + 3.5 * 148.26)


def test_usual_max_puts_the_season_back_and_looks_only_six_months_back():
    season = [1.0] * 12
    season[6] = 4.0  # July: harvest, four times a normal month
    history = {"2026-01": 100, "2026-02": 100, "2026-03": 100, "2025-12": 10_000}  # December is 7 months back
    assert usual_max(history, "2026-07", season) == pytest.approx((100 + 3.5 * 25) * 4.0)
    halved = dict.fromkeys(("2026-04", "2026-05", "2026-06"), 50.0)
    season[3:6] = [0.5, 0.5, 0.5]  # a low season that sold half: deseasonalised, the same 100 a month
    assert usual_max(halved, "2026-07", season) == pytest.approx((100 + 3.5 * 25) * 4.0)


def test_without_three_months_of_history_only_the_catalogue_caps_bound_a_quantity():
    assert usual_max({"2026-05": 100, "2026-06": 100}, "2026-07", FLAT) is None
    assert usual_max({}, "2026-07", FLAT) is None


def _month(period: str, quantity: str, commodity: str = "Kelapa", unit: str = "butir", price: str = "5.000"):
    month = int(period[5:])
    line = {**LINE, "period": period, "date": f"05/{month:02d}/2026", "commodity": commodity, "quantity": quantity}
    line.update(unit=unit, unit_price_idr=price, grade="A" if commodity == "Kelapa" else "I")
    received = datetime(2026, month + 1, 5, 3, tzinfo=UTC)
    return _submission(f"m{month:02d}", contract.LINES, [line], received, period=period)


def test_a_month_far_above_the_cooperative_s_own_history_is_a_warning_naming_figure_and_threshold():
    catalogue = load_catalogue()
    season = catalogue.commodities["kelapa"].seasonality
    # January-June: 1,000 nuts in a normal month, in season; deseasonalised exactly 1,000 each
    history = [_month(f"2026-{m:02d}", str(round(1000 * season[m - 1]))) for m in range(1, 7)]
    threshold = (1000 + 3.5 * 250) * season[6]  # MAD 0 -> spread 25 % of the median
    for july, warned in ((str(round(threshold)), False), ("12.000", True)):
        subs = [*history, _month("2026-07", july)]
        ev = validate.evaluate(contract.LINES, subs, REGISTRY, catalogue)
        reasons = ev.row_reasons(6, 7)[0]
        assert [r.rule_id for r in reasons] == (["QUANTITY_OUTLIER"] if warned else [])
        assert not ev.bad.any(), "an outlier is a warning: the line counts"
    (reason,) = reasons
    assert reason.severity == contract.WARNING and reason.value == "12.000"
    assert "12.000 butir" in reason.message_id  # the month's figure
    assert f"{threshold:,.0f} butir".replace(",", ".") in reason.message_id  # and the threshold
    assert f"at most {threshold:,.0f} butir" in reason.message_en


def test_the_history_is_the_latest_accepted_file_of_each_month():
    catalogue = load_catalogue()
    season = catalogue.commodities["kelapa"].seasonality
    history = [_month(f"2026-{m:02d}", str(round(1000 * season[m - 1]))) for m in range(1, 7)]
    # a first June file said ten times more; the clerk's corrected resubmission, landed later, replaces it
    wrong = _month("2026-06", str(round(10_000 * season[5])))
    wrong.submission_id, wrong.received_at = "m06-first", datetime(2026, 7, 1, tzinfo=UTC)
    july = _month("2026-07", "1.200")
    ev = validate.evaluate(contract.LINES, [wrong, *history, july], REGISTRY, catalogue)
    prepared = ev.prepared.to_pylist()
    assert prepared[-1]["usual_max_base"] == pytest.approx((1000 + 3.5 * 250) * season[6])


def _write(settings, name: str, rows: list[dict[str, str]], received: datetime) -> None:
    header = [contract.INDONESIAN_NAMES[c] for c in rows[0]]
    body = [header, *([str(v) for v in r.values()] for r in rows)]
    path = settings.landing / name
    path.write_bytes("\r\n".join(";".join(r) for r in body).encode("utf-8") + b"\r\n")
    os.utime(path, (received.timestamp(), received.timestamp()))


def _validate_all(settings) -> None:
    """Ingest, the decision path, then the pages rendered off it (as kopdes_validate's render task does)."""
    ingest.ingest_files(settings, ingest.find_new_files(settings))
    validate.validate_submissions(settings, [s for s, _ in validate.find_bronze(settings)])
    validate.apply_supersession(settings)
    render.render_submissions(settings, render.pending(settings))


def test_a_file_whose_only_faults_are_warnings_is_accepted_whole(settings):
    line = {**LINE, "quantity": "10", "notes": "kering"}
    rows = [
        dict(line),
        {**line, "date": "06/07/2026", "grade": "super"},  # not a grade of pepper
        {**line, "date": "07/07/2026", "unit_price_idr": "Rp 1.600.000"},  # a total, not a price per kg
        {**line, "date": "08/07/2026", "notes": "titip 3201123456780001"},
        {**line, "date": "09/07/2026", "unit_price_idr": "160rb"},
    ]
    _write(settings, "KDMP-1902022001_2026-07.csv", rows, datetime(2026, 8, 3, tzinfo=UTC))
    _validate_all(settings)
    with store.get_engine(settings.db_url).connect() as conn:
        sub = conn.execute(select(store.Submission)).one()
    assert (sub.decision, sub.rows_silver, sub.rows_quarantine, sub.rows_warning) == ("accepted", 5, 0, 4)

    silver = pq.read_table(settings.lake / sub.silver_path)
    assert silver.schema.metadata[b"kopdes.schema_version"] == schemas.SILVER_LINES.version.encode()
    assert set(silver["contract_version"].to_pylist()) == {contract.CONTRACT_VERSION} == {"v1.1"}
    assert silver["warning_ids"].to_pylist() == [
        [],
        ["GRADE_UNKNOWN"],
        ["PRICE_TOO_HIGH"],
        ["NIK_IN_NOTES"],
        ["NUMBER_FORMAT"],
    ]
    assert silver["grade"].to_pylist() == ["I", None, "I", "I", "I"]  # an unknown grade: null, kept as received
    assert silver["grade_received"].to_pylist() == ["I", "super", "I", "I", "I"]
    assert silver["value_idr"].to_pylist() == [1_600_000.0, 1_600_000.0, None, 1_600_000.0, None]
    assert silver["unit_price_idr"].to_pylist()[2] is None
    (warning,) = silver["warnings"].to_pylist()[2]
    assert warning["severity"] == contract.WARNING and warning["value"] == "Rp 1.600.000"
    assert "nilai (Rp) baris ini tidak dihitung" in warning["message_id"]

    # every line in gold; the doubtful prices do not inflate the value
    aggregate.rebuild_period(settings, "2026-07")
    volumes = gold.read_partition(settings.lake, schemas.COMMODITY_VOLUMES, "2026-07").to_pylist()
    (pepper,) = [v for v in volumes if v["commodity"] == "lada_putih"]
    assert (pepper["quantity_base"], pepper["lines"], pepper["value_idr"]) == (50.0, 5, 4_800_000.0)

    page = (settings.lake / sub.feedback_path).read_text(encoding="utf-8")
    assert "DITERIMA</span>" in page and 'id="peringatan"' in page and 'id="kesalahan"' not in page
    assert "5 baris masuk data hub" in page and "(4 di antaranya dengan peringatan)" in page
    table = list(
        csv.reader(
            io.StringIO((settings.lake / sub.feedback_path).with_suffix(".csv").read_text("utf-8-sig")), delimiter=";"
        )
    )
    assert table[0][0] == "tingkat" and {r[0] for r in table[1:]} == {"PERINGATAN"}
    assert [(r[1], r[4]) for r in table[1:]] == [
        ("3", "GRADE_UNKNOWN"),
        ("4", "PRICE_TOO_HIGH"),
        ("5", "NIK_IN_NOTES"),
        ("6", "NUMBER_FORMAT"),
    ]


def test_errors_and_warnings_in_one_file_count_apart_and_rows_are_conserved(settings):
    rows = [
        dict(LINE),
        {**LINE, "date": "06/07/2026", "grade": "super"},
        {**LINE, "date": "07/07/2026", "quantity": "-5", "grade": "super"},  # an error and a warning
        {**LINE, "date": "08/07/2026", "grade": "super"},
    ]
    _write(settings, "KDMP-1902022001_2026-07.csv", rows, datetime(2026, 8, 3, tzinfo=UTC))
    _validate_all(settings)
    with store.get_engine(settings.db_url).connect() as conn:
        sub = conn.execute(select(store.Submission)).one()
    # one error row of four: partly accepted (the 50 % share counts errors only)
    assert (sub.decision, sub.rows_silver, sub.rows_quarantine, sub.rows_warning) == ("partly_accepted", 3, 1, 2)
    assert sub.rows_silver + sub.rows_quarantine == sub.rows_bronze
    quarantine = pq.read_table(settings.lake / sub.quarantine_path).to_pylist()
    (row,) = quarantine
    assert row["rule_ids"] == ["GRADE_UNKNOWN", "QUANTITY_NOT_POSITIVE"]
    assert [r["severity"] for r in row["reasons"]] == [contract.WARNING, contract.ERROR]
    page = (settings.lake / sub.feedback_path).read_text(encoding="utf-8")
    assert page.index('id="kesalahan"') < page.index('id="peringatan"')


def test_the_store_keeps_each_month_s_totals_as_the_next_months_history(settings):
    season = load_catalogue().commodities["kelapa"].seasonality
    for m in range(1, 7):
        line = {**LINE, "period": f"2026-{m:02d}", "date": f"05/{m:02d}/2026", "commodity": "Kelapa"}
        line.update(quantity=str(round(1000 * season[m - 1])), unit="butir", unit_price_idr="5.000", grade="A")
        _write(settings, f"KDMP-1902022001_2026-{m:02d}.csv", [line], datetime(2026, m + 1, 5, tzinfo=UTC))
    _validate_all(settings)  # January to June in one run
    july = {**LINE, "date": "05/07/2026", "commodity": "Kelapa", "quantity": "12.000", "unit": "butir"}
    july.update(unit_price_idr="5.000", grade="A")
    _write(settings, "KDMP-1902022001_2026-07.csv", [july], datetime(2026, 8, 5, tzinfo=UTC))
    _validate_all(settings)  # July a month later, against the store's history
    with store.get_engine(settings.db_url).connect() as conn:
        totals = conn.execute(select(store.SubmissionTotal)).all()
        sub = conn.execute(select(store.Submission).where(store.Submission.period == "2026-07")).one()
    assert len(totals) == 7 and {t.commodity for t in totals} == {"kelapa"}
    assert (sub.decision, sub.rows_warning) == ("accepted", 1)
    (warning,) = pq.read_table(settings.lake / sub.silver_path)["warnings"].to_pylist()[0]
    assert warning["rule_id"] == "QUANTITY_OUTLIER"
    # a revalidation decides the same, and leaves one set of totals
    validate.reset_validation(settings, [sub.submission_id])
    _validate_all(settings)
    with store.get_engine(settings.db_url).connect() as conn:
        again = conn.execute(select(store.Submission).where(store.Submission.period == "2026-07")).one()
        assert len(conn.execute(select(store.SubmissionTotal)).all()) == 7
    assert (again.decision, again.rows_warning) == ("accepted", 1)
