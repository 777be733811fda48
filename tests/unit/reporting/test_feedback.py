"""Clerk feedback: Bahasa Indonesia, every problem listed, nothing a browser or a spreadsheet would execute."""

from __future__ import annotations

import csv
import io

from include.kopdes_hub.reporting import feedback
from include.kopdes_hub.validate import Reason

EVIL = '=HYPERLINK("http://x.example","klik")'


def _report(problems):
    return feedback.SubmissionReport(
        submission_id="abc123",
        file_name="<b>laporan</b>.csv",
        cooperative_id="KDMP-1902022001",
        period="2026-07",
        kind="lines",
        decision="partly_accepted",
        decision_reason=None,
        rows_total=3,
        rows_accepted=1,
        problems=problems,
    )


PROBLEMS = [
    (3, Reason("COMMODITY_UNKNOWN", "commodity", EVIL, "Komoditas tidak ada.", "unknown", "Gunakan katalog.", "error")),
    (
        4,
        Reason(
            "QUANTITY_NOT_POSITIVE", "quantity", "-5", "Jumlah harus > 0.", "negative", "Tulis jumlah positif.", "error"
        ),
    ),
    (
        4,
        Reason(
            "DUPLICATE_ROW", "*", "", "Baris ini sama persis dengan baris 2.", "repeat", "Hapus baris ganda.", "error"
        ),
    ),
]


def test_csv_opens_in_excel_and_neutralises_formulas():
    data = feedback.clerk_csv(_report(PROBLEMS))
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(feedback.CSV_COLUMNS)
    assert rows[1][:5] == ["KESALAHAN", "3", "komoditas", "'" + EVIL, "COMMODITY_UNKNOWN"]
    assert rows[2][3] == "'-5"
    assert rows[3][2] == "seluruh baris"
    assert len(rows) == 1 + len(PROBLEMS)


WARNING = Reason("GRADE_UNKNOWN", "grade", "super", "Mutu tidak dikenal.", "unknown grade", "Kosongkan.", "warning")


def test_errors_and_warnings_have_their_own_sections_errors_first():
    report = _report([(2, WARNING), *PROBLEMS, (4, WARNING)])
    rows = list(csv.reader(io.StringIO(feedback.clerk_csv(report).decode("utf-8-sig")), delimiter=";"))
    # row 4 does not count, so its warning is listed with its errors; row 2 counts with a warning
    assert [(r[0], r[1], r[4]) for r in rows[1:]] == [
        ("KESALAHAN", "3", "COMMODITY_UNKNOWN"),
        ("KESALAHAN", "4", "QUANTITY_NOT_POSITIVE"),
        ("KESALAHAN", "4", "DUPLICATE_ROW"),
        ("PERINGATAN", "4", "GRADE_UNKNOWN"),
        ("PERINGATAN", "2", "GRADE_UNKNOWN"),
    ]
    assert (report.rows_rejected, report.rows_warned) == (2, 1)
    page = feedback.clerk_html(report)
    errors, warnings = page.index('id="kesalahan"'), page.index('id="peringatan"')
    assert errors < page.index("COMMODITY_UNKNOWN") < warnings < page.rindex("GRADE_UNKNOWN")
    assert "(1 di antaranya dengan peringatan)" in page


def test_html_is_indonesian_and_escaped():
    page = feedback.clerk_html(_report(PROBLEMS))
    assert 'lang="id"' in page and "DITERIMA SEBAGIAN" in page
    assert "<b>laporan</b>" not in page and "&lt;b&gt;laporan&lt;/b&gt;.csv" in page
    assert "Komoditas tidak ada." in page and "Gunakan katalog." in page
    assert page.count("<tr>") == 1 + len(PROBLEMS)


def test_accepted_file_says_so():
    report = _report([])
    report.decision, report.rows_accepted = "accepted", 3
    page = feedback.clerk_html(report)
    assert "Semua baris diterima" in page and "DITERIMA" in page
