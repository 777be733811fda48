"""Submission contract v1: what clerks send, the one place where their column names become ours, and every rule
a submission must pass (the single source of truth that ``validate`` turns into a Great Expectations suite).

Headers arrive in Bahasa Indonesia or English, in any case and spacing (DESIGN.md "Submission contract v1").
Ingest maps them once, here, to the stable English snake_case names used everywhere downstream.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from include.kopdes_hub.reference import normalize_token

# v1 = the file format clerks follow; the minor number moves whenever a rule below changes. Every silver row
# records the version that accepted it.
CONTRACT_VERSION = "v1.0"

LINES = "lines"
FINANCE = "finance"
KINDS = (LINES, FINANCE)

# canonical name -> spellings seen in the wild (compared after normalize_token, so case/spaces/dashes don't matter)
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "cooperative_id": ("kode_koperasi", "kode koperasi", "id_koperasi", "koperasi_id", "kode_kop"),
    "period": ("periode", "bulan_laporan", "reporting_month", "bulan"),
    "flow": ("jenis", "jenis_transaksi", "arah", "type"),
    "date": ("tanggal", "tgl", "tanggal_transaksi", "tanggal_dibutuhkan"),
    "commodity": ("komoditas", "komoditi", "barang", "item", "nama_barang"),
    "quantity": ("jumlah", "qty", "volume", "kuantitas"),
    "unit": ("satuan", "sat", "uom"),
    "unit_price_idr": ("harga_satuan", "harga", "harga_satuan_rp", "harga_rp", "unit_price", "price", "price_idr"),
    "grade": ("mutu", "kualitas", "kelas", "quality"),
    "notes": ("keterangan", "ket", "catatan", "note", "remarks"),
    "revenue_idr": ("pendapatan", "pendapatan_rp", "omzet", "revenue"),
    "operating_cost_idr": ("biaya_operasional", "biaya_operasional_rp", "beban_operasional", "operating_cost"),
    "cash_idr": ("kas", "saldo_kas", "kas_rp", "cash"),
    "members": ("jumlah_anggota", "anggota", "member_count"),
    "savings_principal_idr": ("simpanan_pokok", "simpanan_pokok_rp", "savings_principal"),
    "savings_mandatory_idr": ("simpanan_wajib", "simpanan_wajib_rp", "savings_mandatory"),
    "loan_outstanding_idr": ("pinjaman_berjalan", "sisa_pinjaman", "loan_outstanding"),
    "loan_requested_idr": ("pinjaman_diajukan", "pengajuan_pinjaman", "loan_requested"),
}

HEADER_FIELDS = ("cooperative_id", "period")
LINE_FIELDS = ("flow", "date", "commodity", "quantity", "unit", "unit_price_idr", "grade", "notes")
FINANCE_FIELDS = (
    "revenue_idr",
    "operating_cost_idr",
    "cash_idr",
    "members",
    "savings_principal_idr",
    "savings_mandatory_idr",
    "loan_outstanding_idr",
    "loan_requested_idr",
)
COLUMNS: dict[str, tuple[str, ...]] = {
    LINES: HEADER_FIELDS + LINE_FIELDS,
    FINANCE: HEADER_FIELDS + FINANCE_FIELDS,
}
# Indonesian header names as the contract prints them (used by the demo generator and the feedback pages).
INDONESIAN_NAMES: dict[str, str] = {canonical: aliases[0] for canonical, aliases in COLUMN_ALIASES.items()}

# In JSON, the rows sit under one of these keys when the file is an object with header fields.
JSON_ROW_KEYS = ("baris", "rows")

# A row counts as the header when at least this many of its cells are contract column names.
MIN_HEADER_MATCHES = 3

_ALIAS_TO_CANONICAL: dict[str, str] = {
    normalize_token(spelling): canonical
    for canonical, aliases in COLUMN_ALIASES.items()
    for spelling in (canonical, *aliases)
}


def canonical_column(header: str) -> str | None:
    """The contract name of a header cell ("Kode Koperasi" -> "cooperative_id"), or None if it is not ours."""
    return _ALIAS_TO_CANONICAL.get(normalize_token(header))


def header_matches(cells: Iterable[object]) -> int:
    """How many distinct contract columns a candidate header row names."""
    return len({c for cell in cells if cell is not None and (c := canonical_column(str(cell)))})


def detect_kind(columns: Iterable[str]) -> str | None:
    """``lines`` or ``finance`` from the canonical columns present; None when neither kind is recognisable."""
    present = set(columns)
    lines = len(present & set(LINE_FIELDS))
    finance = len(present & set(FINANCE_FIELDS))
    if lines == finance == 0:
        return None
    return LINES if lines >= finance else FINANCE


# ---------------------------------------------------------------------------------------------------------------
# Values and rules
# ---------------------------------------------------------------------------------------------------------------

SUPPLY = "supply"
DEMAND = "demand"
# `jenis` as clerks write it -> flow
FLOW_VALUES: dict[str, str] = {
    "pasokan": SUPPLY,
    "penawaran": SUPPLY,
    "supply": SUPPLY,
    "kebutuhan": DEMAND,
    "permintaan": DEMAND,
    "demand": DEMAND,
}

REQUIRED: dict[str, tuple[str, ...]] = {
    LINES: ("cooperative_id", "period", "flow", "date", "commodity", "quantity", "unit"),
    FINANCE: ("cooperative_id", "period", "revenue_idr", "operating_cost_idr", "cash_idr", "members"),
}
# Columns whose text must be a number (Indonesian `1.250,5` or plain `1250.5`; `Rp` allowed) where given.
NUMERIC: dict[str, tuple[str, ...]] = {
    LINES: ("quantity", "unit_price_idr"),
    FINANCE: FINANCE_FIELDS,
}
# Amounts a cooperative reports for one month, above which a figure is a typo, not a business: ASSUMPTION
# (the largest KDKMP loan is Rp 3 bn [S35]; a month's revenue beyond Rp 100 bn would be a national firm's).
FINANCE_MAX_IDR = 100_000_000_000
MEMBERS_MAX = 100_000  # ASSUMPTION: observed 76 -> 359 members [S10][S11]

# A submission with more than this share of bad rows is rejected whole (the clerk sends it again), since a file
# that is mostly wrong is usually a wrong template or a wrong month rather than a few typos: ASSUMPTION.
MAX_BAD_ROW_SHARE = 0.5

# The patterns say [0-9] and spell out their spaces (NBSP too, as Excel writes it) instead of \d and \s, so Python's re
# and Arrow's RE2 (used by GX on Arrow-backed strings, and by validate's parser) read every text the same way.
PERIOD_PATTERN = r"^[0-9]{4}-(?:0[1-9]|1[0-2])$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
SPACE = "[ \t\u00a0]"
# digits grouped by thousands with one separator throughout (15.000.000, 1,250,000) or not grouped, then an optional
# decimal part: every text it admits parses, so no number passes its rule and is then lost by the parser
_GROUPED = r"(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:[.,][0-9]+)?$"
NUMBER_PATTERN = r"^(?i:rp\.?|idr)?" + SPACE + "*-?" + SPACE + "*" + _GROUPED

# Privacy: a NIK (the 16-digit national identity number) or a KK number a clerk types into a free-text cell must not
# travel beyond bronze. NIK-like = 16 or more digits (ASCII or full-width) in a row, where any two neighbouring
# digits may be separated by one space, tab, NBSP, dot or dash (3201123456780001, 3201 1234 5678 0001,
# 32.01.12.345678.0001). Such a run is replaced by its first 4 digits (province and regency, not a person) and
# twelve asterisks: 3201************. Longer runs are masked whole, so two NIKs one space apart are one match and
# a NIK with a typo (17 digits) is still masked; 15 digits or fewer are not (phone numbers, amounts). Both regex
# engines (Python's re and Arrow's RE2) read the pattern alike: no look-around, classes spelt out.
_NIK_DIGIT = "[0-9\uff10-\uff19]"
_NIK_GAP = "[ \t\u00a0.-]?"
NIK_PATTERN = f"({_NIK_DIGIT}){_NIK_GAP}({_NIK_DIGIT}){_NIK_GAP}({_NIK_DIGIT}){_NIK_GAP}({_NIK_DIGIT})" + (
    f"(?:{_NIK_GAP}{_NIK_DIGIT}){{12,}}"
)
NIK_MASK = r"\1\2\3\4************"  # a replacement template both engines read
NIK_MIN_CHARS = 16  # no shorter text can hold one (so no text of fewer bytes either): a cheap filter


def mask_nik(text: str) -> str:
    """``text`` with every NIK-like number masked (``NIK_PATTERN`` -> ``3201************``)."""
    return re.sub(NIK_PATTERN, NIK_MASK, text)


WHOLE_ROW = "*"  # the column of a rule about the whole row


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
