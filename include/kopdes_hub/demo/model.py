"""The demo year's facts and records: months, prices, spellings, defects and what one submission holds.

Every number names its source (``shared/domain/BRIEF.md``) or says ASSUMPTION.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from include.kopdes_hub.contract import LINES

# The twelve reporting months of the demo year; fixed so that a demo never depends on today's date.
PERIODS: tuple[str, ...] = tuple(
    f"{2025 + (10 + i) // 12}-{(10 + i) % 12 + 1:02d}" for i in range(12)
)  # 2025-11 .. 2026-10

SHAPES = ("csv_semicolon_cp1252", "csv_comma_utf8", "csv_comma_utf8_bom", "xlsx_title", "json_object", "json_list")
SUPPLY, DEMAND = "pasokan", "kebutuhan"

# Defects validation must catch, row-level then file-level; `corrected_resubmission` marks a clean revision.
ROW_DEFECTS = ("misspelled_commodity", "unit_not_allowed", "negative_quantity", "absurd_quantity", "date_outside_month")
# Faults validation keeps the line for and warns about: a grade the market does not use, a line's total written as
# its unit price, a quantity typed with an extra zero (in a month with enough history to show it).
WARNING_DEFECTS = ("unknown_grade", "price_as_total", "extra_zero")
FILE_DEFECTS = ("unknown_cooperative", "duplicate_file", "empty_file", "corrupt_xlsx")
REVISION = "corrected_resubmission"
DEFECTS = (*ROW_DEFECTS, *WARNING_DEFECTS, *FILE_DEFECTS, REVISION)

# How many files carry each defect: about 6 % of the ~870 files, one defect per file (ASSUMPTION).
ROW_DEFECT_FILES = 7
DUPLICATE_FILES = 6
UNKNOWN_COOPERATIVE_PERIODS = 2
REVISION_SHARE = 0.4  # share of row-defect files a clerk resends fixed (ASSUMPTION); empty/corrupt always are

REPORTING_COOPERATIVES = 40  # of 49: 35 boards attended the hub launch [S14]; a few more report (ASSUMPTION)
UNKNOWN_COOPERATIVE_ID = "KDMP-1902069999"  # Belitung has no district 06: an id no registry can hold

# Shape quota over the 40 reporting cooperatives: mostly Excel-born `;` CSV and XLSX (ASSUMPTION).
SHAPE_QUOTA = {
    "csv_semicolon_cp1252": 13,
    "xlsx_title": 9,
    "csv_comma_utf8": 6,
    "csv_comma_utf8_bom": 5,
    "json_object": 4,
    "json_list": 3,
}
SHAPE_SWITCH = 0.04  # a clerk now and then sends another shape (a colleague's laptop): ASSUMPTION

FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
FIXED_XLSX_TIME = datetime(2026, 1, 1)
WIB = timezone(timedelta(hours=7))

MONTHS_ID = (
    "JANUARI", "FEBRUARI", "MARET", "APRIL", "MEI", "JUNI",
    "JULI", "AGUSTUS", "SEPTEMBER", "OKTOBER", "NOVEMBER", "DESEMBER",
)  # fmt: skip

# Supply commodities by district and the chance a cooperative there trades each one [BRIEF 4] (shares ASSUMPTION).
DISTRICT_SUPPLY: dict[str, tuple[tuple[str, float], ...]] = {
    "19.02.01": (("tbs_sawit", 0.5), ("kelapa", 0.5), ("ikan_tongkol", 0.5), ("cumi", 0.3), ("lada_putih", 0.2)),
    "19.02.02": (("lada_putih", 0.9), ("rajungan", 0.8), ("udang", 0.7), ("tbs_sawit", 0.3)),
    "19.02.03": (("ikan_tongkol", 0.9), ("kerapu", 0.7), ("lada_putih", 0.7), ("karet", 0.6)),
    "19.02.04": (("cumi", 0.9), ("tbs_sawit", 0.7), ("kelapa", 0.6), ("ikan_tongkol", 0.3)),
    "19.02.05": (("tbs_sawit", 0.9), ("rajungan", 0.6), ("kerapu", 0.5), ("lada_putih", 0.6)),
}
KELURAHAN_SUPPLY = (("ikan_tongkol", 0.4), ("cumi", 0.2))  # town kelurahan: mostly demand, some fish [BRIEF 4]
FORCED_SUPPLY = {
    "19.02.05.2004": "lada_putih",  # Koperasi Kacang Butor sought pepper buyers [S50]
    "19.02.05.2006": "kerapu",  # kerapu programme at Pegantungan [S53]
    "19.02.04.2008": "cumi",  # Keciput, Sijuk: cumi centre [S48]
}
MAX_SUPPLY_COMMODITIES = 3

FISHING_DAYS = 18  # days at sea per month for small boats (ASSUMPTION)
# Typical size of one delivery to the hub, in base units: sets how many lines a month's volume makes (ASSUMPTION).
LOT_SIZE = {
    "lada_putih": 250, "tbs_sawit": 8_000, "kelapa": 1_500, "karet": 400, "ikan_tongkol": 300,
    "cumi": 200, "kerapu": 80, "udang": 120, "rajungan": 150,
}  # fmt: skip
MAX_DELIVERIES = 7

# Price per base unit by grade ("" = ungraded), before noise and season [Sn as noted].
PRICE_IDR: dict[str, dict[str, float]] = {
    "lada_putih": {"I": 160_000, "II": 150_000},  # 160k Nov-2025 [S61]; Mutu II discount ASSUMPTION
    "tbs_sawit": {"": 3_000},  # 2,668-3,264 by age minus collector margin [S63][S64]
    "kelapa": {"A": 5_000, "B": 3_500},  # 4,000-10,000 per butir Aug-2025 [S65], A/B [S66]
    "karet": {"": 12_000},  # ASSUMPTION
    "ikan_tongkol": {"lokal": 15_000, "ekspor": 22_000},  # 15k normal [S67]; ekspor ASSUMPTION
    "cumi": {
        "kecil": 32_500,
        "sedang": 70_000,
        "besar": 112_500,
    },  # kecil 25-40k, besar 100-125k [S67]; sedang ASSUMPTION
    "kerapu": {"lokal": 75_000, "ekspor": 160_000},  # export 65-85k, sunu 145-200k [S68][S69]
    "udang": {"lokal": 85_000, "ekspor": 110_000},  # tambak ~80k, laut ~100k [S67]
    "rajungan": {"lokal": 60_000, "ekspor": 90_000},  # ASSUMPTION
    "beras": {"medium": 13_000, "premium": 15_500},  # medium HET 12,500-13,500 [S31]; premium ASSUMPTION
    "pupuk_urea": {"": 1_800},  # HET after 22-Oct-2025 [S28][S29]
    "pupuk_npk": {"": 1_840},  # [S28][S29]
    "minyak_goreng": {"": 15_700},  # ASSUMPTION
    "gula": {"": 17_500},  # ASSUMPTION
}
LPG_HET_IDR = (19_000, 25_000)  # HET Babel by distance [S27]
ROUGH_SEA_MONTHS = (11, 12, 1, 2)  # musim barat: fewer boats out, prices +10-50 % [S82][S83][S67]
ROUGH_SEA_PRICE = 1.25
PEPPER_BULK_PREMIUM = 2_000  # bulk lots fetch ~Rp2,000/kg more [S62]
EKSPOR_SHARE = {"ikan_tongkol": 0.15, "kerapu": 0.5, "udang": 0.25, "rajungan": 0.3}  # ASSUMPTION
CUMI_SIZES = {"kecil": 0.5, "sedang": 0.2, "besar": 0.3}  # squid is sold by size [S67]; shares ASSUMPTION
UNKNOWN_GRADES = ("super", "campur", "KW 1")  # what clerks write that no catalogue grade is
HISTORY_MONTHS_FOR_OUTLIERS = 3  # an extra zero is planted only where the cooperative has that many months before

# How a clerk spells commodities and units; every spelling resolves through the catalogue.
CLERK_SPELLINGS: dict[str, tuple[str, ...]] = {
    "lada_putih": ("Lada Putih", "lada putih", "LADA PUTIH", "Lada", "Sahang", "lada_putih"),
    "tbs_sawit": ("TBS Sawit", "TBS", "Sawit", "Buah Sawit", "tbs_sawit"),
    "kelapa": ("Kelapa", "Kelapa Dalam", "Kelapa Bulat", "kelapa"),
    "karet": ("Karet", "Getah Karet", "Bokar", "karet"),
    "ikan_tongkol": ("Ikan Tongkol", "Tongkol", "TONGKOL", "ikan_tongkol"),
    "cumi": ("Cumi-cumi", "Cumi cumi", "Sotong", "cumi"),
    "kerapu": ("Ikan Kerapu", "Kerapu Sunu", "Kerapu", "kerapu"),
    "udang": ("Udang", "Udang Laut", "UDANG", "udang"),
    "rajungan": ("Rajungan", "Kepiting Rajungan", "rajungan"),
    "beras": ("Beras", "Beras Medium", "Beras SPHP", "beras"),
    "pupuk_urea": ("Pupuk Urea", "Urea", "pupuk_urea"),
    "pupuk_npk": ("Pupuk NPK", "NPK", "Phonska", "pupuk_npk"),
    "lpg_3kg": ("LPG 3 kg", "Elpiji 3 kg", "Gas Melon", "lpg_3kg"),
    "minyak_goreng": ("Minyak Goreng", "Minyakita", "minyak_goreng"),
    "gula": ("Gula Pasir", "Gula", "gula"),
}
UNIT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "kg": ("kg", "Kg", "KG", "kilo"),
    "kuintal": ("kwintal", "Kwintal", "kuintal", "kw"),
    "ton": ("ton", "Ton"),
    "tandan": ("tandan", "janjang", "tdn"),
    "butir": ("butir", "btr", "biji"),
    "gandeng": ("gandeng",),
    "tabung": ("tabung", "tbg", "Tabung"),
    "liter": ("liter", "ltr", "Liter"),
    "sak": ("sak", "Sak", "karung", "zak"),
}
MISSPELLINGS = {
    "lada_putih": ("Lada Putig", "Lada Puteh", "Lad Putih"),
    "cumi": ("Cumi2x", "Cumi2", "Cumi-cumy"),
    "tbs_sawit": ("TBS Sawitt", "Sawiit"),
    "kelapa": ("Klapa", "Kelapa Dlm"),
    "karet": ("Karett", "Getah Karret"),
    "ikan_tongkol": ("Ikan Tongkoll", "Tongkl"),
    "kerapu": ("Krapu", "Kerapuh"),
    "udang": ("Udng", "Udank"),
    "rajungan": ("Rajungn", "Ranjungan"),
}
WRONG_UNITS = {"lada_putih": "tabung", "rajungan": "liter", "kelapa": "kg", "tbs_sawit": "butir", "cumi": "tabung"}
ABSURD_QUANTITIES = (5_000_000, 2_500_000, 9_999_999)  # kg in one month: more than Belitung grows in a year

# What clerks write in `keterangan`; some non-ASCII (dash, ±, é), so a file's encoding matters.
NOTES: dict[str, tuple[str, ...]] = {
    "lada_putih": ("kualitas baik – kering", "kadar air ±13%", "sudah dijemur – siap kirim", "dari kelompok tani"),
    "agri": ("dari kelompok tani", "ambil di gudang koperasi", "timbang ulang di hub", "kualitas baik – sesuai nota"),
    "fishery": ("ikan segar – es cukup", "hasil tangkapan nelayan anggota", "timbang ulang di hub", "suhu ±4 °C"),
    "needs": (
        "untuk gerai sembako", "pesanan anggota", "stok akhir bulan", "antar ke kantor desa – sore",
        "pesanan warung & café anggota",
    ),
}  # fmt: skip
NOTE_SHARE = 0.35


@dataclass(frozen=True)
class DemoFile:
    """One file written to landing, and what a correct pipeline should make of it."""

    name: str  # path relative to landing (flat: just the file name)
    cooperative_id: str
    period: str
    kind: str  # "lines" or "finance"
    shape: str  # one of SHAPES
    defects: tuple[str, ...]  # empty for a clean file
    rows: int  # data rows written (0 for the unreadable files)


@dataclass
class _Row:
    flow: str
    day: date
    code: str  # catalogue code, kept beside the clerk's spelling so defects can be placed on purpose
    commodity: str
    quantity: float
    unit: str
    unit_price_idr: int
    grade: str
    notes: str


@dataclass(frozen=True)
class _Clerk:
    """The habits of one cooperative's clerk: a clerk keeps them from month to month."""

    shape: str
    lines_template: str
    finance_template: str
    rupiah_prefix: bool  # writes "Rp 160.000" in `;` files
    title_rows: int  # XLSX: 1 = title + blank row, 2 = title + subtitle
    date_cells: bool  # XLSX: real date cells, else DD-MM-YYYY text
    indonesian_keys: bool  # JSON list: Indonesian or English keys
    spelling: dict[str, str]  # commodity code -> usual spelling
    units: dict[str, str]  # commodity code -> usual unit
    late: bool  # habitually sends after the 10th


@dataclass
class _Submission:
    coop: dict[str, str]
    clerk: _Clerk
    period: str
    kind: str
    shape: str
    received: datetime
    name: str
    lines: list[_Row] = field(default_factory=list)
    finance: dict[str, int] = field(default_factory=dict)
    defects: tuple[str, ...] = ()
    payload: bytes | None = None

    @property
    def rows(self) -> int:
        if self.defects and self.defects[0] in ("empty_file", "corrupt_xlsx"):
            return 0
        return len(self.lines) if self.kind == LINES else 1


LINES_TEMPLATES = ("{cid}_{period}_pasokan_kebutuhan", "{cid}-{period}", "Laporan_{cid}_{period}")
FINANCE_TEMPLATES = ("laporan_keuangan_{cid}_{period}", "{cid}-{period}-keuangan", "keuangan_{cid}_{period}")
SUFFIX = {"xlsx_title": ".xlsx", "json_object": ".json", "json_list": ".json"}
