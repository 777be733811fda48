"""A submission as the bytes a clerk's tool writes: ``;`` CSV in Windows-1252, ``,`` CSV in UTF-8, XLSX with title
rows, JSON objects and lists; zip and workbook times fixed, so the same seed gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Font

from include.kopdes_hub.contract import COLUMNS, INDONESIAN_NAMES, LINES
from include.kopdes_hub.demo.model import FIXED_XLSX_TIME, FIXED_ZIP_TIME, MONTHS_ID, _Submission


def _render(sub: _Submission) -> bytes:
    header = {"cooperative_id": sub.coop["cooperative_id"], "period": sub.period}
    if sub.shape == "csv_semicolon_cp1252":
        return _render_semicolon(sub, header)
    if sub.shape.startswith("csv_comma"):
        return _render_comma(sub, header)
    if sub.shape == "xlsx_title":
        return _render_xlsx(sub, header)
    return _render_json(sub, header)


def _id_number(value: float, decimals: int = 2) -> str:
    """Indonesian notation: ``1250.5`` -> ``1.250,5``."""
    text = f"{value:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return text.rstrip("0").rstrip(",") if decimals else text


def _plain_number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _json_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _csv_bytes(table: list[list[str]], delimiter: str, newline: str, encoding: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(table)
    return buf.getvalue().encode(encoding)


def _render_semicolon(sub: _Submission, header: dict[str, str]) -> bytes:
    columns = COLUMNS[sub.kind]
    table = [[INDONESIAN_NAMES[c] for c in columns]]
    rp = "Rp " if sub.clerk.rupiah_prefix else ""
    if sub.kind == LINES:
        for r in sub.lines:
            values = {
                **header,
                "flow": r.flow,
                "date": r.day.strftime("%d/%m/%Y"),
                "commodity": r.commodity,
                "quantity": _id_number(r.quantity),
                "unit": r.unit,
                "unit_price_idr": rp + _id_number(r.unit_price_idr, 0),
                "grade": r.grade,
                "notes": r.notes,
            }
            table.append([values[c] for c in columns])
    else:
        money = {k: (str(v) if k == "members" else rp + _id_number(v, 0)) for k, v in sub.finance.items()}
        table.append([{**header, **money}[c] for c in columns])
    return _csv_bytes(table, ";", "\r\n", "cp1252")


def _render_comma(sub: _Submission, header: dict[str, str]) -> bytes:
    columns = COLUMNS[sub.kind]
    table = [list(columns)]
    if sub.kind == LINES:
        for r in sub.lines:
            values = {
                **header,
                "flow": r.flow,
                "date": r.day.isoformat(),
                "commodity": r.commodity,
                "quantity": _plain_number(r.quantity),
                "unit": r.unit,
                "unit_price_idr": str(r.unit_price_idr),
                "grade": r.grade,
                "notes": r.notes,
            }
            table.append([values[c] for c in columns])
    else:
        table.append([{**header, **{k: str(v) for k, v in sub.finance.items()}}[c] for c in columns])
    return _csv_bytes(table, ",", "\n", "utf-8-sig" if sub.shape.endswith("_bom") else "utf-8")


def _render_xlsx(sub: _Submission, header: dict[str, str]) -> bytes:
    columns = COLUMNS[sub.kind]
    year, month = (int(x) for x in sub.period.split("-"))
    title = "LAPORAN PASOKAN & KEBUTUHAN" if sub.kind == LINES else "LAPORAN KEUANGAN BULANAN"
    wb = Workbook()
    ws = wb.active
    ws.title = "Laporan"
    ws.append([f"{title} - {sub.coop['cooperative_name'].upper()} - {MONTHS_ID[month - 1]} {year}"])
    ws["A1"].font = Font(bold=True)
    if sub.clerk.title_rows == 2:
        ws.append([f"Kode koperasi: {header['cooperative_id']}   Periode: {sub.period}"])
    else:
        ws.append([])
    ws.append([INDONESIAN_NAMES[c] for c in columns])
    if sub.kind == LINES:
        for r in sub.lines:
            day: object = r.day if sub.clerk.date_cells else r.day.strftime("%d-%m-%Y")
            values = {
                **header,
                "flow": r.flow,
                "date": day,
                "commodity": r.commodity,
                "quantity": _json_number(r.quantity),
                "unit": r.unit,
                "unit_price_idr": r.unit_price_idr,
                "grade": r.grade or None,
                "notes": r.notes or None,
            }
            ws.append([values[c] for c in columns])
            if sub.clerk.date_cells:
                ws.cell(row=ws.max_row, column=columns.index("date") + 1).number_format = "DD/MM/YYYY"
    else:
        ws.append([{**header, **sub.finance}[c] for c in columns])
    wb.properties.creator = "kopdes-hub demo"
    wb.properties.created = FIXED_XLSX_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _freeze_zip(buf.getvalue())


def _freeze_zip(data: bytes) -> bytes:
    """Rewrite an XLSX with fixed entry times and a fixed modified stamp, so the same sheet gives the same bytes."""
    stamp = FIXED_XLSX_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the clock on save
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            zout.writestr(entry, content)
    return out.getvalue()


def _render_json(sub: _Submission, header: dict[str, str]) -> bytes:
    indonesian = sub.shape == "json_object" or sub.clerk.indonesian_keys

    def key(canonical: str) -> str:
        return INDONESIAN_NAMES[canonical] if indonesian else canonical

    day_first = sub.shape == "json_list" and indonesian  # a spreadsheet export keeps the Indonesian date
    if sub.kind == LINES:
        body = [
            {
                key("flow"): r.flow,
                key("date"): r.day.strftime("%d/%m/%Y") if day_first else r.day.isoformat(),
                key("commodity"): r.commodity,
                key("quantity"): _json_number(r.quantity),
                key("unit"): r.unit,
                key("unit_price_idr"): r.unit_price_idr,
                key("grade"): r.grade or None,
                key("notes"): r.notes or None,
            }
            for r in sub.lines
        ]
    else:
        body = [{key(k): v for k, v in sub.finance.items()}]
    head = {key(k): v for k, v in header.items()}
    if sub.shape == "json_object":
        document: object = {**head, "baris": body}
    else:
        document = [{**head, **row} for row in body]
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
