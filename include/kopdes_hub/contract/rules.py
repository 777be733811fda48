"""Every rule of the contract: the GX expectation that checks it, the column a clerk must fix, and what the clerk is
told (Bahasa Indonesia) and the engineer reads (English); ``rules`` lists them for the current registry and
catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from include.kopdes_hub.contract.columns import FINANCE, FINANCE_FIELDS, LINES
from include.kopdes_hub.contract.values import (
    DATE_PATTERN,
    DEMAND,
    FINANCE_MAX_IDR,
    MEMBERS_MAX,
    NUMBER_PATTERN,
    NUMERIC,
    PERIOD_PATTERN,
    REQUIRED,
    SUPPLY,
    WHOLE_ROW,
)


@dataclass(frozen=True)
class Rule:
    """One contract rule: the GX expectation that checks it (on the prepared frame) and what a clerk is told.

    Messages are ``str.format`` templates; ``validate`` fills ``value`` (as received), ``column_id`` (the Indonesian
    column name) and the rule's own fields (``allowed``, ``expected``, ``low``, ``high``, ``row``).
    """

    rule_id: str
    column: str  # the contract column the clerk must fix
    expectation: str  # a Great Expectations expectation class name
    kwargs: dict[str, Any]
    message_id: str
    message_en: str
    fix_id: str


def _required(kind: str) -> list[Rule]:
    return [
        Rule(
            "REQUIRED",
            column,
            "ExpectColumnValuesToNotBeNull",
            # numbers are checked on the text as received, so "not a number" is told apart from "empty"
            {"column": f"{column}_text" if column in NUMERIC[kind] else column},
            "Kolom {column_id} kosong atau tidak ada.",
            "{column} is empty or missing.",
            "Isi kolom {column_id} pada baris ini (kolom wajib).",
        )
        for column in REQUIRED[kind]
    ]


def _header_rules(registered: list[str]) -> list[Rule]:
    return [
        Rule(
            "COOPERATIVE_UNKNOWN",
            "cooperative_id",
            "ExpectColumnValuesToBeInSet",
            {"column": "cooperative_id", "value_set": registered},
            "Kode koperasi '{value}' tidak terdaftar di hub.",
            "cooperative_id '{value}' is not registered with the hub.",
            "Tulis kode koperasi Anda persis seperti di SK/SIMKOPDES, contoh KDMP-1902042008.",
        ),
        Rule(
            "COOPERATIVE_MISMATCH",
            "cooperative_id",
            "ExpectColumnPairValuesToBeEqual",
            {
                "column_A": "cooperative_id",
                "column_B": "file_cooperative_id",
                "ignore_row_if": "either_value_is_missing",
            },
            "Kode koperasi '{value}' berbeda dengan kode koperasi berkas ini ({expected}).",
            "cooperative_id '{value}' differs from the file's cooperative ({expected}).",
            "Satu berkas untuk satu koperasi: pindahkan baris ini ke laporan koperasi '{value}'.",
        ),
        Rule(
            "PERIOD_FORMAT",
            "period",
            "ExpectColumnValuesToMatchRegex",
            {"column": "period", "regex": PERIOD_PATTERN},
            "Periode '{value}' tidak dikenali.",
            "period '{value}' is not a month YYYY-MM.",
            "Tulis periode sebagai tahun-bulan, contoh 2026-07.",
        ),
        Rule(
            "PERIOD_MISMATCH",
            "period",
            "ExpectColumnPairValuesToBeEqual",
            {"column_A": "period", "column_B": "file_period", "ignore_row_if": "either_value_is_missing"},
            "Periode '{value}' berbeda dengan periode berkas ini ({expected}).",
            "period '{value}' differs from the file's period ({expected}).",
            "Satu berkas untuk satu bulan: kirim baris bulan lain dalam laporan bulan itu.",
        ),
    ]


def _number_rule(column: str, example: str) -> Rule:
    return Rule(
        "NUMBER_FORMAT",
        column,
        "ExpectColumnValuesToMatchRegex",
        {"column": f"{column}_text", "regex": NUMBER_PATTERN},
        "Nilai '{value}' pada kolom {column_id} bukan angka.",
        "'{value}' in {column} is not a number.",
        f"Tulis angka saja, contoh {example}.",
    )


def _duplicate_rule(columns: list[str], message_id: str, message_en: str, fix_id: str) -> Rule:
    return Rule(
        "DUPLICATE_ROW",
        WHOLE_ROW,
        "ExpectCompoundColumnsToBeUniqueExceptFirst",  # a custom expectation: the first copy stays valid
        {"column_list": columns, "ignore_row_if": "never"},
        message_id,
        message_en,
        fix_id,
    )


def rules(
    kind: str,
    registered: list[str],
    unit_pairs: list[tuple[str, str]],
    grade_pairs: list[tuple[str, str]],
    commodities: list[str],
) -> list[Rule]:
    """Every rule of a kind, for the current registry and catalogue (the suite is rebuilt from these each run)."""
    out = _required(kind) + _header_rules(registered)
    if kind == FINANCE:
        for column in FINANCE_FIELDS:
            out.append(_number_rule(column, "15.000.000 atau 15000000 (tanpa huruf)"))
            high = MEMBERS_MAX if column == "members" else FINANCE_MAX_IDR
            low = 1 if column == "members" else 0
            out.append(
                Rule(
                    "OUT_OF_RANGE",
                    column,
                    "ExpectColumnValuesToBeBetween",
                    {"column": column, "min_value": low, "max_value": high},
                    "Nilai {column_id} '{value}' di luar batas wajar ({low} sampai {high}).",
                    "{column} '{value}' is outside {low}..{high}.",
                    "Periksa angka ini: nilai negatif atau salah ketik (kelebihan nol).",
                )
            )
        out.append(
            _duplicate_rule(
                ["_submission_id", "cooperative_id", "period"],
                "Laporan keuangan koperasi ini untuk periode ini sudah ada di baris {row}.",
                "This cooperative's figures for this month are already in row {row}.",
                "Satu koperasi, satu bulan, satu baris keuangan: gabungkan angkanya dalam satu baris.",
            )
        )
        return out
    out += [
        Rule(
            "FLOW_UNKNOWN",
            "flow",
            "ExpectColumnValuesToBeInSet",
            {"column": "flow", "value_set": [SUPPLY, DEMAND]},
            "Jenis '{value}' tidak dikenali.",
            "flow '{value}' is neither supply nor demand.",
            "Isi jenis dengan 'pasokan' (dijual ke hub) atau 'kebutuhan' (dibutuhkan desa).",
        ),
        Rule(
            "DATE_FORMAT",
            "date",
            "ExpectColumnValuesToMatchRegex",
            {"column": "date", "regex": DATE_PATTERN},
            "Tanggal '{value}' tidak dikenali atau tidak ada di kalender.",
            "date '{value}' is not a valid date.",
            "Tulis tanggal yang ada di kalender sebagai HH/BB/TTTT, contoh 05/07/2026.",
        ),
        Rule(
            "DATE_OUTSIDE_PERIOD",
            "date",
            "ExpectColumnPairValuesToBeEqual",
            {"column_A": "date_month", "column_B": "file_period", "ignore_row_if": "either_value_is_missing"},
            "Tanggal '{value}' di luar periode laporan {expected}.",
            "date '{value}' is outside the reporting month {expected}.",
            "Periksa tahun dan bulan pada tanggal; baris bulan lain dikirim dalam laporan bulan itu.",
        ),
        Rule(
            "DATE_AFTER_RECEIVED",
            "date",
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "received_date",
                "column_B": "valid_date",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            "Tanggal '{value}' sesudah tanggal berkas diterima ({expected}).",
            "date '{value}' is after the file was received ({expected}).",
            "Laporkan transaksi yang sudah terjadi; kebutuhan mendatang ditulis pada laporan bulan itu.",
        ),
        Rule(
            "COMMODITY_UNKNOWN",
            "commodity",
            "ExpectColumnValuesToBeInSet",
            {"column": "commodity", "value_set": commodities},
            "Komoditas '{value}' tidak ada di katalog hub.",
            "commodity '{value}' is not in the catalogue.",
            "Gunakan nama atau kode dari katalog, contoh: {allowed}.",
        ),
        Rule(
            "UNIT_NOT_ALLOWED",
            "unit",
            # on "commodity|unit" keys: GX's column-pair set check runs row by row in Python, a set check is vectorised
            "ExpectColumnValuesToBeInSet",
            {"column": "commodity_unit", "value_set": [f"{c}|{u}" for c, u in unit_pairs]},
            "Satuan '{value}' tidak berlaku untuk komoditas ini.",
            "unit '{value}' is not allowed for this commodity.",
            "Gunakan salah satu satuan: {allowed}.",
        ),
        Rule(
            "GRADE_UNKNOWN",
            "grade",
            "ExpectColumnValuesToBeInSet",
            {"column": "commodity_grade", "value_set": [f"{c}|{g}" for c, g in grade_pairs]},
            "Mutu '{value}' tidak dikenal untuk komoditas ini.",
            "grade '{value}' is not a grade of this commodity.",
            "Gunakan salah satu mutu: {allowed}, atau kosongkan.",
        ),
    ]
    out += [_number_rule(c, "1.250,5 atau 1250.5 (tanpa satuan di dalam sel)") for c in NUMERIC[LINES]]
    out += [
        Rule(
            "QUANTITY_NOT_POSITIVE",
            "quantity",
            "ExpectColumnValuesToBeBetween",
            {"column": "quantity", "min_value": 0, "strict_min": True},
            "Jumlah '{value}' harus lebih dari nol.",
            "quantity '{value}' must be above zero.",
            "Tulis jumlah positif; retur atau koreksi dilaporkan dengan mengirim ulang laporan yang benar.",
        ),
        Rule(
            "QUANTITY_IMPLAUSIBLE",
            "quantity",
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "quantity_cap",
                "column_B": "quantity_base",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            "Jumlah '{value}' tidak wajar untuk koperasi ini (paling banyak {high} {expected}).",
            "quantity '{value}' is implausible for this cooperative (at most {high} {expected}).",
            "Periksa salah ketik (kelebihan nol) atau satuan (kg, bukan ton).",
        ),
        Rule(
            "PRICE_TOO_LOW",
            "unit_price_idr",
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "unit_price_base_idr",
                "column_B": "price_min_idr",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            "Harga '{value}' terlalu rendah (wajar Rp {low} - Rp {high} per {expected}).",
            "unit price '{value}' is below the plausible range (IDR {low}-{high} per {expected}).",
            "Tulis harga per satuan yang ditulis di kolom satuan, bukan total.",
        ),
        Rule(
            "PRICE_TOO_HIGH",
            "unit_price_idr",
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "price_max_idr",
                "column_B": "unit_price_base_idr",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            "Harga '{value}' terlalu tinggi (wajar Rp {low} - Rp {high} per {expected}).",
            "unit price '{value}' is above the plausible range (IDR {low}-{high} per {expected}).",
            "Tulis harga per satuan, bukan harga total; periksa kelebihan nol.",
        ),
        _duplicate_rule(
            ["_submission_id", "flow", "date", "commodity", "quantity", "unit", "unit_price_idr", "grade"],
            "Baris ini sama persis dengan baris {row}.",
            "This row repeats row {row}.",
            "Hapus baris ganda; jika memang dua transaksi, bedakan tanggal atau keterangannya.",
        ),
    ]
    return out
