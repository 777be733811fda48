"""Reference data: the registry rebuilds identically, the catalogue covers the contract and names its sources."""

from __future__ import annotations

import re

from include.kopdes_hub import reference

CONTRACT_CODES = [
    "lada_putih",
    "tbs_sawit",
    "kelapa",
    "karet",
    "ikan_tongkol",
    "cumi",
    "kerapu",
    "udang",
    "rajungan",
    "beras",
    "pupuk_urea",
    "pupuk_npk",
    "lpg_3kg",
    "minyak_goreng",
    "gula",
]


def test_registry_file_is_what_the_generator_builds(tmp_path):
    rebuilt = tmp_path / "cooperatives.csv"
    reference.write_registry(reference.build_registry(reference.load_villages()), rebuilt)
    assert rebuilt.read_bytes() == reference.REGISTRY_CSV.read_bytes()


def test_one_cooperative_per_village_with_contract_ids():
    villages = reference.load_villages()
    registry = reference.load_registry()
    assert len(villages) == 49 and len(registry) == 49
    assert {r["village_code"] for r in registry} == {v["village_code"] for v in villages}
    for row in registry:
        assert re.fullmatch(r"(KDMP|KKMP)-1902\d{6}", row["cooperative_id"])
        assert row["cooperative_id"].startswith(row["cooperative_type"])
        kelurahan = row["village_code"].split(".")[-1].startswith("1")
        assert row["cooperative_type"] == ("KKMP" if kelurahan else "KDMP")
        assert (row["dana_desa_pagu_idr"] == "") == kelurahan
        assert int(row["members"]) >= 9
    assert reference.cooperative_id_for("19.02.04.2008") == "KDMP-1902042008"


def test_catalogue_covers_contract_codes_with_consistent_units():
    catalogue = reference.load_catalogue()
    assert set(CONTRACT_CODES) <= set(catalogue.commodities)
    for c in catalogue.commodities.values():
        assert c.units[c.base_unit] == 1, c.code
        assert 0 < c.price_min_idr < c.price_max_idr, c.code
        assert len(c.seasonality) == 12, c.code
        assert all(f > 0 for f in c.units.values()), c.code
    used_units = {u for c in catalogue.commodities.values() for u in c.units}
    assert set(catalogue.unit_aliases.values()) <= used_units


def test_aliases_resolve_and_never_collide():
    catalogue = reference.load_catalogue()
    seen: dict[str, str] = {}
    for c in catalogue.commodities.values():
        for spelling in (c.code, c.name, *c.aliases):
            token = reference.normalize_token(spelling)
            assert seen.setdefault(token, c.code) == c.code, f"{spelling!r} names {seen[token]} and {c.code}"
    assert catalogue.commodity_code("Lada Putih") == "lada_putih"
    assert catalogue.commodity_code("TBS Sawit") == "tbs_sawit"
    assert catalogue.commodity_code("Cumi-cumi") == "cumi"
    assert catalogue.commodity_code("Lada Putig") is None
    assert catalogue.unit_name("Kwintal") == "kuintal"
    assert catalogue.unit_name(" KG ") == "kg"


def test_every_number_in_the_catalogue_names_its_source():
    for line in reference.CATALOGUE_YAML.read_text(encoding="utf-8").splitlines():
        if re.match(r"\s+(units|price_idr|max_per_\w+|seasonality):", line):
            assert re.search(r"\[S\d+\]|ASSUMPTION", line), line
