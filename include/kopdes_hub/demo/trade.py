"""What a cooperative trades in a month: its supply and demand profile, and the lines a clerk writes for them."""

from __future__ import annotations

import calendar
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from include.kopdes_hub.demo.model import (
    CLERK_SPELLINGS,
    CUMI_SIZES,
    DEMAND,
    DISTRICT_SUPPLY,
    EKSPOR_SHARE,
    FISHING_DAYS,
    FORCED_SUPPLY,
    KELURAHAN_SUPPLY,
    LOT_SIZE,
    LPG_HET_IDR,
    MAX_DELIVERIES,
    MAX_SUPPLY_COMMODITIES,
    NOTE_SHARE,
    NOTES,
    PEPPER_BULK_PREMIUM,
    PERIODS,
    PRICE_IDR,
    ROUGH_SEA_MONTHS,
    ROUGH_SEA_PRICE,
    SUPPLY,
    UNIT_SPELLINGS,
    _Clerk,
    _Row,
)
from include.kopdes_hub.reference import load_catalogue


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
    elif code == "cumi":
        grade = rng.choices(list(CUMI_SIZES), weights=list(CUMI_SIZES.values()))[0]
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
        cap: float = random.Random(coop["cooperative_id"]).randrange(low, high + 1, 500)
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
