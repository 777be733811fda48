"""The processing projection on a hand-computed case, and processing.yaml: every number sourced, gaps said."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from include.kopdes_hub.reference import load_catalogue
from include.kopdes_hub.reference.processing import (
    PROCESSING_YAML,
    SOURCE_TAG,
    ProcessingPath,
    ProcessingPaths,
    Sourced,
    load_processing,
    parse_processing,
)
from include.kopdes_hub.summaries.processing import COLUMNS, processing_projection

CPO = ProcessingPath(
    commodity="tbs_sawit",
    product="cpo",
    name="Minyak Sawit Mentah (CPO)",
    input_unit="kg",
    output_unit="kg",
    yield_factors=(Sourced(0.2, 0.25, "[P7]", "kg CPO per kg TBS"),),
    price_idr=Sourced(20_000, 24_000, "[S63]"),
    capacity=Sourced(1_000, 1_000, "derived: [S52] x hours, ASSUMPTION"),
    missing={},
)
KERNEL = ProcessingPath(
    commodity="tbs_sawit",
    product="inti_sawit",
    name="Inti Sawit",
    input_unit="kg",
    output_unit="kg",
    yield_factors=(),
    price_idr=Sourced(10_540, 10_540, "[S63]"),
    capacity=None,
    missing={"yield": "kernel extraction rate not found [P7]", "capacity": "not found"},
)
HAND_PATHS = ProcessingPaths(version="test.1", paths=(CPO, KERNEL))


def _volumes(rows):
    """Gold commodity_volumes rows: (period, district, village, commodity, flow, quantity_base, value_idr)."""
    unit = {c.code: c.base_unit for c in load_catalogue().commodities.values()}
    return pd.DataFrame(
        [
            {
                "period": p,
                "hub_id": "HUB",
                "district_code": d,
                "village_code": v,
                "cooperative_id": f"KDMP-{v}",
                "commodity": c,
                "flow": f,
                "quantity_base": q,
                "base_unit": unit[c],
                "value_idr": val,
            }
            for p, d, v, c, f, q, val in rows
        ]
    )


def _leading(rows):
    columns = ["period", "hub_id", "district_code", "commodity", "leading"]
    return pd.DataFrame([("2026-07", "HUB", d, c, x) for d, c, x in rows], columns=columns)


HAND_VOLUMES = _volumes(
    [
        ("2026-07", "D1", "V1", "tbs_sawit", "supply", 1_000.0, 3_000_000.0),
        ("2026-07", "D1", "V2", "tbs_sawit", "supply", 500.0, 1_500_000.0),
        ("2026-07", "D2", "V3", "tbs_sawit", "supply", 2_000.0, 6_000_000.0),
        ("2026-07", "D2", "V3", "tbs_sawit", "demand", 777.0, 1.0),  # demand never counts
        ("2026-01", "D1", "V1", "tbs_sawit", "supply", 500.0, 1_500_000.0),
        ("2025-08", "D1", "V1", "tbs_sawit", "supply", 1_000.0, 3_000_000.0),  # the 12th month back: inside
        ("2025-07", "D1", "V1", "tbs_sawit", "supply", 9_999.0, 1.0),  # the 13th: outside the window
    ]
)
HAND_LEADING = _leading([("D1", "tbs_sawit", True), ("D2", "tbs_sawit", False)])


def test_projection_on_a_hand_computed_case():
    out = processing_projection(HAND_VOLUMES, HAND_LEADING, "2026-07", HAND_PATHS)
    assert list(out.columns) == list(COLUMNS)
    # D1: the month 1,000 + 500 = 1,500 kg for Rp 4.5 m; the 12 months 1,500 + 500 (Jan) + 1,000 (Aug 2025) = 3,000
    # output 1,500 x 0.2 = 300 and 1,500 x 0.25 = 375 kg; value 300 x 20,000 = 6.0 m and 375 x 24,000 = 9.0 m;
    # value added 6.0 m - 4.5 m = 1.5 m and 9.0 m - 4.5 m = 4.5 m; unit months 3,000 / 1,000 = 3.
    # D2: 2,000 kg for Rp 6 m; 400 / 500 kg; Rp 8 m / 12 m; value added 2 m / 6 m; 2,000 / 1,000 = 2 months.
    # Hub: 3,500 kg for Rp 10.5 m, 5,000 in the 12 months; 700 / 875 kg; Rp 14 m / 21 m; 3.5 m / 10.5 m; 5 months.
    expected = {
        "D1": (1_500, 3_000, 300, 375, 4_500_000, 6_000_000, 9_000_000, 1_500_000, 4_500_000, 3.0),
        "D2": (2_000, 2_000, 400, 500, 6_000_000, 8_000_000, 12_000_000, 2_000_000, 6_000_000, 2.0),
        None: (3_500, 5_000, 700, 875, 10_500_000, 14_000_000, 21_000_000, 3_500_000, 10_500_000, 5.0),
    }
    fields = [
        "input_base",
        "input_base_12m",
        "output_low",
        "output_high",
        "input_value_idr",
        "output_value_low_idr",
        "output_value_high_idr",
        "value_added_low_idr",
        "value_added_high_idr",
        "unit_months_of_supply",
    ]
    cpo = out[out["product"] == "cpo"]
    got = {row.district_code if row.level == "district" else None: row for row in cpo.itertuples()}
    for district, values in expected.items():
        assert tuple(getattr(got[district], f) for f in fields) == pytest.approx(values), district
    # D1 leads in sawit, D2 does not; the hub row leads since a district does
    assert [got[d].leading for d in ("D1", "D2", None)] == [True, False, True]
    assert list(cpo["level"]) == ["district", "district", "hub"]
    assert pd.isna(got[None].district_code)
    assert set(out["input_months_12m"]) == {3}  # 2025-08, 2026-01, 2026-07: 2025-07 is outside the window
    assert set(out["processing_version"]) == {"test.1"} and set(out["period"]) == {"2026-07"}
    assert (out["input_unit"] == "kg").all() and out["missing"][out["product"] == "cpo"].isna().all()
    # deterministic order: hub, districts before the hub, district, commodity, the paths' order
    assert list(zip(out["level"], out["district_code"].fillna("-"), out["product"], strict=True)) == [
        ("district", "D1", "cpo"),
        ("district", "D1", "inti_sawit"),
        ("district", "D2", "cpo"),
        ("district", "D2", "inti_sawit"),
        ("hub", "-", "cpo"),
        ("hub", "-", "inti_sawit"),
    ]
    again = processing_projection(HAND_VOLUMES.sample(frac=1, random_state=7), HAND_LEADING, "2026-07", HAND_PATHS)
    pd.testing.assert_frame_equal(again, out)


def test_a_path_with_a_missing_number_is_listed_without_projection():
    out = processing_projection(HAND_VOLUMES, HAND_LEADING, "2026-07", HAND_PATHS)
    kernel = out[out["product"] == "inti_sawit"]
    assert len(kernel) == 3  # D1, D2 and the hub: listed like the CPO path
    for column in ["yield_low", "yield_high", "output_low", "output_high", "output_value_low_idr"]:
        assert kernel[column].isna().all(), column
    assert kernel["value_added_low_idr"].isna().all() and kernel["value_added_high_idr"].isna().all()
    assert kernel["unit_months_of_supply"].isna().all()  # no capacity either
    assert (kernel["input_base"] > 0).all()  # the supply is still shown
    for text in kernel["missing"]:
        assert "yield: kernel extraction rate not found [P7]" in text and "capacity: not found" in text


def test_the_shipped_paths_give_outputs_equal_to_input_times_yield_at_both_ends():
    paths = load_processing()
    commodities = paths.commodities
    rows = [("2026-07", "D1", "V1", c, "supply", 1234.5, 1234.5 * 1000) for c in commodities]
    rows += [("2026-03", "D2", "V2", c, "supply", 10.0, 20_000.0) for c in commodities]  # none in the month
    out = processing_projection(_volumes(rows), _leading([]), "2026-07", paths)
    assert set(out["product"]) == {p.product for p in paths.paths}
    for path in paths.paths:
        rows_of = out[out["product"] == path.product]
        assert len(rows_of) == 3  # D1, D2 (supply in the 12 months only) and the hub
        if path.yield_low is None:
            assert rows_of["output_low"].isna().all() and rows_of["output_high"].isna().all()
            continue
        assert path.yield_low == pytest.approx(np.prod([f.low for f in path.yield_factors]))
        assert (rows_of["output_low"] == rows_of["input_base"] * path.yield_low).all()
        assert (rows_of["output_high"] == rows_of["input_base"] * path.yield_high).all()
        if path.price_idr is not None:
            assert (rows_of["output_value_low_idr"] == rows_of["output_low"] * path.price_idr.low).all()
            assert (rows_of["output_value_high_idr"] == rows_of["output_high"] * path.price_idr.high).all()
    d2 = out[out["district_code"] == "D2"]
    assert (d2["input_base"] == 0).all() and (d2["input_value_idr"] == 0).all() and (d2["input_base_12m"] == 10).all()
    assert not out["leading"].any()


def test_every_row_names_the_sources_of_its_numbers():
    paths = load_processing()
    rows = [("2026-07", "D1", "V1", c, "supply", 100.0, None) for c in paths.commodities]
    out = processing_projection(_volumes(rows), _leading([]), "2026-07", paths)
    by_product = {p.product: p for p in paths.paths}
    for row in out.itertuples():
        assert row.sources, row.product
        assert re.fullmatch(r"(\[[SP]\d+\] ?)*(ASSUMPTION)?", row.sources), row.sources
        path = by_product[row.product]
        for number in (*path.yield_factors, path.price_idr, path.capacity):
            if number is not None:
                assert set(SOURCE_TAG.findall(number.source)) <= set(row.sources.split()), row.product
                assert "ASSUMPTION" not in number.source or "ASSUMPTION" in row.sources
        if path.price_idr is not None:  # the month's lines had no price: no value added, and it says why
            assert pd.isna(row.value_added_low_idr) and "input_value_idr" in row.missing


def test_every_number_in_processing_yaml_names_its_source():
    for line in PROCESSING_YAML.read_text(encoding="utf-8").splitlines():
        text = re.sub(r"section \d+", "section", line)
        if re.match(r"\s*version:", text) or not re.search(r"\d", text):
            continue
        assert re.search(r"\[[SP]\d+\]|ASSUMPTION", text), line
        if "derived:" in text:  # a derived number says how, from what
            assert re.search(r"derived: .*(\[[SP]\d+\]|ASSUMPTION)", text), line


def test_shipped_paths_match_the_catalogue_and_say_what_is_missing():
    paths = load_processing()
    catalogue = load_catalogue()
    assert re.fullmatch(r"\d{4}\.\d{2}\.\d+", paths.version)
    for path in paths.paths:
        assert path.input_unit == catalogue.commodities[path.commodity].base_unit
        present = {"yield": path.yield_factors, "price_idr": path.price_idr, "capacity": path.capacity}
        assert {name for name, value in present.items() if not value} == set(path.missing), path.product
        for number in (*path.yield_factors, path.price_idr, path.capacity):
            if number is not None and number.derived:
                assert number.source.startswith("derived: ") and len(number.source) > 20
    kelapa = {p.product: p for p in paths.for_commodity("kelapa")}
    assert kelapa["vco"].yield_low == pytest.approx(0.364 * 0.20)  # kg of meat per nut x VCO per kg of meat


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p["yield"][0].update(source="from a blog"), "names no"),
        (lambda p: p.update(price_idr={"missing": " "}), "without saying why"),
        (lambda p: p.update(capacity=None), "must be numbers"),
        (lambda p: p["yield"][0].update(low=0.3, high=0.2), "low <= high"),
    ],
)
def test_the_loader_refuses_unsourced_or_unexplained_numbers(change, message):
    path = {
        "product": "cpo",
        "name": "CPO",
        "unit": "kg",
        "yield": [{"per": "kg per kg", "low": 0.16, "high": 0.22, "source": "[P7]"}],
        "price_idr": {"low": 13934, "high": 13934, "source": "[S63]"},
        "capacity": {"value": 1000, "source": "ASSUMPTION"},
    }
    assert parse_processing({"version": "t", "commodities": {"tbs_sawit": {"input_unit": "kg", "paths": [path]}}})
    change(path)
    with pytest.raises(ValueError, match=message):
        parse_processing({"version": "t", "commodities": {"tbs_sawit": {"input_unit": "kg", "paths": [path]}}})
    with pytest.raises(ValueError, match="base unit"):
        parse_processing({"version": "t", "commodities": {"kelapa": {"input_unit": "kg", "paths": []}}})


def test_no_supply_gives_an_empty_frame_with_the_columns():
    out = processing_projection(HAND_VOLUMES[HAND_VOLUMES["flow"] == "demand"], _leading([]), "2026-07", HAND_PATHS)
    assert out.empty and list(out.columns) == list(COLUMNS)
