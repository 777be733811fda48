"""The demo's planted defects: rows and files validation must catch, and the corrected resubmissions that follow."""

from __future__ import annotations

import os
import random
from dataclasses import replace
from datetime import timedelta

from include.kopdes_hub.contract import LINES
from include.kopdes_hub.demo.model import (
    ABSURD_QUANTITIES,
    DUPLICATE_FILES,
    HISTORY_MONTHS_FOR_OUTLIERS,
    MISSPELLINGS,
    PERIODS,
    PRICE_IDR,
    REVISION,
    REVISION_SHARE,
    ROW_DEFECT_FILES,
    ROW_DEFECTS,
    SUPPLY,
    UNKNOWN_GRADES,
    WARNING_DEFECTS,
    WRONG_UNITS,
    _Row,
    _Submission,
)
from include.kopdes_hub.demo.render import _render
from include.kopdes_hub.demo.trade import _price_per_unit
from include.kopdes_hub.reference import load_catalogue


def _add_defects(subs: list[_Submission], rng: random.Random) -> list[_Submission]:
    """Spoil a few files the way clerks do, record it, and let some clerks resend a fixed file."""
    out = list(subs)
    lines = [s for s in subs if s.kind == LINES and s.shape == s.clerk.shape]
    reported = {(s.coop["cooperative_id"], s.period) for s in subs if s.kind == LINES}
    taken: set[str] = set()

    def pick(candidates: list[_Submission], n: int) -> list[_Submission]:
        free = [s for s in candidates if s.name not in taken]
        chosen = rng.sample(free, min(n, len(free)))
        taken.update(s.name for s in chosen)
        return chosen

    revisions: list[_Submission] = []
    for defect in (*ROW_DEFECTS, *WARNING_DEFECTS):
        candidates = [s for s in lines if not s.defects and _can_spoil(s, defect, reported)]
        for sub in pick(candidates, ROW_DEFECT_FILES):
            clean_lines = sub.lines
            sub.lines = [replace(r) for r in clean_lines]
            _spoil_row(sub, defect, rng)
            sub.defects = (defect,)
            if rng.random() < REVISION_SHARE:
                revisions.append(_revision(sub, clean_lines, rng))

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

    clean = [s for s in subs if not s.defects]
    for k, sub in enumerate(pick(clean, DUPLICATE_FILES)):
        sub.payload = _render(sub)
        stem, suffix = os.path.splitext(sub.name)
        name = f"Salinan dari {sub.name}" if k % 2 else f"{stem} (1){suffix}"  # a phone's copy, a browser's
        later = sub.received + timedelta(minutes=rng.randint(1, 30))  # sent twice, or saved twice
        out.append(replace(sub, name=name, received=later, defects=("duplicate_file",)))
    return out


def _can_spoil(sub: _Submission, defect: str, reported: set[tuple[str, str]]) -> bool:
    supply = [r for r in sub.lines if r.flow == SUPPLY]
    if defect == "misspelled_commodity":
        return any(r.code in MISSPELLINGS for r in supply)
    if defect == "unit_not_allowed":
        return any(r.code in WRONG_UNITS for r in supply)
    if defect == "absurd_quantity":
        return any(load_catalogue().commodities[r.code].base_unit == "kg" for r in supply)
    if defect == "unknown_grade":
        return any(load_catalogue().commodities[r.code].grades for r in supply)
    if defect == "price_as_total":
        return any(_total_is_implausible(r) for r in supply)
    if defect == "extra_zero":  # an outlier shows only against months before it, and within the catalogue's caps
        months = PERIODS[max(0, PERIODS.index(sub.period) - 6) : PERIODS.index(sub.period)]
        history = sum((sub.coop["cooperative_id"], p) in reported for p in months)
        return history >= HISTORY_MONTHS_FOR_OUTLIERS + 1 and _extra_zero_row(sub) is not None
    return bool(sub.lines)


def _total_is_implausible(row: _Row) -> bool:
    """The line's total, read as a price per unit, is above the catalogue's plausible range."""
    commodity = load_catalogue().commodities[row.code]
    return row.unit_price_idr * row.quantity / _factor(row) > 2 * commodity.price_max_idr


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
    elif defect == "unknown_grade":
        row = rng.choice([r for r in sub.lines if r.flow == SUPPLY and catalogue.commodities[r.code].grades])
        row.grade = rng.choice(UNKNOWN_GRADES)
    elif defect == "price_as_total":
        row = rng.choice([r for r in sub.lines if r.flow == SUPPLY and _total_is_implausible(r)])
        row.unit_price_idr = round(row.unit_price_idr * row.quantity)  # the line's total in the price cell
    elif defect == "extra_zero":
        typo = _extra_zero_row(sub)
        assert typo is not None  # _can_spoil checked
        typo.quantity = round(typo.quantity * 10, 2)  # 10.23 t x 10 is 102.30000000000001 in binary
    elif defect == "date_outside_month":
        row = rng.choice(sub.lines)
        if rng.random() < 0.5:  # the year of last year's template
            row.day = row.day.replace(year=row.day.year - 1)
        else:  # a line of the previous month left in
            row.day = row.day.replace(day=1) - timedelta(days=rng.randint(1, 20))


def _extra_zero_row(sub: _Submission) -> _Row | None:
    """The month's largest supply line whose quantity times ten stays within the catalogue's caps for the
    cooperative (beyond them it is an error, QUANTITY_IMPLAUSIBLE, not an outlier), so the month clearly stands out."""
    catalogue = load_catalogue()
    members = int(sub.coop["members"])

    def within_caps(r: _Row) -> bool:
        spec = catalogue.commodities[r.code]
        cap = min(members * spec.max_per_member_month, spec.max_per_cooperative_month)
        return 10 * r.quantity * _factor(r) <= cap

    rows = [r for r in sub.lines if r.flow == SUPPLY]
    largest = max(rows, key=lambda r: r.quantity * _factor(r), default=None)
    return largest if largest is not None and within_caps(largest) else None


def _factor(row: _Row) -> float:
    commodity = load_catalogue().commodities[row.code]
    return commodity.units[load_catalogue().unit_name(row.unit) or commodity.base_unit]


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
