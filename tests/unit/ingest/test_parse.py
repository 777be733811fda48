"""Every shape of contract v1 parses to the same strings; every unreadable file gets its own reason."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime

import pytest

from include.kopdes_hub.config import Limits
from include.kopdes_hub.ingest.parse import UnreadableFile, parse_bytes
from tests.hostile.corpus import workbook_bytes as _xlsx

ID_HEADER = "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan;mutu;keterangan"
ID_ROW = "KDMP-1902022001;2026-07;pasokan;05/07/2026;Lada Putih;1.250,5;kg;Rp 160.000;I;kering – baik"


def test_semicolon_csv_in_windows_1252_keeps_indonesian_values_as_received():
    data = f"{ID_HEADER}\r\n{ID_ROW}\r\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    parsed = parse_bytes(data)
    assert (parsed.file_format, parsed.encoding, parsed.delimiter, parsed.kind) == ("csv", "cp1252", ";", "lines")
    row = parsed.frame.iloc[0].to_dict()
    assert row["cooperative_id"] == "KDMP-1902022001"
    assert row["quantity"] == "1.250,5"
    assert row["unit_price_idr"] == "Rp 160.000"
    assert row["notes"] == "kering – baik"
    assert parsed.row_numbers == [2]
    assert parsed.header_row == 1


def test_comma_csv_utf8_with_bom_and_english_headers():
    text = "Cooperative ID,Period,Flow,Date,Commodity,Quantity,Unit,Unit Price IDR\n"
    text += 'KDMP-1902022001,2026-07,pasokan,2026-07-05,Cumi-cumi,"1.250,5",kg,90000\n'
    parsed = parse_bytes(("\ufeff" + text).encode("utf-8"))
    assert (parsed.encoding, parsed.delimiter) == ("utf-8-sig", ",")
    assert list(parsed.frame.columns[:3]) == ["cooperative_id", "period", "flow"]
    assert parsed.frame.loc[0, "quantity"] == "1.250,5"
    assert parsed.frame.loc[0, "commodity"] == "Cumi-cumi"


def test_plain_utf8_csv_is_utf8_not_cp1252():
    parsed = parse_bytes(f"{ID_HEADER}\n{ID_ROW}\n".encode())
    assert parsed.encoding == "utf-8"
    assert parsed.frame.loc[0, "notes"] == "kering – baik"


def test_csv_title_rows_blank_lines_and_ragged_rows_keep_file_row_numbers():
    text = "\n".join(
        [
            "LAPORAN KOPERASI DESA MERAH PUTIH PERPAT",
            "",
            ID_HEADER,
            ID_ROW,
            "",
            ";;;;;;;;;",
            ID_ROW + ";extra cell",
            "KDMP-1902022001;2026-07;kebutuhan",
        ]
    )
    parsed = parse_bytes(text.encode())
    assert parsed.header_row == 3
    assert parsed.row_numbers == [4, 7, 8]
    assert parsed.frame.loc[1, "column_11"] == "extra cell"
    assert parsed.frame.loc[2, "flow"] == "kebutuhan"
    assert parsed.frame.loc[2, "commodity"] == ""


def test_quoted_cell_spanning_lines_keeps_the_row_number_of_its_last_line():
    text = 'kode_koperasi,periode,komoditas,jumlah,satuan\nK1,2026-07,"Lada\nPutih",1,kg\nK1,2026-07,Lada,2,kg\n'
    parsed = parse_bytes(text.encode())
    assert parsed.frame["commodity"].tolist() == ["Lada\nPutih", "Lada"]
    assert parsed.row_numbers == [3, 4]


def test_xlsx_with_title_rows_numbers_and_dates():
    data = _xlsx(
        [
            ["LAPORAN PASOKAN & KEBUTUHAN - KOPERASI DESA MERAH PUTIH KECIPUT - JULI 2026"],
            [],
            ["Kode Koperasi", "Periode", "Jenis", "Tanggal", "Komoditas", "Jumlah", "Satuan", "Harga Satuan"],
            ["KDMP-1902042008", "2026-07", "pasokan", datetime(2026, 7, 5), "Cumi", 1250.5, "kg", 90000],
            [None] * 8,
            ["KDMP-1902042008", "2026-07", "kebutuhan", "12-07-2026", "LPG 3 kg", 60, "tabung", 21000.0],
        ],
        title="Juli",
    )
    parsed = parse_bytes(data)
    assert (parsed.file_format, parsed.sheet, parsed.header_row, parsed.kind) == ("xlsx", "Juli", 3, "lines")
    assert parsed.row_numbers == [4, 6]
    assert parsed.frame["date"].tolist() == ["2026-07-05", "12-07-2026"]
    assert parsed.frame["quantity"].tolist() == ["1250.5", "60"]
    assert parsed.frame["unit_price_idr"].tolist() == ["90000", "21000"]


def test_json_object_with_header_fields_and_baris():
    doc = {
        "kode_koperasi": "KDMP-1902022001",
        "periode": "2026-07",
        "baris": [
            {"jenis": "pasokan", "tanggal": "2026-07-03", "komoditas": "cumi", "jumlah": 12.5, "satuan": "kg"},
            {"jenis": "kebutuhan", "tanggal": "2026-07-09", "komoditas": "beras", "jumlah": 200, "satuan": "kg"},
        ],
    }
    parsed = parse_bytes(json.dumps(doc).encode())
    assert (parsed.file_format, parsed.kind, parsed.row_numbers) == ("json", "lines", [1, 2])
    assert parsed.frame["cooperative_id"].tolist() == ["KDMP-1902022001"] * 2
    assert parsed.frame["quantity"].tolist() == ["12.5", "200"]
    assert parsed.header_fields == {"cooperative_id": "KDMP-1902022001", "period": "2026-07"}


def test_json_list_of_row_objects_finance():
    doc = [{"cooperative_id": "KDMP-1902022001", "period": "2026-07", "revenue_idr": 15000000, "cash_idr": None}]
    parsed = parse_bytes(json.dumps(doc).encode())
    assert parsed.kind == "finance"
    assert parsed.frame.loc[0, "revenue_idr"] == "15000000"
    assert parsed.frame.loc[0, "cash_idr"] == ""


def test_finance_csv_is_recognised_by_its_columns():
    text = "kode_koperasi;periode;pendapatan;biaya_operasional;kas;jumlah_anggota\n"
    text += "K1;2026-07;1.000.000;500.000;2.000;120\n"
    assert parse_bytes(text.encode()).kind == "finance"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary_file"),
        ("kode_koperasi;periode".encode("utf-16"), "binary_file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy_or_encrypted_excel"),
        (b"PK\x03\x04" + b"\x14\x00" * 20, "corrupt_xlsx"),
        (b"kode_koperasi;periode;komoditas\n\x81\x8d\x8f;x;y\n", "unknown_encoding"),
        (b"nama;alamat;telepon\nBudi;Jl. Merdeka;0812\n", "no_header"),
        (b'{"kode_koperasi": "K1", "baris": [', "invalid_json"),
        (b'{"kode_koperasi": "K1", "periode": "2026-07"}', "invalid_json"),
        (b'[{"kode_koperasi": "K1", "periode": "2026-07", "jumlah": 1}, 5]', "invalid_json"),
        (b'[{"nama": "Budi"}]', "no_header"),
    ],
)
def test_unreadable_files_get_a_reason(data: bytes, code: str):
    with pytest.raises(UnreadableFile) as caught:
        parse_bytes(data)
    assert caught.value.code == code
    assert caught.value.message_en and caught.value.message_id


def test_truncated_real_xlsx_is_corrupt():
    data = _xlsx([["kode_koperasi", "periode", "komoditas", "jumlah"], ["K1", "2026-07", "cumi", 1]])
    with pytest.raises(UnreadableFile) as caught:
        parse_bytes(data[: len(data) // 2])
    assert caught.value.code == "corrupt_xlsx"


def test_xlsx_without_contract_header_is_no_header():
    with pytest.raises(UnreadableFile) as caught:
        parse_bytes(_xlsx([["Nama", "Alamat"], ["Budi", "Jl. Merdeka"]]))
    assert caught.value.code == "no_header"


# --- hostile and odd input (issue 10): each refused alone, with a reason naming where, in bounded time ---

SMALL = Limits(max_file_bytes=50_000, max_rows=50, max_columns=30, max_cell_chars=500, max_json_depth=8)


def _code(data: bytes, limits: Limits | None = None) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as caught:
        parse_bytes(data, limits=limits)
    assert caught.value.message_id and caught.value.message_en
    return caught.value


def _rewrite(xlsx: bytes, part: str, edit) -> bytes:
    """The workbook with one part's XML changed, every other part copied as it was."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, edit(data) if info.filename == part else data)
    return out.getvalue()


LINES_XLSX = [
    ["kode_koperasi", "periode", "jenis", "tanggal", "komoditas", "jumlah", "satuan"],
    *[["KDMP-1902022001", "2026-07", "pasokan", "2026-07-05", "cumi", n, "kg"] for n in range(1, 6)],
]


def test_unterminated_quote_is_malformed_csv_naming_its_line_never_a_short_file():
    lines = [ID_HEADER, ID_ROW, ID_ROW.replace("kering – baik", '"kering'), *[ID_ROW.replace("1.250,5", "7")] * 5]
    error = _code("\n".join(lines).encode())
    assert error.code == "malformed_csv"
    assert "line 3" in error.detail


def test_quote_closed_lines_later_swallowing_rows_is_malformed_csv():
    rows = [ID_HEADER, ID_ROW.replace("kering – baik", '"kering'), ID_ROW, ID_ROW.replace("kering – baik", 'x"')]
    error = _code("\n".join(rows).encode())
    assert (error.code, "line 2" in error.detail) == ("malformed_csv", True)


def test_text_after_a_closing_quote_is_malformed_not_joined():
    assert _code(f'{ID_HEADER}\n{ID_ROW[:-14]};"kering"baik\n'.encode()).code == "malformed_csv"


def test_multi_line_note_without_rows_inside_is_kept():
    parsed = parse_bytes(f'{ID_HEADER}\n{ID_ROW[:-14]};"baris satu\nbaris dua"\n{ID_ROW}\n'.encode())
    assert parsed.frame["notes"].tolist() == ["baris satu\nbaris dua", "kering – baik"]
    assert parsed.row_numbers == [3, 4]


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (f"{ID_HEADER}\n{ID_ROW};{'x' * 600}\n".encode(), "line 2"),  # a cell over the limit
        (f"{ID_HEADER}\n{ID_ROW}{';x' * 40}\n".encode(), "line 2"),  # more cells than the limit
        (("\n".join([ID_HEADER, *[ID_ROW] * 60])).encode(), "data rows"),
        (f"{ID_HEADER}\n{ID_ROW}\n".encode() + b" " * 60_000, "bytes"),
    ],
)
def test_limits_make_a_file_too_large_with_a_clear_message(data: bytes, where: str):
    error = _code(data, SMALL)
    assert error.code == "too_large"
    assert where in error.detail


def test_a_5_mb_cell_and_a_100k_column_line_are_too_large_under_the_default_limits():
    assert _code(f"{ID_HEADER}\n{ID_ROW};{'x' * 5_000_000}\n".encode()).code == "too_large"
    assert _code(f"{ID_HEADER}\n{ID_ROW}{';1' * 100_000}\n".encode()).code == "too_large"


def test_utf8_with_one_latin1_byte_is_mixed_encoding_not_mojibake():
    data = (
        f"{ID_HEADER}\n{ID_ROW}\n".encode()
        + "KDMP-1902022001;2026-07;pasokan;05/07/2026;Kopi;1;kg;1;;café\n".encode("latin-1")
    )
    error = _code(data)
    assert error.code == "mixed_encoding"
    assert "line 3" in error.detail


def test_a_nul_byte_anywhere_is_binary():
    data = f"{ID_HEADER}\n".encode() + (ID_ROW + "\n").encode() * 1000 + b"\x00" + (ID_ROW + "\n").encode()
    assert len(data) > 65_536
    assert _code(data).code == "binary_file"


@pytest.mark.parametrize(
    "header",
    [
        "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;jumlah",
        "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;qty",
    ],
)
def test_two_columns_meaning_one_contract_column_are_refused(header: str):
    error = _code(f"{header}\nKDMP-1902022001;2026-07;pasokan;05/07/2026;cumi;1;kg;2\n".encode())
    assert error.code == "duplicate_column"
    assert "columns 6 and 8" in error.detail


def test_json_duplicate_keys_and_two_spellings_of_one_column_are_refused():
    doc = '[{"kode_koperasi": "K1", "periode": "2026-07", "jumlah": 1, "jumlah": 2, "satuan": "kg"}]'
    assert _code(doc.encode()).code == "duplicate_key"
    doc = '[{"kode_koperasi": "K1", "periode": "2026-07", "jumlah": 1, "qty": 2, "satuan": "kg"}]'
    assert _code(doc.encode()).code == "duplicate_column"


def test_json_rows_may_spell_columns_differently_and_override_the_header():
    doc = {
        "kode_koperasi": "KDMP-1902022001",
        "periode": "2026-06",
        "rows": [
            {"jumlah": 1, "satuan": "kg", "komoditas": "cumi"},
            {"qty": 2, "unit": "kg", "commodity": "cumi", "period": "2026-07"},
        ],
    }
    frame = parse_bytes(json.dumps(doc).encode()).frame
    assert frame["quantity"].tolist() == ["1", "2"]
    assert frame["period"].tolist() == ["2026-06", "2026-07"]


def test_json_nesting_and_huge_numbers_are_bounded():
    assert _code(b"[" * 10_000 + b"]" * 10_000).code == "too_deep"
    nested = {"kode_koperasi": "K1", "periode": "2026-07", "jumlah": 1, "keterangan": {"a": [[[[[[[[1]]]]]]]]}}
    assert _code(json.dumps([nested]).encode(), SMALL).code == "too_deep"
    doc = '[{"kode_koperasi": "K1", "periode": "2026-07", "komoditas": "cumi", "jumlah": ' + "9" * 5000 + "}]"
    assert parse_bytes(doc.encode()).frame.loc[0, "quantity"] == "9" * 5000  # as received; its rule says why


@pytest.mark.parametrize(
    "strings",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "cumi">]><worksheet><sheetData><row><c t="inlineStr"><is>'
        b"<t>&e;</t></is></c></row></sheetData></worksheet>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        b'<worksheet><sheetData><row><c t="inlineStr"><is><t>&d;</t></is></c></row></sheetData></worksheet>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet><sheetData><row>'
        b'<c t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>',
    ],
)
def test_xlsx_with_xml_entities_is_unsafe(strings: bytes):
    data = _rewrite(_xlsx(LINES_XLSX), "xl/worksheets/sheet1.xml", lambda _: strings)
    error = _code(data)
    assert error.code == "unsafe_xlsx"
    assert "root:" not in error.detail


def test_xlsx_dimension_claiming_the_whole_sheet_reads_only_its_rows():
    def claim(xml: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', xml)

    data = _rewrite(_xlsx(LINES_XLSX), "xl/worksheets/sheet1.xml", claim)
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    parsed = parse_bytes(data)
    assert (len(parsed.frame), parsed.frame.shape[1]) == (5, 7)


def test_xlsx_that_unpacks_far_too_large_is_refused_before_it_is_read():
    rows = '<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 200_000
    sheet = f'<?xml version="1.0"?><worksheet><sheetData>{rows}</sheetData></worksheet>'.encode()
    data = _rewrite(_xlsx(LINES_XLSX), "xl/worksheets/sheet1.xml", lambda _: sheet)
    assert len(data) < 200_000
    assert _code(data).code == "unsafe_xlsx"  # ~10 MB from ~30 KB
    assert _code(data, Limits(max_xlsx_uncompressed_bytes=1_000_000, max_xlsx_ratio=10**6)).code == "unsafe_xlsx"


def test_xlsx_with_more_rows_than_the_limit_is_too_large():
    assert _code(_xlsx([*LINES_XLSX, *LINES_XLSX[1:] * 20]), SMALL).code == "too_large"


def test_a_reason_never_holds_what_the_ledger_cannot_store_or_must_not_see():
    for data in (b'[{"\\ud800": "x"}]', b"Budi;3201123456780001;Jl. Merdeka\n", b'[{"a\\u0000": 1}]'):
        error = _code(data)
        assert error.message_en.encode("utf-8") and "\x00" not in error.message_en
        assert "3201123456780001" not in error.message_en


def test_a_json_of_millions_of_tiny_objects_is_too_large_while_it_is_read():
    error = _code(b"[" + b"{}," * 1_000_000 + b"{}]")
    assert (error.code, "object" in error.detail) == ("too_large", True)


def test_a_csv_whose_title_opens_with_a_bracket_is_still_a_csv():
    parsed = parse_bytes(f"[DRAFT] Laporan Juli 2026\n{ID_HEADER}\n{ID_ROW}\n".encode())
    assert (parsed.file_format, parsed.header_row, len(parsed.frame)) == ("csv", 2, 1)
    assert _code(b'[{"kode_koperasi": "K1",').code == "invalid_json"  # broken JSON stays a JSON reason


def test_a_zip_whose_directory_claims_an_unknown_version_is_corrupt():
    data = bytearray(_xlsx(LINES_XLSX))
    central = data.rfind(b"PK\x01\x02")  # the last central directory entry: "version needed" at +6
    data[central + 6 : central + 8] = (139).to_bytes(2, "little")
    assert _code(bytes(data)).code in ("corrupt_xlsx", "unsafe_xlsx")
