"""Reference data shipped with the package: villages, the cooperative registry and the commodity catalogue.

The files beside this module are versioned with the code; ``store.load_reference`` copies them into the store.
The registry is generated deterministically from the villages (``python -m include.kopdes_hub.reference``)
so that it can be rebuilt and checked, and every number in it names its source or says ASSUMPTION.
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

REFERENCE_DIR = Path(__file__).resolve().parent
VILLAGES_CSV = REFERENCE_DIR / "villages.csv"
REGISTRY_CSV = REFERENCE_DIR / "cooperatives.csv"
CATALOGUE_YAML = REFERENCE_DIR / "commodities.yaml"
TRANSPORT_YAML = REFERENCE_DIR / "transport.yaml"

HUB_ID = "HUB-1902"  # the Belitung hub: one secondary cooperative per regency (BPS 1902) [S14][S25]

# Probabilities and ranges of the synthetic registry, with their sources.
P_SIMKOPDES = 0.93  # 76,733 / 82,780 with a SIMKOPDES account [S3]
P_GERAI = 0.47  # Babel: 184 operating gerai / 393 cooperatives [S5]
P_NPWP = 0.90  # ASSUMPTION
P_NIB = 0.85  # ASSUMPTION
P_BANK_ACCOUNT = 0.92  # ASSUMPTION (Himbara account needed for PMK 49 [S36])
P_PROPOSAL = 0.70  # ASSUMPTION
P_NIK_KOPERASI = 0.88  # ASSUMPTION
P_APPROVAL = 0.60  # ASSUMPTION (musdes letter / bupati approval [S35])
P_LAND_VERIFIED = 0.39  # 32,071 land plots recorded / 82,780 [S3]
MEMBERS_RANGE = (20, 500)  # >=9 legal [S15]; 76 -> 359 observed [S10][S11]; 50-500 typical ASSUMPTION
BANKS = ("BRI", "BNI", "Mandiri", "BTN")  # Himbara [S36][S9]
MANDATED_UNITS = (  # the 7 mandated units [S6][S7]
    "kantor",
    "gerai_sembako",
    "simpan_pinjam",
    "klinik",
    "apotek",
    "pergudangan",
    "logistik",
)
EXTRA_UNITS = ("pangkalan_lpg", "pupuk_bersubsidi", "spbun_nelayan", "pembelian_komoditas")  # observed [S5][S9]-[S11]
# Dana Desa pagu tiers (IDR/yr), sampled per desa since per-desa values were not found [S39]: ASSUMPTION.
DANA_DESA_TIERS = (450_000_000, 750_000_000, 1_050_000_000, 1_350_000_000, 1_650_000_000)
PILOT_VILLAGES = {"19.02.04.2008"}  # Keciput, one of 103 national pilots [S26]

REGISTRY_COLUMNS = (
    "cooperative_id",
    "cooperative_name",
    "hub_id",
    "village_code",
    "district_code",
    "cooperative_type",
    "formation_model",
    "sk_ahu_no",
    "sk_ahu_date",
    "nik_koperasi",
    "npwp",
    "nib",
    "bank",
    "bank_account",
    "has_business_proposal",
    "has_approval_letter",
    "members",
    "business_units",
    "simkopdes_active",
    "has_business_gerai",
    "land_point_verified",
    "pilot",
    "dana_desa_pagu_idr",
)


@dataclass(frozen=True)
class Commodity:
    code: str
    name: str
    category: str
    aliases: tuple[str, ...]
    base_unit: str
    units: dict[str, float]
    price_min_idr: float
    price_max_idr: float
    max_per_member_month: float
    max_per_cooperative_month: float
    grades: tuple[str, ...]
    seasonality: tuple[float, ...]


@dataclass(frozen=True)
class Catalogue:
    version: str
    commodities: dict[str, Commodity]
    unit_aliases: dict[str, str]
    _by_spelling: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table = {
            normalize_token(spelling): code
            for code, c in self.commodities.items()
            for spelling in (code, c.name, *c.aliases)
        }
        object.__setattr__(self, "_by_spelling", table)

    def commodity_code(self, text: str) -> str | None:
        """Map a code, name or alias as a clerk writes it ("Lada Putih", "CUMI-CUMI") to the catalogue code."""
        return self._by_spelling.get(normalize_token(text))

    def unit_name(self, text: str) -> str:
        """Map a unit spelling ("Kwintal", "KG") to the catalogue's unit name; unknown spellings pass through."""
        token = normalize_token(text)
        return self.unit_aliases.get(token, token)


def normalize_token(text: str) -> str:
    """Lower-case, strip accents and fold spaces, dashes and dots to ``_`` ("Cumi-cumi " -> "cumi_cumi")."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")


@cache
def load_catalogue() -> Catalogue:
    raw = yaml.safe_load(CATALOGUE_YAML.read_text(encoding="utf-8"))
    commodities = {
        code: Commodity(
            code=code,
            name=spec["name"],
            category=spec["category"],
            aliases=tuple(spec["aliases"]),
            base_unit=spec["base_unit"],
            units={k: float(v) for k, v in spec["units"].items()},
            price_min_idr=float(spec["price_idr"]["min"]),
            price_max_idr=float(spec["price_idr"]["max"]),
            max_per_member_month=float(spec["max_per_member_month"]),
            max_per_cooperative_month=float(spec["max_per_cooperative_month"]),
            grades=tuple(str(g) for g in spec["grades"]),
            seasonality=tuple(float(x) for x in spec["seasonality"]),
        )
        for code, spec in raw["commodities"].items()
    }
    return Catalogue(version=str(raw["version"]), commodities=commodities, unit_aliases=dict(raw["unit_aliases"]))


def load_villages() -> list[dict[str, str]]:
    with VILLAGES_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_registry(path: Path = REGISTRY_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def cooperative_id_for(village_code: str) -> str:
    """``19.02.04.2008`` -> ``KDMP-1902042008``: desa (2xxx) -> KDMP, kelurahan (1xxx) -> KKMP (contract v1)."""
    digits = village_code.replace(".", "")
    return f"{'KKMP' if village_code.split('.')[-1].startswith('1') else 'KDMP'}-{digits}"


def build_registry(villages: list[dict[str, str]], seed: int = 1902) -> list[dict[str, str]]:
    """One cooperative per village, plausible and deterministic (the same seed gives the same registry)."""
    rng = random.Random(seed)
    rows = []
    for v in villages:
        code = v["village_code"]
        is_kelurahan = v["kind"] == "kelurahan"
        ctype = "KKMP" if is_kelurahan else "KDMP"
        level = "Kelurahan" if is_kelurahan else "Desa"
        formed = date(2025, 6, 1) + timedelta(days=rng.randrange(0, 61))  # SK AHU Jun-Jul 2025 [S2]
        has = {
            p: rng.random() < prob
            for p, prob in (
                ("nik", P_NIK_KOPERASI),
                ("npwp", P_NPWP),
                ("nib", P_NIB),
                ("bank", P_BANK_ACCOUNT),
                ("proposal", P_PROPOSAL),
                ("approval", P_APPROVAL),
                ("simkopdes", P_SIMKOPDES),
                ("gerai", P_GERAI),
                ("land", P_LAND_VERIFIED),
            )
        }
        units = [
            "kantor",
            *rng.sample(MANDATED_UNITS[1:], rng.randint(1, 4)),
            *rng.sample(EXTRA_UNITS, rng.randint(0, 2)),
        ]
        bank = rng.choice(BANKS)
        rows.append(
            {
                "cooperative_id": cooperative_id_for(code),
                "cooperative_name": f"Koperasi {level} Merah Putih {v['village_name']}",
                "hub_id": HUB_ID,
                "village_code": code,
                "district_code": v["district_code"],
                "cooperative_type": ctype,
                "formation_model": rng.choices(("baru", "pengembangan", "revitalisasi"), weights=(90, 7, 3))[0],
                # AHU decree format "AHU-NNNNNNN.AH.01.29.TAHUN 2025": ASSUMPTION [BRIEF 1]
                "sk_ahu_no": f"AHU-{rng.randrange(10**6, 10**7):07d}.AH.01.29.TAHUN 2025",
                "sk_ahu_date": formed.isoformat(),
                "nik_koperasi": f"{rng.randrange(10**15, 10**16)}" if has["nik"] else "",  # 16 digits ASSUMPTION
                "npwp": f"{rng.randrange(10**15, 10**16)}" if has["npwp"] else "",  # 16-digit NPWP ASSUMPTION
                "nib": f"{rng.randrange(10**12, 10**13)}" if has["nib"] else "",  # 13 digits ASSUMPTION
                "bank": bank if has["bank"] else "",
                "bank_account": f"{rng.randrange(10**9, 10**10)}" if has["bank"] else "",
                "has_business_proposal": str(has["proposal"]).lower(),
                "has_approval_letter": str(has["approval"]).lower(),
                "members": str(rng.randint(*MEMBERS_RANGE)),
                "business_units": "|".join(sorted(set(units))),
                "simkopdes_active": str(has["simkopdes"]).lower(),
                "has_business_gerai": str(has["gerai"]).lower(),
                "land_point_verified": str(has["land"]).lower(),
                "pilot": str(code in PILOT_VILLAGES).lower(),
                # kelurahan get no Dana Desa (42 desa receive it [S47]); KKMP fall back on DAU/DBH [S38]
                "dana_desa_pagu_idr": "" if is_kelurahan else str(rng.choice(DANA_DESA_TIERS)),
            }
        )
    return rows


def write_registry(rows: list[dict[str, str]], path: Path = REGISTRY_CSV) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=REGISTRY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)


def transport_costs(villages: list[dict[str, str]] | None = None) -> dict[tuple[str, str], float]:
    """IDR per base unit (kg) between every two villages of the hub, from ``transport.yaml`` (all ASSUMPTION)."""
    spec = yaml.safe_load(TRANSPORT_YAML.read_text(encoding="utf-8"))
    km = {}
    for a, row in spec["district_km"].items():
        for b, distance in row.items():
            km[(str(a), str(b))] = km[(str(b), str(a))] = float(distance)
    islands = {str(k): v for k, v in spec["islands"].items()}
    rows = villages if villages is not None else load_villages()
    costs: dict[tuple[str, str], float] = {}
    for a in rows:
        for b in rows:
            va, vb = a["village_code"], b["village_code"]
            if va == vb:
                continue
            da, db = a["district_code"], b["district_code"]
            distance = float(spec["within_district_km"]) if da == db else km[(da, db)]
            crossings = (
                0 if islands.get(va) and islands.get(va) == islands.get(vb) else (va in islands) + (vb in islands)
            )
            costs[(va, vb)] = distance * float(spec["idr_per_kg_km"]) + crossings * float(
                spec["sea_crossing_idr_per_kg"]
            )
    return costs
