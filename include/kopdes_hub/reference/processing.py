"""The processing paths (nilai tambah) of ``processing.yaml``: what a supplied commodity can be made into, at what
yield and price, and how much a typical unit takes in a month, each number with its source.

Loaded into frozen dataclasses and checked against the commodity catalogue (codes and base units), so a projection
never multiplies a quantity in butir by a yield per kg. A number not found stays ``None`` with the reason why.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from include.kopdes_hub.reference import REFERENCE_DIR, load_catalogue

PROCESSING_YAML = REFERENCE_DIR / "processing.yaml"

# [Sn] and [Pn] tags of shared/domain/BRIEF.md (P: the processing sources of its section 7)
SOURCE_TAG = re.compile(r"\[[SP]\d+\]")
ASSUMPTION = "ASSUMPTION"
DERIVED = "derived:"
FIELDS = ("yield", "price_idr", "capacity")


@dataclass(frozen=True)
class Sourced:
    """A range (``low`` == ``high`` for a single value) and where it comes from."""

    low: float
    high: float
    source: str
    per: str = ""

    @property
    def derived(self) -> bool:
        """Worked out here from sourced numbers (the source says how)."""
        return self.source.startswith(DERIVED)


@dataclass(frozen=True)
class ProcessingPath:
    commodity: str
    product: str
    name: str
    input_unit: str
    output_unit: str
    yield_factors: tuple[Sourced, ...]  # empty when the yield is missing
    price_idr: Sourced | None  # per output unit
    capacity: Sourced | None  # input base units per month of one typical unit
    missing: dict[str, str]  # field ("yield", "price_idr", "capacity") -> why it is missing
    note: str = ""

    @property
    def yield_low(self) -> float | None:
        return math.prod(f.low for f in self.yield_factors) if self.yield_factors else None

    @property
    def yield_high(self) -> float | None:
        return math.prod(f.high for f in self.yield_factors) if self.yield_factors else None

    @property
    def sources(self) -> str:
        """The tags behind the path's numbers and behind what its missing reasons say, then ASSUMPTION if any
        number rests on one: "[P7] [S52] [S63] ASSUMPTION"."""
        texts = [s.source for s in (*self.yield_factors, self.price_idr, self.capacity) if s is not None]
        texts += list(self.missing.values())
        tags = {t for text in texts for t in SOURCE_TAG.findall(text)}
        ordered = sorted(tags, key=lambda t: (t[1], int(t[2:-1])))
        return " ".join([*ordered, *([ASSUMPTION] if any(ASSUMPTION in t for t in texts) else [])])


@dataclass(frozen=True)
class ProcessingPaths:
    version: str
    paths: tuple[ProcessingPath, ...]

    def for_commodity(self, commodity: str) -> tuple[ProcessingPath, ...]:
        return tuple(p for p in self.paths if p.commodity == commodity)

    @property
    def commodities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.commodity for p in self.paths))


def _sourced(spec: dict[str, Any], where: str) -> Sourced:
    source = str(spec.get("source") or "")
    if not (SOURCE_TAG.search(source) or ASSUMPTION in source):
        raise ValueError(f"{where}: the source {source!r} names no [Sn] tag of BRIEF.md and says no ASSUMPTION")
    if "value" in spec:
        low = high = float(spec["value"])
    else:
        low, high = float(spec["low"]), float(spec["high"])
    if not 0 < low <= high:
        raise ValueError(f"{where}: expected 0 < low <= high, got {low} and {high}")
    return Sourced(low=low, high=high, source=source, per=str(spec.get("per") or ""))


def _path(commodity: str, input_unit: str, spec: dict[str, Any]) -> ProcessingPath:
    where = f"processing.yaml {commodity}/{spec.get('product')}"
    missing: dict[str, str] = {}
    found: dict[str, Any] = {}
    for name in FIELDS:
        value = spec.get(name)
        if isinstance(value, dict) and "missing" in value:
            if not str(value["missing"]).strip():
                raise ValueError(f"{where}: {name} is missing without saying why")
            missing[name] = str(value["missing"])
        elif name == "yield" and isinstance(value, list) and value:
            found[name] = tuple(_sourced(f, f"{where} yield") for f in value)
        elif name != "yield" and isinstance(value, dict):
            found[name] = _sourced(value, f"{where} {name}")
        else:
            raise ValueError(f"{where}: {name} must be numbers with a source or `missing: why`, got {value!r}")
    return ProcessingPath(
        commodity=commodity,
        product=str(spec["product"]),
        name=str(spec["name"]),
        input_unit=input_unit,
        output_unit=str(spec["unit"]),
        yield_factors=found.get("yield", ()),
        price_idr=found.get("price_idr"),
        capacity=found.get("capacity"),
        missing=missing,
        note=str(spec.get("note") or ""),
    )


def parse_processing(raw: dict[str, Any]) -> ProcessingPaths:
    """Paths from the parsed YAML, checked: catalogue codes, their base units, one product code per commodity,
    a source on every number and a reason for every missing one."""
    catalogue = load_catalogue()
    paths: list[ProcessingPath] = []
    for commodity, spec in raw["commodities"].items():
        known = catalogue.commodities.get(commodity)
        if known is None:
            raise ValueError(f"processing.yaml: {commodity!r} is not a catalogue code")
        if spec["input_unit"] != known.base_unit:
            raise ValueError(
                f"processing.yaml {commodity}: input_unit {spec['input_unit']!r} is not the catalogue's base unit "
                f"{known.base_unit!r}"
            )
        products = [p["product"] for p in spec["paths"]]
        if len(set(products)) != len(products):
            raise ValueError(f"processing.yaml {commodity}: a product code is listed twice: {products}")
        paths.extend(_path(commodity, known.base_unit, p) for p in spec["paths"])
    return ProcessingPaths(version=str(raw["version"]), paths=tuple(paths))


@cache
def load_processing(path: Path = PROCESSING_YAML) -> ProcessingPaths:
    return parse_processing(yaml.safe_load(path.read_text(encoding="utf-8")))
