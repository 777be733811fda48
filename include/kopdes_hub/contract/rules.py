"""Every rule of the contract: the GX expectation that checks it, the column a clerk must fix, its severity, and what
the clerk is told (Bahasa Indonesia) and the engineer reads (English); ``rules`` lists them for the current registry
and catalogue.

A rule's severity follows what a wrong value would do to the published numbers: ``ERROR`` where the line would
count in the wrong place or the wrong amount (it is quarantined), ``WARNING`` where the line's volume is sound and
only a descriptive or optional part is off (the line counts; the doubtful part is left out, never guessed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from include.kopdes_hub.contract.columns import FINANCE, FINANCE_FIELDS
from include.kopdes_hub.contract.values import (
    DATE_PATTERN,
    DEMAND,
    ERROR,
    FINANCE_MAX_IDR,
    MEMBERS_MAX,
    NIK_MASKED_PATTERN,
    NUMBER_PATTERN,
    NUMERIC,
    PERIOD_PATTERN,
    REQUIRED,
    SUPPLY,
    WARNING,
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
    severity: str  # ERROR: the line cannot count (quarantined); WARNING: it counts, and clerk and engineer are told
    # checked by a second GX run over the batch, once the first has decided which earlier lines count (its column is
    # derived from them: see validate.history)
    needs_history: bool = False


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
            ERROR,
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
            ERROR,
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
            ERROR,
        ),
        Rule(
            "PERIOD_FORMAT",
            "period",
            "ExpectColumnValuesToMatchRegex",
            {"column": "period", "regex": PERIOD_PATTERN},
            "Periode '{value}' tidak dikenali.",
            "period '{value}' is not a month YYYY-MM.",
            "Tulis periode sebagai tahun-bulan, contoh 2026-07.",
            ERROR,
        ),
        Rule(
            "PERIOD_MISMATCH",
            "period",
            "ExpectColumnPairValuesToBeEqual",
            {"column_A": "period", "column_B": "file_period", "ignore_row_if": "either_value_is_missing"},
            "Periode '{value}' berbeda dengan periode berkas ini ({expected}).",
            "period '{value}' differs from the file's period ({expected}).",
            "Satu berkas untuk satu bulan: kirim baris bulan lain dalam laporan bulan itu.",
            ERROR,
        ),
    ]


def _number_rule(column: str, example: str, severity: str, left_out: str = "") -> Rule:
    return Rule(
        "NUMBER_FORMAT",
        column,
        "ExpectColumnValuesToMatchRegex",
        {"column": f"{column}_text", "regex": NUMBER_PATTERN},
        "Nilai '{value}' pada kolom {column_id} bukan angka." + left_out,
        "'{value}' in {column} is not a number.",
        f"Tulis angka saja, contoh {example}.",
        severity,
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
        ERROR,  # a line typed twice would count twice
    )


def _finance_rules() -> list[Rule]:
    """Every finance figure decides a financing verdict, so every finance rule is an error."""
    out = []
    for column in FINANCE_FIELDS:
        out.append(_number_rule(column, "15.000.000 atau 15000000 (tanpa huruf)", ERROR))
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
                ERROR,
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


_PRICE_LEFT_OUT = " Jumlahnya tetap dihitung; nilai (Rp) baris ini tidak dihitung."


def _line_rules(
    unit_pairs: list[tuple[str, str]], grade_pairs: list[tuple[str, str]], commodities: list[str]
) -> list[Rule]:
    out = [
        Rule(
            "FLOW_UNKNOWN",
            "flow",
            "ExpectColumnValuesToBeInSet",
            {"column": "flow", "value_set": [SUPPLY, DEMAND]},
            "Jenis '{value}' tidak dikenali.",
            "flow '{value}' is neither supply nor demand.",
            "Isi jenis dengan 'pasokan' (dijual ke hub) atau 'kebutuhan' (dibutuhkan desa).",
            ERROR,
        ),
        Rule(
            "DATE_FORMAT",
            "date",
            "ExpectColumnValuesToMatchRegex",
            {"column": "date", "regex": DATE_PATTERN},
            "Tanggal '{value}' tidak dikenali atau tidak ada di kalender.",
            "date '{value}' is not a valid date.",
            "Tulis tanggal yang ada di kalender sebagai HH/BB/TTTT, contoh 05/07/2026.",
            ERROR,
        ),
        Rule(
            "DATE_OUTSIDE_PERIOD",
            "date",
            "ExpectColumnPairValuesToBeEqual",
            {"column_A": "date_month", "column_B": "file_period", "ignore_row_if": "either_value_is_missing"},
            "Tanggal '{value}' di luar periode laporan {expected}.",
            "date '{value}' is outside the reporting month {expected}.",
            "Periksa tahun dan bulan pada tanggal; baris bulan lain dikirim dalam laporan bulan itu.",
            ERROR,
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
            ERROR,
        ),
        Rule(
            "COMMODITY_UNKNOWN",
            "commodity",
            "ExpectColumnValuesToBeInSet",
            {"column": "commodity", "value_set": commodities},
            "Komoditas '{value}' tidak ada di katalog hub.",
            "commodity '{value}' is not in the catalogue.",
            "Gunakan nama atau kode dari katalog, contoh: {allowed}.",
            ERROR,
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
            ERROR,
        ),
        Rule(
            "GRADE_UNKNOWN",
            "grade",
            "ExpectColumnValuesToBeInSet",
            {"column": "commodity_grade", "value_set": [f"{c}|{g}" for c, g in grade_pairs]},
            "Mutu '{value}' tidak dikenal untuk komoditas ini; baris tetap dihitung, mutunya tidak dicatat.",
            "grade '{value}' is not a grade of this commodity: the line counts, its grade is left null.",
            "Gunakan mutu dari katalog ({allowed}) atau kosongkan kolom mutu.",
            WARNING,
        ),
        Rule(
            "NIK_IN_NOTES",
            "notes",
            "ExpectColumnValuesToNotMatchRegex",
            {"column": "notes", "regex": NIK_MASKED_PATTERN},
            "Keterangan berisi nomor seperti NIK atau nomor KK; nomor itu disamarkan dan tidak disimpan.",
            "notes hold a NIK-like number: it was masked and is not kept.",
            "Jangan menulis NIK atau nomor KK anggota di laporan; cukup tulis keterangan barang.",
            WARNING,
        ),
        _number_rule("quantity", "1.250,5 atau 1250.5 (tanpa satuan di dalam sel)", ERROR),
        _number_rule("unit_price_idr", "160.000 atau 160000 (harga per satuan)", WARNING, _PRICE_LEFT_OUT),
        Rule(
            "QUANTITY_NOT_POSITIVE",
            "quantity",
            "ExpectColumnValuesToBeBetween",
            {"column": "quantity", "min_value": 0, "strict_min": True},
            "Jumlah '{value}' harus lebih dari nol.",
            "quantity '{value}' must be above zero.",
            "Tulis jumlah positif; retur atau koreksi dilaporkan dengan mengirim ulang laporan yang benar.",
            ERROR,
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
            ERROR,
        ),
        Rule(
            "QUANTITY_OUTLIER",
            "quantity",
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "usual_max_base",
                "column_B": "month_total_base",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            "Jumlah bulan ini {low} {expected} (baris ini '{value}') jauh di atas biasanya koperasi ini: paling "
            "banyak {high} {expected} menurut laporan 6 bulan terakhir. Baris tetap dihitung.",
            "this month's total {low} {expected} (this line '{value}') is far above this cooperative's usual: at most "
            "{high} {expected} from its last 6 months. The line counts.",
            "Periksa salah ketik (kelebihan nol) atau satuan; jika benar, tidak perlu diubah.",
            WARNING,
            needs_history=True,
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
            "Harga '{value}' terlalu rendah (wajar Rp {low} - Rp {high} per {expected})." + _PRICE_LEFT_OUT,
            "unit price '{value}' is below the plausible range (IDR {low}-{high} per {expected}): the line counts "
            "for volume, its value is left out.",
            "Tulis harga per satuan yang ditulis di kolom satuan, bukan total.",
            WARNING,
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
            "Harga '{value}' terlalu tinggi (wajar Rp {low} - Rp {high} per {expected})." + _PRICE_LEFT_OUT,
            "unit price '{value}' is above the plausible range (IDR {low}-{high} per {expected}): the line counts "
            "for volume, its value is left out.",
            "Tulis harga per satuan, bukan harga total; periksa kelebihan nol.",
            WARNING,
        ),
        _duplicate_rule(
            ["_submission_id", "flow", "date", "commodity", "quantity", "unit", "unit_price_idr", "grade"],
            "Baris ini sama persis dengan baris {row}.",
            "This row repeats row {row}.",
            "Hapus baris ganda; jika memang dua transaksi, bedakan tanggal atau keterangannya.",
        ),
    ]
    return out


def rules(
    kind: str,
    registered: list[str],
    unit_pairs: list[tuple[str, str]],
    grade_pairs: list[tuple[str, str]],
    commodities: list[str],
) -> list[Rule]:
    """Every rule of a kind, for the current registry and catalogue (the suite is rebuilt from these each run)."""
    common = _required(kind) + _header_rules(registered)
    if kind == FINANCE:
        return common + _finance_rules()
    return common + _line_rules(unit_pairs, grade_pairs, commodities)
