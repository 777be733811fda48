"""Every shape of contract v1 parses to the same strings; every unreadable file gets its own reason."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest
from openpyxl import Workbook

from include.kopdes_hub.parse import UnreadableFile, parse_bytes

ID_HEADER = "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan;mutu;keterangan"
ID_ROW = "KDMP-1902022001;2026-07;pasokan;05/07/2026;Lada Putih;1.250,5;kg;Rp 160.000;I;kering – baik"


def _xlsx(rows: list[list[object]], title: str = "Laporan") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


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
