"""A deterministic year of clerk submissions from Belitung's village cooperatives, for demos, tests and benchmarks.

The pipeline has no real submissions yet, so this module writes what the hub expects to receive: one file per
cooperative, month and kind, in the shapes of contract v1 as clerks really send them (``;`` CSV in Windows-1252
with Indonesian numbers, ``,`` CSV in UTF-8 with or without BOM, XLSX with title rows, JSON objects and lists),
with Belitung's commodities, seasons and prices (``shared/domain/BRIEF.md`` sections 4-6) and a small, recorded
share of the defects validation must catch. The manifest says which file holds which defect, so tests can check
the pipeline against it. Everything is seeded: the same seed gives the same bytes, whatever the date.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import os
import random
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from include.kopdes_hub.contract import COLUMNS, FINANCE, INDONESIAN_NAMES, LINES
from include.kopdes_hub.reference import REGISTRY_COLUMNS, load_catalogue, load_registry

# The twelve reporting months of the demo year; fixed so that a demo never depends on today's date.
PERIODS: tuple[str, ...] = tuple(
    f"{2025 + (10 + i) // 12}-{(10 + i) % 12 + 1:02d}" for i in range(12)
)  # 2025-11 .. 2026-10

SHAPES = ("csv_semicolon_cp1252", "csv_comma_utf8", "csv_comma_utf8_bom", "xlsx_title", "json_object", "json_list")
SUPPLY, DEMAND = "pasokan", "kebutuhan"

# Defects validation must catch, row-level then file-level; `corrected_resubmission` marks a clean revision.
ROW_DEFECTS = ("misspelled_commodity", "unit_not_allowed", "negative_quantity", "absurd_quantity", "date_outside_month")
FILE_DEFECTS = ("unknown_cooperative", "duplicate_file", "empty_file", "corrupt_xlsx")
REVISION = "corrected_resubmission"
DEFECTS = (*ROW_DEFECTS, *FILE_DEFECTS, REVISION)

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
    "cumi": {"lokal": 35_000, "ekspor": 110_000},  # kecil 25-40k, besar 100-125k [S67]
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
EKSPOR_SHARE = {"ikan_tongkol": 0.15, "cumi": 0.3, "kerapu": 0.5, "udang": 0.25, "rajungan": 0.3}  # ASSUMPTION

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


def generate_demo(landing: Path, seed: int = 1902) -> list[DemoFile]:
    """Write a year of monthly submissions into ``landing`` and return the manifest, oldest file first.

    Each file's modification time is set to the moment the clerk sent it, so "a later file supersedes" can be
    seen on disk as well as in the manifest's order.
    """
    landing = Path(landing)
    landing.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    registry = sorted(load_registry(), key=lambda r: r["cooperative_id"])

    reporting = _choose_reporting(registry, rng)
    shapes = _assign_shapes(reporting, rng)
    subs: list[_Submission] = []
    for coop in reporting:
        subs.extend(_cooperative_year(coop, shapes[coop["cooperative_id"]], seed))
    subs.sort(key=lambda s: (s.received, s.name))

    subs = _add_defects(subs, rng, seed)
    subs.sort(key=lambda s: (s.received, s.name))

    names = [s.name for s in subs]
    if len(set(names)) != len(names):
        raise RuntimeError("demo generator produced two files with the same name")
    for sub in subs:
        if sub.payload is None:
            sub.payload = _render(sub)
        path = landing / sub.name
        _write_atomic(path, sub.payload)
        stamp = sub.received.timestamp()
        os.utime(path, (stamp, stamp))
    return [
        DemoFile(
            name=s.name,
            cooperative_id=s.coop["cooperative_id"],
            period=s.period,
            kind=s.kind,
            shape=s.shape,
            defects=s.defects,
            rows=s.rows,
        )
        for s in subs
    ]


# --- who reports, how, and when ---------------------------------------------------------------------------------


def _choose_reporting(registry: list[dict[str, str]], rng: random.Random) -> list[dict[str, str]]:
    pilot = [r for r in registry if r["pilot"] == "true"]  # the national pilot reports, whatever the draw
    others = [r for r in registry if r["pilot"] != "true"]
    chosen = pilot + rng.sample(others, REPORTING_COOPERATIVES - len(pilot))
    return sorted(chosen, key=lambda r: r["cooperative_id"])


def _assign_shapes(coops: list[dict[str, str]], rng: random.Random) -> dict[str, str]:
    # A quota rather than independent draws, so that every shape is present whatever the seed.
    pool = [shape for shape, n in SHAPE_QUOTA.items() for _ in range(n)]
    pool += ["csv_semicolon_cp1252"] * (len(coops) - len(pool))
    rng.shuffle(pool)
    return {c["cooperative_id"]: shape for c, shape in zip(coops, pool, strict=True)}


def _make_clerk(shape: str, supply: Sequence[str], rng: random.Random) -> _Clerk:
    catalogue = load_catalogue()
    english = shape.startswith("csv_comma")
    spelling: dict[str, str] = {}
    units: dict[str, str] = {}
    for code in CLERK_SPELLINGS:
        choices = CLERK_SPELLINGS[code]
        # app exports and English CSVs write the catalogue name or code; Indonesian sheets are freer
        spelling[code] = rng.choice((catalogue.commodities[code].name, code)) if english else rng.choice(choices)
    for code in supply:
        units[code] = _usual_unit(code, rng)
    units["beras"] = rng.choices(("sak", "kg", "kuintal"), weights=(5, 3, 2))[0]
    units["gula"] = rng.choices(("kg", "sak"), weights=(7, 3))[0]
    for code in ("pupuk_urea", "pupuk_npk"):
        units[code] = rng.choices(("sak", "kg"), weights=(9, 1))[0]
    units["lpg_3kg"], units["minyak_goreng"] = "tabung", "liter"
    return _Clerk(
        shape=shape,
        lines_template=rng.choice(LINES_TEMPLATES),
        finance_template=rng.choice(FINANCE_TEMPLATES),
        rupiah_prefix=rng.random() < 0.5,
        title_rows=rng.choice((1, 2)),
        date_cells=rng.random() < 0.6,
        indonesian_keys=rng.random() < 0.5,
        spelling=spelling,
        units=units,
        late=rng.random() < 0.2,
    )


def _usual_unit(code: str, rng: random.Random) -> str:
    if code == "tbs_sawit":
        return rng.choices(("kg", "ton", "tandan"), weights=(5, 3, 2))[0]
    if code == "kelapa":
        return rng.choices(("butir", "gandeng"), weights=(9, 1))[0]
    return rng.choices(("kg", "kuintal"), weights=(85, 15))[0]


def _reported_periods(rng: random.Random) -> list[bool]:
    """Which months a cooperative reports: most every month, some start late, lapse or report now and then."""
    pattern = rng.choices(("steady", "late_start", "lapse", "sporadic"), weights=(70, 10, 10, 10))[0]
    reported = [rng.random() < 0.96 for _ in PERIODS]
    if pattern == "late_start":
        start = rng.randint(2, 4)
        reported = [i >= start and r for i, r in enumerate(reported)]
    elif pattern == "lapse":
        gap, length = rng.randint(3, 8), rng.randint(2, 3)
        reported = [r and not gap <= i < gap + length for i, r in enumerate(reported)]
    elif pattern == "sporadic":
        reported = [rng.random() < 0.7 for _ in PERIODS]
    if not any(reported):
        reported[-1] = True
    return reported


def _received_at(period: str, late: bool, rng: random.Random) -> datetime:
    # Reports are due by the 10th of the next month (ASSUMPTION); late clerks send up to three weeks after.
    year, month = (int(x) for x in period.split("-"))
    first_next = date(year + month // 12, month % 12 + 1, 1)
    day = rng.randint(11, 31) if late or rng.random() < 0.08 else rng.randint(1, 10)
    when = datetime.combine(first_next + timedelta(days=day - 1), datetime.min.time(), WIB)
    return when + timedelta(hours=rng.randint(8, 20), minutes=rng.randint(0, 59))


def _cooperative_year(coop: dict[str, str], shape: str, seed: int, only: Sequence[str] = ()) -> list[_Submission]:
    """Every submission one cooperative sends in the demo year (its own random stream, so order never matters).

    ``only`` forces the months reported, finance included (for the unregistered cooperative).
    """
    rng = random.Random(f"{seed}/{coop['cooperative_id']}")
    supply = _supply_profile(coop, rng)
    clerk = _make_clerk(shape, [code for code, _ in supply], rng)
    demand = _demand_profile(coop, supply, rng)
    reported = [p in only for p in PERIODS] if only else _reported_periods(rng)
    months = [_month_lines(coop, clerk, supply, demand, i, rng) for i in range(len(PERIODS))]
    finance = _finance_year(coop, months, rng)

    subs = []
    for i, period in enumerate(PERIODS):
        if not reported[i]:
            continue
        month_shape = shape
        if rng.random() < SHAPE_SWITCH:
            month_shape = rng.choice([s for s in SHAPES if s != shape])
        received = _received_at(period, clerk.late, rng)
        if month_shape == "csv_semicolon_cp1252":
            _ensure_non_ascii(months[i])
        subs.append(_Submission(coop, clerk, period, LINES, month_shape, received, "", lines=months[i]))
        if rng.random() < 0.95 or only:  # finance now and then forgotten (ASSUMPTION)
            later = received + timedelta(minutes=rng.randint(1, 90))
            subs.append(_Submission(coop, clerk, period, FINANCE, month_shape, later, "", finance=finance[i]))
    for sub in subs:
        sub.name = _file_name(sub)
    return subs


def _file_name(sub: _Submission) -> str:
    template = sub.clerk.lines_template if sub.kind == LINES else sub.clerk.finance_template
    stem = template.format(cid=sub.coop["cooperative_id"], period=sub.period)
    return stem + SUFFIX.get(sub.shape, ".csv")


# --- what a cooperative trades ----------------------------------------------------------------------------------


def _supply_profile(coop: dict[str, str], rng: random.Random) -> list[tuple[str, float]]:
    """(commodity, volume of a normal month in base units) for each commodity the cooperative offers."""
    kelurahan = coop["cooperative_type"] == "KKMP"
    options = KELURAHAN_SUPPLY if kelurahan else DISTRICT_SUPPLY[coop["district_code"]]
    codes = [code for code, p in options if rng.random() < p]
    forced = FORCED_SUPPLY.get(coop["village_code"])
    if forced and forced not in codes:
        codes.insert(0, forced)
    if not codes and not kelurahan:
        codes = [options[0][0]]
    return [(code, _normal_volume(code, rng)) for code in codes[:MAX_SUPPLY_COMMODITIES]]


def _normal_volume(code: str, rng: random.Random) -> float:
    """A normal month's volume (seasonality 1.0) the cooperative aggregates, in base units [BRIEF 6]."""
    season_total = sum(load_catalogue().commodities[code].seasonality)
    if code == "lada_putih":  # tens of households x 300-600 kg white pepper a year [S88][S56]
        return rng.randint(10, 60) * rng.uniform(300, 600) / season_total
    if code == "tbs_sawit":  # 1-2 t TBS/ha per round [S84]; 5-25 ha, one round a month via the coop (ASSUMPTION)
        return rng.uniform(5, 25) * rng.uniform(1_000, 2_000)
    if code == "kelapa":  # ~2,700 nuts/ha/month [S89]; a few ha sold through the coop (ASSUMPTION)
        return rng.uniform(1.5, 8) * 2_700
    if code == "karet":  # 60-120 kg dry rubber per household a month (ASSUMPTION)
        return rng.randint(8, 30) * rng.uniform(60, 120)
    kg_per_day = {"ikan_tongkol": (8, 20), "cumi": (5, 15), "kerapu": (2, 6), "udang": (3, 10), "rajungan": (5, 15)}
    low, high = kg_per_day[code]  # small boats land 5-20 kg/day [S83]
    return rng.randint(5, 25) * rng.uniform(low, high) * FISHING_DAYS


def _demand_profile(
    coop: dict[str, str], supply: Sequence[tuple[str, float]], rng: random.Random
) -> list[tuple[str, float, int]]:
    """(need, normal monthly volume in base units, deliveries) sized to the cooperative's members (ASSUMPTION)."""
    members = int(coop["members"])
    farming = any(code in ("lada_putih", "tbs_sawit", "kelapa", "karet") for code, _ in supply)
    needs: list[tuple[str, float, int]] = [("beras", members * 10 * rng.uniform(0.15, 0.4), rng.randint(1, 3))]
    if "pangkalan_lpg" in coop["business_units"] or rng.random() < 0.7:
        drops = rng.randint(1, 4)
        needs.append(("lpg_3kg", drops * rng.uniform(30, 100), drops))  # 30-100 tabung per drop [S9]
    if farming or (coop["cooperative_type"] == "KDMP" and rng.random() < 0.4):
        needs.append(("pupuk_urea", members * rng.uniform(0.05, 0.2) * 50, rng.randint(1, 2)))  # sak 50 kg [S28]
        if rng.random() < 0.7:
            needs.append(("pupuk_npk", members * rng.uniform(0.03, 0.15) * 50, rng.randint(1, 2)))
    if rng.random() < 0.8:
        needs.append(("minyak_goreng", members * rng.uniform(0.3, 1.0), rng.randint(1, 2)))
    if rng.random() < 0.7:
        needs.append(("gula", members * rng.uniform(0.2, 0.8), 1))
    # School-meal (MBG) kitchens buy local protein through the hub [S13]: villages that do not fish order fish, and
    # town kelurahan order coconut; both volumes ASSUMPTION. These are what the hub's transfer plan moves.
    fishing = any(code in ("ikan_tongkol", "cumi", "kerapu", "udang", "rajungan") for code, _ in supply)
    if not fishing and rng.random() < 0.6:
        needs.append(("ikan_tongkol", members * rng.uniform(1, 4), rng.randint(1, 3)))
    if coop["cooperative_type"] == "KKMP" and rng.random() < 0.6:
        needs.append(("kelapa", members * rng.uniform(2, 8), 1))
    return needs


def _month_lines(
    coop: dict[str, str],
    clerk: _Clerk,
    supply: Sequence[tuple[str, float]],
    demand: Sequence[tuple[str, float, int]],
    index: int,
    rng: random.Random,
) -> list[_Row]:
    period = PERIODS[index]
    year, month = (int(x) for x in period.split("-"))
    catalogue = load_catalogue()
    rows: list[_Row] = []
    for code, normal in supply:
        season = catalogue.commodities[code].seasonality[month - 1]
        volume = normal * season * rng.lognormvariate(0, 0.2)
        deliveries = max(1, min(MAX_DELIVERIES, round(volume / LOT_SIZE[code])))
        for lot in _split(volume, deliveries, rng):
            rows.append(_supply_row(code, lot, year, month, clerk, rng))
    for j, (code, normal, deliveries) in enumerate(demand):
        if j and rng.random() < 0.1:  # not every need is ordered every month; rice always is
            continue
        season = catalogue.commodities[code].seasonality[month - 1]
        volume = normal * season * rng.lognormvariate(0, 0.15)
        for lot in _split(volume, deliveries, rng):
            rows.append(_demand_row(code, lot, year, month, clerk, coop, rng))
    while len(rows) < 5:  # a month's file has at least a handful of lines: split the biggest order in two
        biggest = max((r for r in rows if r.flow == DEMAND), key=lambda r: r.quantity, default=rows[0])
        half = _round_quantity(biggest.quantity / 2, biggest.unit)
        if half <= 0:
            break
        biggest.quantity = _round_quantity(biggest.quantity - half, biggest.unit)
        # a second delivery on another day: two identical lines would be a duplicate, not a split order
        other_days = [d for d in (_random_day(year, month, rng) for _ in range(5)) if d != biggest.day]
        rows.append(replace(biggest, quantity=half, day=other_days[0] if other_days else biggest.day))
    seen: set[tuple[object, ...]] = set()
    for r in rows:
        # two identical lines read as one line typed twice: a second delivery of the same lot gets its own day
        while (key := (r.flow, r.code, r.day, r.quantity, load_catalogue().unit_name(r.unit))) in seen:
            r.day = _random_day(year, month, rng)
        seen.add(key)
    rows.sort(key=lambda r: (r.flow != SUPPLY, r.day))
    return rows


def _ensure_non_ascii(rows: list[_Row]) -> None:
    """A Windows-1252 file with one accented or dashed note, so that decoding it as UTF-8 visibly fails."""
    if rows and all(r.notes.isascii() for r in rows):
        rows[0].notes = "kualitas baik – sesuai nota" if rows[0].flow == SUPPLY else "antar ke kantor desa – sore"


def _split(total: float, parts: int, rng: random.Random) -> list[float]:
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(weights)
    return [w * scale for w in weights]


def _random_day(year: int, month: int, rng: random.Random) -> date:
    return date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def _round_quantity(quantity: float, unit: str) -> float:
    if unit == "kg":
        return round(quantity * 2) / 2  # clerks' scales read to the half kilo
    if unit == "kuintal":
        return round(quantity, 1)
    if unit == "ton":
        return round(quantity, 2)
    return float(max(1, round(quantity)))  # tandan, butir, gandeng, tabung, sak, liter are counted


def _unit_for(code: str, clerk: _Clerk, base_quantity: float, rng: random.Random) -> str:
    units = load_catalogue().commodities[code].units
    unit = clerk.units.get(code, load_catalogue().commodities[code].base_unit)
    if rng.random() < 0.1:  # a clerk is not perfectly consistent
        unit = rng.choice(sorted(units))
    if unit in ("kuintal", "ton", "sak") and base_quantity < units[unit]:
        unit = load_catalogue().commodities[code].base_unit  # nobody writes 0.3 ton
    return unit


def _price_per_unit(base_price: float, factor: float) -> int:
    step = 1_000 if base_price * factor >= 1_000_000 else 100
    return int(round(base_price * factor / step) * step)


def _supply_row(code: str, base_qty: float, year: int, month: int, clerk: _Clerk, rng: random.Random) -> _Row:
    commodity = load_catalogue().commodities[code]
    grade = ""
    if code == "lada_putih":
        grade = "I" if rng.random() < 0.7 else "II"
    elif code == "kelapa":
        grade = "A" if rng.random() < 0.6 else "B"
    elif code in EKSPOR_SHARE:
        grade = "ekspor" if rng.random() < EKSPOR_SHARE[code] else "lokal"
    price = PRICE_IDR[code][grade] * rng.uniform(0.92, 1.08)
    if commodity.category == "fishery" and month in ROUGH_SEA_MONTHS:
        price *= ROUGH_SEA_PRICE
    if code == "lada_putih" and base_qty >= 200:
        price += PEPPER_BULK_PREMIUM
    price = min(max(price, commodity.price_min_idr), commodity.price_max_idr)
    unit = _unit_for(code, clerk, base_qty, rng)
    factor = commodity.units[unit]
    quantity = _round_quantity(base_qty / factor, unit)
    if quantity <= 0:
        unit, factor = commodity.base_unit, 1.0
        quantity = _round_quantity(max(base_qty, 1.0), unit)
    return _Row(
        flow=SUPPLY,
        day=_random_day(year, month, rng),
        code=code,
        commodity=_spell(code, clerk, rng),
        quantity=quantity,
        unit=_spell_unit(unit, clerk, rng),
        unit_price_idr=_price_per_unit(price, factor),
        grade=grade,
        notes=_note(code, rng),
    )


def _demand_row(
    code: str, base_qty: float, year: int, month: int, clerk: _Clerk, coop: dict[str, str], rng: random.Random
) -> _Row:
    commodity = load_catalogue().commodities[code]
    grade = {"ikan_tongkol": "lokal", "kelapa": "B"}.get(code, "")  # kitchens buy the everyday grade
    if code == "beras":
        grade = "medium" if rng.random() < 0.8 else "premium"
    if code == "lpg_3kg":
        # the HET depends on the distance from the depot: one value per cooperative [S27]
        low, high = LPG_HET_IDR
        cap = random.Random(coop["cooperative_id"]).randrange(low, high + 1, 500)
    else:
        cap = PRICE_IDR[code][grade] * rng.choice((1.0, 1.0, 1.05, 1.1))  # a cap at HET or a little above
    unit = _unit_for(code, clerk, base_qty, rng)
    factor = commodity.units[unit]
    return _Row(
        flow=DEMAND,
        day=_random_day(year, month, rng),
        code=code,
        commodity=_spell(code, clerk, rng),
        quantity=_round_quantity(base_qty / factor, unit),
        unit=_spell_unit(unit, clerk, rng),
        unit_price_idr=_price_per_unit(cap, factor),
        grade=grade,
        notes=_note(code, rng),
    )


def _note(code: str, rng: random.Random) -> str:
    if rng.random() >= NOTE_SHARE:
        return ""
    return rng.choice(NOTES.get(code) or NOTES[load_catalogue().commodities[code].category])


def _spell(code: str, clerk: _Clerk, rng: random.Random) -> str:
    if clerk.shape.startswith("csv_comma") or rng.random() >= 0.15:
        return clerk.spelling[code]
    return rng.choice(CLERK_SPELLINGS[code])


def _spell_unit(unit: str, clerk: _Clerk, rng: random.Random) -> str:
    if clerk.shape.startswith("csv_comma") or (clerk.shape == "json_list" and not clerk.indonesian_keys):
        return unit
    return rng.choice(UNIT_SPELLINGS[unit])


# --- finance ----------------------------------------------------------------------------------------------------


def _finance_year(coop: dict[str, str], months: Sequence[Sequence[_Row]], rng: random.Random) -> list[dict[str, int]]:
    """Monthly finance figures consistent with the lines: revenue from the gerai and trading, savings, loans."""
    members_now = int(coop["members"])
    pokok = rng.choice((50_000, 75_000, 100_000))  # one-off principal savings [S10][S23]
    wajib = rng.choice((10_000, 15_000, 20_000))  # mandatory savings per month [S10][S23]
    collected = rng.uniform(0.55, 0.95)  # share of members paying wajib (ASSUMPTION)
    markup = rng.uniform(1.05, 1.15)  # gerai margin on needs (ASSUMPTION)
    trading_fee = rng.uniform(0.01, 0.03)  # share of the supply value the coop keeps for aggregating (ASSUMPTION)
    handling = rng.uniform(0.005, 0.015)  # weighing, sacks, transport to the hub (ASSUMPTION)
    services = rng.uniform(1e6, 5e6)  # klinik, BRILink, rentals (ASSUMPTION)
    staff = rng.uniform(3e6, 8e6)  # staff, electricity, rent a month (ASSUMPTION)
    growth = rng.uniform(0.02, 0.06)  # gerai sales grow as the gerai finds its customers (ASSUMPTION)

    # A few cooperatives ask for a PMK 49 loan (<= Rp3 bn [S35]); some get a Rp500 jt first tranche [S43].
    requested = rng.choice((500, 1_000, 1_500, 2_000, 2_500, 3_000)) * 1_000_000 if rng.random() < 0.25 else 0
    request_month = rng.randint(0, 6)
    tranche = 500_000_000 if requested and rng.random() < 0.5 else 0
    disbursed_month = rng.randint(request_month + 1, 10) if tranche else 99
    grace = rng.randint(6, 8)  # grace 6-8 months [S35]
    rate = 0.06 / 12  # 6 %/yr [S35]
    installment = tranche * rate / (1 - (1 + rate) ** -(72 - grace)) if tranche else 0.0  # 72 months [S35]

    founded = date.fromisoformat(coop["sk_ahu_date"])
    months_before = (2025 - founded.year) * 12 + 11 - founded.month  # wajib months paid before Nov 2025
    members = round(members_now * 0.8)
    wajib_balance = members * wajib * collected * months_before
    cash = members * pokok * 0.7 + wajib_balance * 0.7
    outstanding = 0.0
    out = []
    for i, rows in enumerate(months):
        members = max(9, round(members_now * (0.8 + 0.02 * i) * rng.uniform(0.99, 1.01)))  # >= 9 founders [S15]
        wajib_in = members * wajib * collected
        wajib_balance += wajib_in
        supply_value = sum(r.quantity * r.unit_price_idr for r in rows if r.flow == SUPPLY)
        demand_value = sum(r.quantity * r.unit_price_idr for r in rows if r.flow == DEMAND)
        goods = demand_value * (1 + growth * i)  # what the gerai buys to sell on
        revenue = goods * markup + supply_value * trading_fee + services * (1 + growth * i)
        cost = goods * rng.uniform(0.97, 1.02) + staff + supply_value * handling
        cash += revenue - cost + wajib_in + max(0, members - round(members_now * 0.8)) * pokok / 12
        if i == disbursed_month:
            outstanding = float(tranche)
            cash += tranche
        elif tranche and i > disbursed_month + grace:
            principal = installment - outstanding * rate
            outstanding -= principal
            cash -= installment
        cash = max(cash, rng.uniform(2e5, 2e6))  # the clerk's books never show an overdraft
        asked = 0
        if requested and i >= request_month:
            asked = requested - tranche if i >= disbursed_month else requested  # the rest as a top-up [S35]
        figures = {
            "revenue_idr": revenue,
            "operating_cost_idr": cost,
            "cash_idr": cash,
            "members": members,
            "savings_principal_idr": members * pokok,
            "savings_mandatory_idr": wajib_balance,
            "loan_outstanding_idr": outstanding,
            "loan_requested_idr": asked,
        }
        out.append({k: int(v) if k == "members" else int(round(v, -3)) for k, v in figures.items()})
    return out


# --- defects ----------------------------------------------------------------------------------------------------


def _add_defects(subs: list[_Submission], rng: random.Random, seed: int) -> list[_Submission]:
    """Spoil a few files the way clerks do, record it, and let some clerks resend a fixed file."""
    out = list(subs)
    lines = [s for s in subs if s.kind == LINES and s.shape == s.clerk.shape]
    taken: set[str] = set()

    def pick(candidates: list[_Submission], n: int) -> list[_Submission]:
        free = [s for s in candidates if s.name not in taken]
        chosen = rng.sample(free, min(n, len(free)))
        taken.update(s.name for s in chosen)
        return chosen

    revisions: list[_Submission] = []
    for defect in ROW_DEFECTS:
        candidates = [s for s in lines if _can_spoil(s, defect)]
        for sub in pick(candidates, ROW_DEFECT_FILES):
            clean = sub.lines
            sub.lines = [replace(r) for r in clean]
            _spoil_row(sub, defect, rng)
            sub.defects = (defect,)
            if rng.random() < REVISION_SHARE:
                revisions.append(_revision(sub, clean, rng))

    for defect, shapes in (
        ("empty_file", ("csv_semicolon_cp1252", "csv_comma_utf8")),
        ("corrupt_xlsx", ("xlsx_title",)),
    ):
        for sub in pick([s for s in lines if s.shape in shapes], 1):
            sub.defects = (defect,)
            revisions.append(_revision(sub, sub.lines, rng))
            full = _render(sub)
            sub.payload = b"" if defect == "empty_file" else full[: len(full) * 3 // 5]  # upload cut off
    out.extend(revisions)

    out.extend(_unknown_cooperative(seed))

    clean = [s for s in subs if not s.defects]
    for k, sub in enumerate(pick(clean, DUPLICATE_FILES)):
        sub.payload = _render(sub)
        stem, suffix = os.path.splitext(sub.name)
        name = f"Salinan dari {sub.name}" if k % 2 else f"{stem} (1){suffix}"  # a phone's copy, a browser's
        later = sub.received + timedelta(minutes=rng.randint(1, 30))  # sent twice, or saved twice
        out.append(replace(sub, name=name, received=later, defects=("duplicate_file",)))
    return out


def _can_spoil(sub: _Submission, defect: str) -> bool:
    supply = [r for r in sub.lines if r.flow == SUPPLY]
    if defect == "misspelled_commodity":
        return any(r.code in MISSPELLINGS for r in supply)
    if defect == "unit_not_allowed":
        return any(r.code in WRONG_UNITS for r in supply)
    if defect == "absurd_quantity":
        return any(load_catalogue().commodities[r.code].base_unit == "kg" for r in supply)
    return bool(sub.lines)


def _spoil_row(sub: _Submission, defect: str, rng: random.Random) -> None:
    catalogue = load_catalogue()
    if defect == "misspelled_commodity":
        row = rng.choice([r for r in sub.lines if r.flow == SUPPLY and r.code in MISSPELLINGS])
        row.commodity = rng.choice(MISSPELLINGS[row.code])
    elif defect == "unit_not_allowed":
        row = rng.choice([r for r in sub.lines if r.flow == SUPPLY and r.code in WRONG_UNITS])
        row.unit = WRONG_UNITS[row.code]
    elif defect == "negative_quantity":
        row = rng.choice(sub.lines)
        row.quantity = -row.quantity  # a return or correction typed as a minus
    elif defect == "absurd_quantity":
        rows = [r for r in sub.lines if r.flow == SUPPLY and catalogue.commodities[r.code].base_unit == "kg"]
        row = rng.choice(rows)
        row.quantity, row.unit = float(rng.choice(ABSURD_QUANTITIES)), "kg"
        row.unit_price_idr = _price_per_unit(sum(PRICE_IDR[row.code].values()) / len(PRICE_IDR[row.code]), 1)
    elif defect == "date_outside_month":
        row = rng.choice(sub.lines)
        if rng.random() < 0.5:  # the year of last year's template
            row.day = row.day.replace(year=row.day.year - 1)
        else:  # a line of the previous month left in
            row.day = row.day.replace(day=1) - timedelta(days=rng.randint(1, 20))


def _revision(sub: _Submission, clean_rows: list[_Row], rng: random.Random) -> _Submission:
    stem, suffix = os.path.splitext(sub.name)
    return replace(
        sub,
        name=f"{stem}_revisi{suffix}",
        received=sub.received + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8)),
        lines=[replace(r) for r in clean_rows],
        defects=(REVISION,),
        payload=None,
    )


def _unknown_cooperative(seed: int) -> list[_Submission]:
    """A cooperative outside the registry (a wrong kode or a neighbour's) sends a couple of months."""
    fake = {
        "cooperative_id": UNKNOWN_COOPERATIVE_ID,
        "cooperative_name": "Koperasi Desa Merah Putih Tanjung Batu",
        "village_code": "19.02.06.9999",
        "district_code": "19.02.05",
        "cooperative_type": "KDMP",
        "members": "120",
        "business_units": "gerai_sembako|kantor",
        "sk_ahu_date": "2025-07-15",
        "pilot": "false",
    }
    subs = _cooperative_year(fake, "csv_semicolon_cp1252", seed, only=PERIODS[-UNKNOWN_COOPERATIVE_PERIODS - 1 : -1])
    for s in subs:
        s.defects = ("unknown_cooperative",)
    return subs


# --- rendering --------------------------------------------------------------------------------------------------


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


def _write_atomic(path: Path, payload: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(payload)
    os.replace(tmp, path)


# --- benchmark load ---------------------------------------------------------------------------------------------

LARGE_SHAPES = ("csv_semicolon_cp1252", "csv_comma_utf8", "csv_comma_utf8_bom")
LARGE_ROWS_PER_FILE = 100
LARGE_CHUNK_ROWS = 200_000
VILLAGES_PER_DISTRICT = 20


def write_large_load(
    out: Path, cooperatives: int = 20_000, rows: int = 2_000_000, seed: int = 7, rows_per_file: int | None = None
) -> dict[str, int]:
    """Write a synthetic registry (``out/registry.csv``) and ``out/landing/`` lines files totalling ``rows`` rows.

    Ids start with ``99`` (no such province), so the load can share a store with Belitung. Rows are built as
    whole columns with numpy and pandas, so two million rows take seconds, not minutes.
    """
    if not 0 < cooperatives <= 99 * 99 * VILLAGES_PER_DISTRICT:
        raise ValueError(f"cooperatives must be between 1 and {99 * 99 * VILLAGES_PER_DISTRICT}, got {cooperatives}")
    rng = np.random.default_rng(seed)
    out = Path(out)
    landing = out / "landing"
    landing.mkdir(parents=True, exist_ok=True)

    registry = _large_registry(cooperatives, rng)
    buf = io.StringIO()
    registry.to_csv(buf, index=False, lineterminator="\n")
    _write_atomic(out / "registry.csv", buf.getvalue().encode("utf-8"))

    per_file = rows_per_file or LARGE_ROWS_PER_FILE
    n_files = min(max(1, rows // per_file), 12 * cooperatives) if rows > 0 else 0
    if n_files == 0:
        return {"cooperatives": cooperatives, "files": 0, "rows": 0}
    sizes = _sizes_summing_to(rows, n_files, rng)
    file_coop = np.arange(n_files) % cooperatives
    file_period = (np.arange(n_files) // cooperatives) % len(PERIODS)
    coop_shape = rng.integers(0, len(LARGE_SHAPES), cooperatives)
    file_shape = coop_shape[file_coop]

    ids = registry["cooperative_id"].to_numpy(dtype=object)
    starts = np.concatenate(([0], np.cumsum(sizes)))
    encoding = {"csv_semicolon_cp1252": "cp1252", "csv_comma_utf8": "utf-8", "csv_comma_utf8_bom": "utf-8-sig"}
    headers = {
        "csv_semicolon_cp1252": ";".join(INDONESIAN_NAMES[c] for c in COLUMNS[LINES]),
        "csv_comma_utf8": ",".join(COLUMNS[LINES]),
        "csv_comma_utf8_bom": ",".join(COLUMNS[LINES]),
    }
    # Files in chunks of about LARGE_CHUNK_ROWS rows: vectorised, yet memory stays flat however big the load.
    chunk_files = max(1, LARGE_CHUNK_ROWS // per_file)
    for first in range(0, n_files, chunk_files):
        files = np.arange(first, min(first + chunk_files, n_files))
        row_file = np.repeat(files, sizes[files])
        lines = _large_lines(file_period[row_file], file_shape[row_file], ids[file_coop[row_file]], rng)
        offset = starts[first]
        for f in files:
            shape = LARGE_SHAPES[file_shape[f]]
            newline = "\r\n" if shape == "csv_semicolon_cp1252" else "\n"
            body = lines[starts[f] - offset : starts[f + 1] - offset]
            text = newline.join([headers[shape], *body]) + newline
            name = f"{ids[file_coop[f]]}_{PERIODS[file_period[f]]}_pasokan_kebutuhan.csv"
            _write_atomic(landing / name, text.encode(encoding[shape]))
    return {"cooperatives": cooperatives, "files": n_files, "rows": int(sizes.sum())}


def _sizes_summing_to(total: int, parts: int, rng: np.random.Generator) -> np.ndarray:
    weights = rng.uniform(0.5, 1.5, parts)
    raw = weights / weights.sum() * total
    sizes = np.floor(raw).astype(np.int64)
    short = total - int(sizes.sum())
    sizes[np.argsort(-(raw - sizes), kind="stable")[:short]] += 1  # largest remainders take the leftover rows
    return sizes


def _large_registry(n: int, rng: np.random.Generator) -> pd.DataFrame:
    idx = np.arange(n)
    regency = 1 + idx // (99 * VILLAGES_PER_DISTRICT)
    district = 1 + (idx // VILLAGES_PER_DISTRICT) % 99
    kelurahan = rng.random(n) < 0.1  # ~9 % of KDKMP are KKMP nationally [S2]
    village = np.where(kelurahan, 1000, 2000) + 1 + idx % VILLAGES_PER_DISTRICT
    district_code = [f"99.{r:02d}.{d:02d}" for r, d in zip(regency, district, strict=True)]
    village_code = [f"{dc}.{v}" for dc, v in zip(district_code, village, strict=True)]
    ctype = np.where(kelurahan, "KKMP", "KDMP")
    has = {k: rng.random(n) < p for k, p in (("bank", 0.92), ("npwp", 0.9), ("nib", 0.85), ("nik", 0.88))}
    frame = pd.DataFrame(
        {
            "cooperative_id": [f"{t}-{vc.replace('.', '')}" for t, vc in zip(ctype, village_code, strict=True)],
            "cooperative_name": [f"Koperasi Merah Putih Sintetis {i:06d}" for i in idx],
            "hub_id": [f"HUB-99{r:02d}" for r in regency],
            "village_code": village_code,
            "district_code": district_code,
            "cooperative_type": ctype,
            "formation_model": "baru",
            "sk_ahu_no": [f"AHU-{x:07d}.AH.01.29.TAHUN 2025" for x in rng.integers(10**6, 10**7, n)],
            "sk_ahu_date": (pd.Timestamp("2025-06-01") + pd.to_timedelta(rng.integers(0, 61, n), unit="D")).strftime(
                "%Y-%m-%d"
            ),
            "nik_koperasi": np.where(has["nik"], rng.integers(10**15, 10**16, n).astype(str), ""),
            "npwp": np.where(has["npwp"], rng.integers(10**15, 10**16, n).astype(str), ""),
            "nib": np.where(has["nib"], rng.integers(10**12, 10**13, n).astype(str), ""),
            "bank": np.where(has["bank"], rng.choice(["BRI", "BNI", "Mandiri", "BTN"], n), ""),
            "bank_account": np.where(has["bank"], rng.integers(10**9, 10**10, n).astype(str), ""),
            "has_business_proposal": np.where(rng.random(n) < 0.7, "true", "false"),
            "has_approval_letter": np.where(rng.random(n) < 0.6, "true", "false"),
            "members": rng.integers(20, 501, n),
            "business_units": "gerai_sembako|kantor|simpan_pinjam",
            "simkopdes_active": np.where(rng.random(n) < 0.93, "true", "false"),
            "has_business_gerai": np.where(rng.random(n) < 0.47, "true", "false"),
            "land_point_verified": np.where(rng.random(n) < 0.39, "true", "false"),
            "pilot": "false",
            "dana_desa_pagu_idr": np.where(kelurahan, "", rng.choice([450, 750, 1050, 1350, 1650], n) * 1_000_000),
        }
    )
    return frame[list(REGISTRY_COLUMNS)]


def _large_lines(
    row_period: np.ndarray,
    row_shape: np.ndarray,
    coop: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """One CSV line (without newline) per row, formatted for its file's shape; base units, valid values."""
    catalogue = load_catalogue()
    codes = list(catalogue.commodities)
    n = len(row_period)
    commodity = rng.integers(0, len(codes), n)
    base_unit = np.array([catalogue.commodities[c].base_unit for c in codes], dtype=object)
    flow = np.array([DEMAND if catalogue.commodities[c].category == "needs" else SUPPLY for c in codes], dtype=object)
    lo = np.array([catalogue.commodities[c].price_min_idr for c in codes])
    hi = np.array([catalogue.commodities[c].price_max_idr for c in codes])
    price = np.round(lo[commodity] + (hi[commodity] - lo[commodity]) * rng.uniform(0.3, 0.7, n), -2).astype(np.int64)
    tenths = np.round(rng.lognormal(np.log(150), 0.8, n) * 10).astype(np.int64) + 10
    counted = np.array([catalogue.commodities[c].base_unit in ("butir", "tabung") for c in codes])[commodity]
    tenths[counted] -= tenths[counted] % 10  # nuts and gas cylinders come whole
    whole, frac = (tenths // 10).astype(str), (tenths % 10).astype(str)

    day = rng.integers(1, 29, n)  # day 1-28 keeps every row inside its month without a calendar
    dd = np.char.zfill(day.astype(str), 2).astype(object)
    period = np.array(PERIODS, dtype=object)[row_period]
    year = np.array([p[:4] for p in PERIODS], dtype=object)[row_period]
    month = np.array([p[5:] for p in PERIODS], dtype=object)[row_period]
    code = np.array(codes, dtype=object)[commodity]
    unit = base_unit[commodity]
    fl = flow[commodity]
    price_s = price.astype(str).astype(object)

    semicolon = row_shape == 0
    lines = np.empty(n, dtype=object)
    s = semicolon
    lines[s] = (
        coop[s] + ";" + period[s] + ";" + fl[s] + ";" + dd[s] + "/" + month[s] + "/" + year[s] + ";" + code[s] + ";"
        + whole[s].astype(object) + "," + frac[s].astype(object) + ";" + unit[s] + ";" + price_s[s] + ";;"
    )  # fmt: skip
    c = ~semicolon
    lines[c] = (
        coop[c] + "," + period[c] + "," + fl[c] + "," + year[c] + "-" + month[c] + "-" + dd[c] + "," + code[c] + ","
        + whole[c].astype(object) + "." + frac[c].astype(object) + "," + unit[c] + "," + price_s[c] + ",,"
    )  # fmt: skip
    return lines
