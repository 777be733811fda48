"""Feedback pages: for the clerk (Bahasa Indonesia, HTML and an Excel-friendly CSV) and for the engineer (the GX
result of one submission as a readable page). Jinja2 escapes every value in HTML; the CSV neutralises cells that
a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from include.kopdes_hub import contract
from include.kopdes_hub.reporting import id_format

TEMPLATES = Path(__file__).resolve().parent / "templates"
DECISION_ID = {
    "accepted": "DITERIMA",
    "partly_accepted": "DITERIMA SEBAGIAN",
    "rejected": "DITOLAK",
}
KIND_ID = {contract.LINES: "pasokan & kebutuhan", contract.FINANCE: "keuangan"}
CSV_COLUMNS = ("tingkat", "baris", "kolom", "nilai_diterima", "aturan", "masalah", "cara_memperbaiki")
SEVERITY_ID = {contract.ERROR: "KESALAHAN", contract.WARNING: "PERINGATAN"}
# OWASP CSV injection: a spreadsheet runs a cell as a formula (or a DDE command) when it starts with one of these,
# in ASCII or full width (Excel folds full-width forms), even after leading spaces.
_FORMULA_START = frozenset("=+-@|\uff1d\uff0b\uff0d\uff20\uff5c")
_CONTROL_START = ("\t", "\r", "\n")


@dataclass
class SubmissionReport:
    submission_id: str
    file_name: str
    cooperative_id: str | None
    period: str | None
    kind: str
    decision: str
    decision_reason: str | None
    rows_total: int
    rows_accepted: int
    problems: list[tuple[int, Any]]  # (row number, Reason), in file order: errors and warnings
    month_closed: bool = False  # the month was approved and closed: the file is held until a reopen

    @property
    def _rejected_rows(self) -> set[int]:
        return {row for row, p in self.problems if p.severity == contract.ERROR}

    @property
    def errors(self) -> list[tuple[int, Any]]:
        """Every problem of the rows that do not count (a warning on such a row too: the clerk resends the row)."""
        rejected = self._rejected_rows
        return [(row, p) for row, p in self.problems if row in rejected]

    @property
    def warnings(self) -> list[tuple[int, Any]]:
        """The warnings of rows that count in the hub's data."""
        rejected = self._rejected_rows
        return [(row, p) for row, p in self.problems if row not in rejected]

    @property
    def rows_rejected(self) -> int:
        return len(self._rejected_rows)

    @property
    def rows_warned(self) -> int:
        return len({row for row, _ in self.warnings})


@cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters["column_id"] = lambda c: contract.INDONESIAN_NAMES.get(c, "seluruh baris")
    env.filters["thousands"] = id_format.count
    env.filters["severity_id"] = lambda s: SEVERITY_ID[s]
    return env


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one whose first character after leading whitespace (NBSP and the
    full-width space included) is = + - @ | or their full-width forms, or that starts with a tab, carriage return
    or line feed, gets a leading apostrophe. Plain negatives such as -5 too: a clerk's text is never a number here,
    and the hub's own numbers (row numbers) start with a digit."""
    text = "" if value is None else str(value)
    trimmed = text.lstrip()  # str.isspace() whitespace: NBSP and U+3000 included
    risky = text.startswith(_CONTROL_START) or trimmed[:1] in _FORMULA_START
    return "'" + text if risky else text


def clerk_html(report: SubmissionReport) -> str:
    return (
        _env()
        .get_template("feedback.html.j2")
        .render(r=report, decision_id=DECISION_ID[report.decision], kind_id=KIND_ID[report.kind])
    )


def clerk_csv(report: SubmissionReport) -> bytes:
    """`;`-separated UTF-8 with BOM: what Excel set to Indonesian opens directly, accents intact. Errors first, then
    warnings, each block in file order, the ``tingkat`` column saying which."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row, reason in [*report.errors, *report.warnings]:
        column = contract.INDONESIAN_NAMES.get(reason.column, "seluruh baris")
        cells = (SEVERITY_ID[reason.severity], row, column, reason.value, reason.rule_id, reason.message_id)
        writer.writerow([safe_cell(v) for v in (*cells, reason.fix_id)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def gx_result_html(result: dict[str, Any]) -> str:
    return _env().get_template("gx_result.html.j2").render(result=result)
