"""The terminal answer of `cli trace`: rows as a clerk finds them in a spreadsheet, numbers as the hub writes them."""

from __future__ import annotations

from include.kopdes_hub.lineage import trace


def test_rows_are_written_as_ranges():
    assert trace._ranges([2, 3, 4, 7, 9, 10]) == "2-4, 7, 9-10"
    assert trace._ranges([]) == ""


def test_the_answer_names_submissions_files_rows_and_totals():
    result = trace.Trace(
        "commodity_volumes",
        "2026-07",
        {"cooperative_id": "KDMP-1902022001", "commodity": "lada_putih"},
        [{"cooperative_id": "KDMP-1902022001", "commodity": "lada_putih", "quantity_base": 1450.5, "lines": 3}],
        "silver_lines",
        [
            trace.Source(
                "3f2a9c1d0b7e4a55",
                "lines",
                "accepted",
                "accepted",
                "2026-07",
                "2026-08-05T00:00:00+00:00",
                ["a.csv", "salinan/a.csv"],
                [2, 3, 5],
            )
        ],
        [{"flow": "supply", "commodity": "lada_putih", "base_unit": "kg", "quantity_base": 1450.5, "lines": 3}],
    )
    text = trace.format_trace(result)
    assert "commodity_volumes 2026-07 (cooperative_id=KDMP-1902022001, commodity=lada_putih): 1 published row" in text
    assert "quantity_base=1,450.5" in text
    assert "3f2a9c1d0b7e4a55  lines  2026-07  accepted  received" in text, "the decision only when it differs"
    assert "files: a.csv, salinan/a.csv" in text and "rows: 2-3, 5  (3)" in text
    assert "traced supply lada_putih: 1,450.5 kg in 3 line(s)" in text
    assert trace.as_json(result)["sources"][0]["rows"] == [2, 3, 5]
