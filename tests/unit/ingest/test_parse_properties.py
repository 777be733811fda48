"""Properties of the readers for any input: ``parse_bytes`` returns rows of strings with a row number each, or
refuses the file with a reason of ``parse.REASONS``; it never raises anything else. The number parser never raises.

Hypothesis runs derandomized (the same examples on every machine, no example database), so CI is reproducible.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from include.kopdes_hub import contract, validate
from include.kopdes_hub.ingest import parse

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # zipfile and openpyxl warn about the bad ones


def examples(n: int) -> settings:
    """``n`` examples, the same on every run (derandomized, no example database), without a deadline."""
    return settings(
        max_examples=n,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


HEADERS = [*contract.COLUMN_ALIASES, *(a for aliases in contract.COLUMN_ALIASES.values() for a in aliases)]
HEADERS += ["Kode Koperasi", "JUMLAH", "Harga Satuan (Rp)", "nik", "nama_anggota", "", " ", "column_1"]
VALUES = [
    "KDMP-1902022001",
    "2026-07",
    "pasokan",
    "kebutuhan",
    "05/07/2026",
    "2026-13-01",
    "Lada Putih",
    "1.250,5",
    "1250.5",
    "Rp 160.000",
    "kg",
    "=1+1",
    "",
    " ",
    '"',
    '""',
    "a\nb",
    "\r",
    ";",
    ",",
    "\t",
    "|",
    "NaN",
    "9" * 40,
]


def check(data: bytes) -> None:
    """The property every reader owes any bytes."""
    try:
        parsed = parse.parse_bytes(data)
    except parse.UnreadableFile as exc:
        assert exc.code in parse.REASONS, exc.code
        assert exc.code != "read_failed", "read_failed is ingest's verdict on an exception, never a reader's"
        assert exc.message_en and exc.message_id
        return
    assert isinstance(parsed, parse.ParsedFile)
    assert len(parsed.row_numbers) == len(parsed.frame)
    assert all(isinstance(n, int) and n >= 1 for n in parsed.row_numbers)
    assert all(isinstance(c, str) for c in parsed.frame.columns)
    for column in parsed.frame.columns:
        values = parsed.frame[column].tolist()
        assert all(isinstance(v, str) for v in values), (column, [v for v in values if not isinstance(v, str)][:3])
    assert parsed.kind in contract.KINDS
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in parsed.header_fields.items())


# --------------------------------------------------------------------------------------------------------------
# Any bytes
# --------------------------------------------------------------------------------------------------------------


@examples(500)
@given(st.binary(max_size=2_000))
def test_any_bytes(data: bytes):
    check(data)


@examples(300)
@given(
    st.sampled_from(
        [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]
    ),
    st.binary(max_size=500),
)
def test_any_bytes_behind_a_magic_number_or_bom(prefix: bytes, data: bytes):
    check(prefix + data)


# --------------------------------------------------------------------------------------------------------------
# CSV-ish text
# --------------------------------------------------------------------------------------------------------------

cells = st.one_of(st.sampled_from(VALUES), st.text(max_size=12))
delimiters = st.one_of(st.sampled_from([";", ",", "\t", "|"]), st.characters(codec="utf-8"))
newlines = st.sampled_from(["\r\n", "\n", "\r"])
encodings = st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])


@st.composite
def csv_documents(draw: st.DrawFn) -> bytes:
    """Lines of cells joined by a delimiter, a header among them or not, quoting right, wrong or missing."""
    delimiter, newline = draw(delimiters), draw(newlines)
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=12))
    rows = draw(st.lists(st.lists(cells, max_size=14), max_size=8))
    titles = draw(st.lists(st.text(max_size=20), max_size=3))
    if draw(st.booleans()):  # written by the csv module: quoting right
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
        writer.writerows([[t] for t in titles])
        writer.writerow(header)
        writer.writerows(rows)
        text = out.getvalue()
    else:  # joined by hand: quotes, delimiters and line breaks inside cells as they fall
        lines = [*titles, delimiter.join(header), *(delimiter.join(r) for r in rows)]
        text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    encoding = draw(encodings)
    return text.encode(encoding, errors="replace") if encoding == "cp1252" else text.encode(encoding)


@examples(200)
@given(csv_documents())
def test_csv_like_text(data: bytes):
    check(data)


@examples(200)
@given(csv_documents(), st.integers(min_value=0, max_value=400), st.binary(min_size=1, max_size=3))
def test_csv_like_text_with_bytes_spliced_in(data: bytes, at: int, junk: bytes):
    at = min(at, len(data))
    check(data[:at] + junk + data[at:])


# --------------------------------------------------------------------------------------------------------------
# JSON-ish documents
# --------------------------------------------------------------------------------------------------------------

keys = st.one_of(st.sampled_from([*HEADERS, *contract.JSON_ROW_KEYS]), st.text(max_size=8))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**30, max_value=10**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(VALUES),
    st.text(max_size=10),
    st.text(st.characters(categories=["Cs", "Lu", "Nd"]), max_size=3),  # lone surrogates: "\ud800" in JSON
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)),
    max_leaves=25,
)
row_objects = st.dictionaries(st.sampled_from(HEADERS), json_values, max_size=10)
json_documents = st.one_of(
    json_values,
    st.lists(row_objects, max_size=5),
    st.fixed_dictionaries(
        {"kode_koperasi": scalars, "periode": scalars},
        optional={"baris": st.lists(st.one_of(row_objects, json_values), max_size=5), "rows": json_values},
    ),
)


@examples(150)
@given(json_documents, st.booleans(), st.booleans())
@example(  # found by this test: a lone surrogate escape ("\ud800") made parse_bytes raise UnicodeEncodeError
    document=[{"kode_koperasi": "\ud800", "periode": "2026-07", "jumlah": "1", "satuan": "kg"}],
    indent=False,
    ascii_only=True,
)
def test_json_like_documents(document: object, indent: bool, ascii_only: bool):
    text = json.dumps(document, allow_nan=True, indent=2 if indent else None, ensure_ascii=ascii_only)
    check(text.encode("utf-8", "surrogatepass"))


@examples(150)
@given(json_documents, st.integers(min_value=0, max_value=300), st.sampled_from(["", "}", "]", ",", '"', ":", "\\"]))
def test_json_like_documents_cut_or_spliced(document: object, at: int, junk: str):
    text = json.dumps(document, allow_nan=True)
    if not text.startswith(("[", "{")):
        text = "[" + text
    at = min(at, len(text))
    check((text[:at] + junk + text[at:]).encode())


@examples(60)
@given(st.integers(min_value=1, max_value=60), st.sampled_from(["[", '{"a":', '{"baris":[']))
def test_deeply_nested_json(depth: int, opener: str):
    closer = {"[": "]", '{"a":': "}", '{"baris":[': "]}"}[opener]
    check((opener * depth + "1" + closer * depth).encode())


# --------------------------------------------------------------------------------------------------------------
# Zip files
# --------------------------------------------------------------------------------------------------------------

MEMBERS = [
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/styles.xml",
    "docProps/core.xml",
]
XML_SNIPPETS = [
    b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>jumlah</t></si></sst>',
    b'<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>',
    b"<row><c><v>1</v></c></row>",
    b'<dimension ref="A1:XFD1048576"/>',
    b"",
    b"not xml at all",
]


def _workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


BASE_WORKBOOK = _workbook(
    [
        ["kode_koperasi", "periode", "jenis", "tanggal", "komoditas", "jumlah", "satuan"],
        ["KDMP-1902022001", "2026-07", "pasokan", "05/07/2026", "Lada Putih", 12.5, "kg"],
    ]
)


@examples(200)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.sampled_from(MEMBERS), st.from_regex(r"\A[a-zA-Z0-9_.\[\]/-]{0,9}[a-z]\Z")),
            st.one_of(st.sampled_from(XML_SNIPPETS), st.binary(max_size=200)),
        ),
        max_size=6,
        unique_by=lambda member: member[0],
    )
)
def test_zip_files_with_random_members(members: list[tuple[str, bytes]]):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members:
            z.writestr(name, body)
    check(out.getvalue())


@examples(150)
@given(
    st.sampled_from(MEMBERS[:6]),
    st.one_of(st.sampled_from(XML_SNIPPETS), st.binary(max_size=200)),
    st.booleans(),
)
def test_real_workbook_with_one_member_replaced_or_dropped(member: str, body: bytes, drop: bool):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(BASE_WORKBOOK)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename == member:
                if not drop:
                    dst.writestr(info.filename, body)
            else:
                dst.writestr(info.filename, src.read(info.filename))
    check(out.getvalue())


@examples(60)
@given(st.lists(st.lists(st.one_of(scalars, st.datetimes()), max_size=8), max_size=6), st.booleans())
def test_workbooks_of_any_cells(rows: list[list[object]], with_header: bool):
    header = [["kode_koperasi", "periode", "jenis", "jumlah", "satuan", "komoditas"]] if with_header else []
    safe = [[v if not isinstance(v, str) else v.replace("\x00", "") for v in r] for r in rows]
    try:
        data = _workbook([*header, *safe])
    except (ValueError, TypeError, IllegalCharacterError):  # values openpyxl will not write: no workbook to read
        return
    check(data)


@examples(150)
@given(st.integers(min_value=1, max_value=len(BASE_WORKBOOK) - 1))
def test_truncated_workbook(at: int):
    check(BASE_WORKBOOK[:at])


# --------------------------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------------------------

number_texts = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A(Rp|IDR|rp\.)? ?-?[0-9.,\u00a0 ]{0,20}\Z"),
    st.sampled_from(["1.250,5", "15.000.000", "1,250.50", "-", ".", ",", "1e5", "9" * 400, "٣", "１２"]),
)


@examples(300)
@given(number_texts, st.booleans())
def test_parse_number_never_raises(text: str, decimal_comma: bool):
    value = validate.parse_number(text, decimal_comma)
    assert isinstance(value, float)


@examples(200)
@given(st.lists(st.one_of(st.none(), number_texts), max_size=20), st.data())
def test_parse_numbers_never_raises_and_keeps_length(texts: list[str | None], data: st.DataObject):
    commas = data.draw(st.lists(st.booleans(), min_size=len(texts), max_size=len(texts)))
    values = validate.parse_numbers(pa.array(texts, pa.string()), pa.array(commas, pa.bool_()))
    assert len(values) == len(texts) and values.type == pa.float64()
    assert all(v is None for v, t in zip(values.to_pylist(), texts, strict=True) if t is None)
