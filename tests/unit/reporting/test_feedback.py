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
    (3, Reason("COMMODITY_UNKNOWN", "commodity", EVIL, "Komoditas tidak ada.", "unknown", "Gunakan katalog.")),
    (4, Reason("QUANTITY_NOT_POSITIVE", "quantity", "-5", "Jumlah harus > 0.", "negative", "Tulis jumlah positif.")),
    (4, Reason("DUPLICATE_ROW", "*", "", "Baris ini sama persis dengan baris 2.", "repeat", "Hapus baris ganda.")),
]


def test_csv_opens_in_excel_and_neutralises_formulas():
    data = feedback.clerk_csv(_report(PROBLEMS))
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(feedback.CSV_COLUMNS)
    assert rows[1][:4] == ["3", "komoditas", "'" + EVIL, "COMMODITY_UNKNOWN"]
    assert rows[2][2] == "'-5"
    assert rows[3][1] == "seluruh baris"
    assert len(rows) == 1 + len(PROBLEMS)


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
