"""OWASP CSV injection: no cell of the clerk's CSV starts, for a spreadsheet, with something it would run."""

from __future__ import annotations

import csv
import io

import pytest

from include.kopdes_hub.reporting import feedback
from include.kopdes_hub.validate import Reason
from tests.unit.reporting.test_feedback import _report

STARTS = {
    "equals": "=1+1",
    "plus": "+1+1",
    "minus": "-1+1",
    "at": "@SUM(A1)",
    "pipe": "|calc",
    "full_width_equals": "\uff1d1+1",
    "full_width_plus": "\uff0b1",
    "full_width_minus": "\uff0d1",
    "full_width_at": "\uff20SUM(A1)",
    "full_width_pipe": "\uff5ccalc",
    "tab": "\t=1+1",
    "carriage_return": "\r=1+1",
    "line_feed": "\n=1+1",
    "space_then_equals": " =1+1",
    "spaces_then_plus": "   +1",
    "nbsp_then_equals": "\u00a0=1+1",
    "full_width_space_then_equals": "\u3000=1+1",
    "space_then_full_width_equals": " \uff1d1+1",
    "plain_negative": "-5",
}
HARMLESS = {
    "text": "Lada Putig",
    "number": "1.250,5",
    "inner_equals": "a=b",
    "empty": "",
    "spaces_only": "   ",
    "apostrophe": "'=1",  # already text for a spreadsheet
}


@pytest.mark.parametrize("text", STARTS.values(), ids=STARTS.keys())
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert feedback.safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS.values(), ids=HARMLESS.keys())
def test_a_harmless_cell_is_unchanged(text):
    assert feedback.safe_cell(text) == text


def test_the_hubs_own_row_numbers_stay_numbers():
    assert feedback.safe_cell(12) == "12"
    assert feedback.safe_cell(None) == ""


def test_the_clerk_csv_escapes_every_value_it_writes():
    problems = [
        (
            n,
            Reason(
                "COMMODITY_UNKNOWN", "commodity", text, "Komoditas tidak ada.", "unknown", "Gunakan katalog.", "error"
            ),
        )
        for n, text in enumerate(STARTS.values(), start=2)
    ]
    report = _report(problems)  # the CSV writes the problems, whatever the counts
    rows = list(csv.reader(io.StringIO(feedback.clerk_csv(report).decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [row[3] for row in rows[1:]] == ["'" + text for text in STARTS.values()]
    assert [row[1] for row in rows[1:]] == [str(n) for n, _ in problems]
