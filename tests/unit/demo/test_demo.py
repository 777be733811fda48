"""The demo generator writes what its manifest says, the same bytes every time, in every contract v1 shape.

The files are read back with a small reader of our own (not the ingest module), so these tests pin the generator
to the contract rather than to another module's behaviour.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import zipfile
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from include.kopdes_hub import demo
from include.kopdes_hub.contract import (
    COLUMNS,
    FINANCE,
    INDONESIAN_NAMES,
    JSON_ROW_KEYS,
    LINES,
    MIN_HEADER_MATCHES,
    canonical_column,
    header_matches,
)
from include.kopdes_hub.reference import REGISTRY_COLUMNS, load_catalogue, load_registry

UNREADABLE = {"empty_file", "corrupt_xlsx"}
VALID_ROWS = {"duplicate_file", "corrected_resubmission"}  # flags on files whose rows are all valid


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("landing_a")


@pytest.fixture(scope="module")
def manifest(landing: Path) -> list[demo.DemoFile]:
    return demo.generate_demo(landing)


@pytest.fixture(scope="module")
def parsed(landing: Path, manifest: list[demo.DemoFile]) -> dict[str, list[dict[str, object]]]:
    """Canonical rows of every readable file, by file name."""
    return {f.name: read_rows(landing / f.name, f.shape) for f in manifest if not UNREADABLE & set(f.defects)}


def read_rows(path: Path, shape: str) -> list[dict[str, object]]:
    """A minimal contract v1 reader: rows keyed by canonical column names, values as written."""
    if shape.startswith("csv"):
        encoding = "cp1252" if shape.endswith("cp1252") else "utf-8-sig"
        delimiter = ";" if "semicolon" in shape else ","
        table = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding)), delimiter=delimiter))
        return [_canonical(dict(zip(table[0], row, strict=True))) for row in table[1:]]
    if shape == "xlsx_title":
        values = list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))
        at = next(i for i, row in enumerate(values) if header_matches(row) >= MIN_HEADER_MATCHES)
        return [_canonical(dict(zip(values[at], row, strict=True))) for row in values[at + 1 :]]
    document = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(document, dict):
        head = {k: v for k, v in document.items() if k not in JSON_ROW_KEYS}
        body = next(document[k] for k in JSON_ROW_KEYS if k in document)
        return [_canonical({**head, **row}) for row in body]
    return [_canonical(row) for row in document]


def _canonical(row: dict[object, object]) -> dict[str, object]:
    out = {}
    for key, value in row.items():
        name = canonical_column(str(key))
        assert name is not None, f"unexpected column {key!r}"
        out[name] = value
    return out


def number(value: object, indonesian: bool) -> float:
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().removeprefix("Rp").strip()
    if indonesian:
        text = text.replace(".", "").replace(",", ".")
    return float(text)


def day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(str(value), fmt).date()
        except ValueError:
            continue
    raise AssertionError(f"unparseable date {value!r}")


def base_quantity(row: dict[str, object], shape: str) -> float:
    catalogue = load_catalogue()
    code = catalogue.commodity_code(str(row["commodity"]))
    factor = catalogue.commodities[code].units[catalogue.unit_name(str(row["unit"]))]
    return number(row["quantity"], shape == "csv_semicolon_cp1252") * factor


def sha256_tree(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --- determinism and manifest -----------------------------------------------------------------------------------


def test_periods_are_the_fixed_demo_year() -> None:
    assert demo.PERIODS[0] == "2025-11" and demo.PERIODS[-1] == "2026-10"
    assert len(demo.PERIODS) == len(set(demo.PERIODS)) == 12
    assert list(demo.PERIODS) == sorted(demo.PERIODS)


def test_same_seed_gives_identical_bytes(landing: Path, manifest: list[demo.DemoFile], tmp_path: Path) -> None:
    again = demo.generate_demo(tmp_path / "landing_b")
    assert again == manifest
    assert sha256_tree(tmp_path / "landing_b") == sha256_tree(landing)


def test_manifest_matches_files_on_disk(landing: Path, manifest: list[demo.DemoFile], parsed: dict) -> None:
    assert sorted(os.listdir(landing)) == sorted(f.name for f in manifest)  # no temp files left behind
    for f in manifest:
        assert "/" not in f.name
        assert f.kind in (LINES, FINANCE) and f.shape in demo.SHAPES and f.period in demo.PERIODS
        assert set(f.defects) <= set(demo.DEFECTS)
        if f.name in parsed:
            assert len(parsed[f.name]) == f.rows, f.name
            assert {r["cooperative_id"] for r in parsed[f.name]} == {f.cooperative_id}
            assert {r["period"] for r in parsed[f.name]} == {f.period}
            assert set(parsed[f.name][0]) == set(COLUMNS[f.kind])


def test_every_shape_and_defect_appears_and_defects_stay_rare(manifest: list[demo.DemoFile]) -> None:
    assert {f.shape for f in manifest} == set(demo.SHAPES)
    assert {d for f in manifest for d in f.defects} == set(demo.DEFECTS)
    faulty = [f for f in manifest if set(f.defects) - {"corrected_resubmission"}]
    assert 0.04 <= len(faulty) / len(manifest) <= 0.09
    assert all(len(f.defects) <= 1 for f in manifest)


def test_most_cooperatives_report_most_months(manifest: list[demo.DemoFile]) -> None:
    registered = {r["cooperative_id"] for r in load_registry()}
    months = defaultdict(set)
    for f in manifest:
        if f.kind == LINES and f.cooperative_id in registered:
            months[f.cooperative_id].add(f.period)
    assert 35 <= len(months) < len(registered)
    share = sum(len(m) for m in months.values()) / (len(months) * len(demo.PERIODS))
    assert 0.8 <= share <= 0.97
    assert any(len(m) < len(demo.PERIODS) for m in months.values())


def test_lines_files_have_a_clerks_number_of_rows(manifest: list[demo.DemoFile]) -> None:
    rows = [f.rows for f in manifest if f.kind == LINES and not set(f.defects) & UNREADABLE]
    assert min(rows) >= 5 and max(rows) <= 40
    assert all(f.rows == 1 for f in manifest if f.kind == FINANCE)


# --- shapes -----------------------------------------------------------------------------------------------------


def test_semicolon_files_are_windows_1252_with_indonesian_notation(
    landing: Path, manifest: list[demo.DemoFile]
) -> None:
    files = [f for f in manifest if f.shape == "csv_semicolon_cp1252" and f.kind == LINES and f.rows]
    decimals = thousands = 0
    for f in files:
        raw = (landing / f.name).read_bytes()
        text = raw.decode("cp1252")
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
        header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert header == [INDONESIAN_NAMES[c] for c in COLUMNS[LINES]]
        for row in rows:
            quantity, when = row[header.index("jumlah")], row[header.index("tanggal")]
            assert not re.fullmatch(r"-?\d+\.\d{1,2}", quantity), f"plain decimal {quantity!r} in {f.name}"
            decimals += bool(re.fullmatch(r"-?[\d.]+,\d+", quantity))
            thousands += bool(re.fullmatch(r"(Rp )?\d{1,3}(\.\d{3})+", row[header.index("harga_satuan")]))
            assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", when)
    assert decimals and thousands


def test_comma_files_are_utf8_with_english_headers(landing: Path, manifest: list[demo.DemoFile]) -> None:
    for f in manifest:
        if f.shape.startswith("csv_comma") and f.rows:
            raw = (landing / f.name).read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf") == (f.shape == "csv_comma_utf8_bom")
            header = raw.decode("utf-8-sig").splitlines()[0]
            assert header.split(",") == list(COLUMNS[f.kind])


def test_xlsx_has_title_rows_above_the_header(landing: Path, manifest: list[demo.DemoFile]) -> None:
    files = [f for f in manifest if f.shape == "xlsx_title" and not f.defects]
    assert files
    for f in files[:20]:
        ws = openpyxl.load_workbook(landing / f.name).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        assert str(rows[0][0]).startswith("LAPORAN ")
        assert header_matches(rows[0]) == 0 and header_matches(rows[1]) == 0
        assert list(rows[2]) == [INDONESIAN_NAMES[c] for c in COLUMNS[f.kind]]
        numeric = rows[3][list(COLUMNS[f.kind]).index("quantity" if f.kind == LINES else "revenue_idr")]
        assert isinstance(numeric, int | float)


def test_json_object_and_json_list(landing: Path, manifest: list[demo.DemoFile]) -> None:
    for f in manifest:
        if f.shape.startswith("json") and not f.defects:
            document = json.loads((landing / f.name).read_text(encoding="utf-8"))
            if f.shape == "json_object":
                assert document["kode_koperasi"] == f.cooperative_id and document["periode"] == f.period
                assert len(document["baris"]) == f.rows
                assert "kode_koperasi" not in document["baris"][0]
            else:
                assert isinstance(document, list) and len(document) == f.rows
                assert {canonical_column(k) for k in document[0]} == set(COLUMNS[f.kind])


# --- content ----------------------------------------------------------------------------------------------------


def test_loan_requests_span_what_cooperatives_ask_for(manifest: list[demo.DemoFile], parsed: dict) -> None:
    """Requests run from a plan's Rp 100 jt (a top-up after a first tranche may be less) through the Rp 500 jt first
    tranche [S43] to the Rp 3 bn plafon [S35], in whole Rp 50 jt, most from cooperatives with a business proposal."""
    proposal = {r["cooperative_id"]: r["has_business_proposal"] == "true" for r in load_registry()}
    asked: dict[str, set[float]] = defaultdict(set)
    for f in manifest:
        if f.kind == FINANCE and not f.defects and f.cooperative_id in proposal:
            for row in parsed[f.name]:
                value = number(row["loan_requested_idr"], f.shape == "csv_semicolon_cp1252")
                if value:
                    asked[f.cooperative_id].add(value)
    amounts = {a for values in asked.values() for a in values}
    assert min(amounts) >= 50e6 and max(amounts) == 3e9 and 500e6 in amounts
    assert any(a < 500e6 for a in amounts) and any(500e6 < a < 3e9 for a in amounts)
    assert all(a % 50e6 == 0 for a in amounts)
    assert 10 <= len(asked) <= 30, "some cooperatives apply, most of them with a proposal"
    assert sum(proposal[c] for c in asked) > 0.8 * len(asked)


def test_clean_rows_pass_the_contract(manifest: list[demo.DemoFile], parsed: dict) -> None:
    catalogue = load_catalogue()
    registered = {r["cooperative_id"] for r in load_registry()}
    checked = 0
    for f in manifest:
        if not set(f.defects) <= VALID_ROWS:
            continue
        assert f.cooperative_id in registered
        indonesian = f.shape == "csv_semicolon_cp1252"
        for row in parsed[f.name]:
            if f.kind == FINANCE:
                figures = {k: number(row[k], indonesian) for k in COLUMNS[FINANCE][2:]}
                assert all(v >= 0 for v in figures.values()) and figures["members"] >= 9
                assert figures["loan_requested_idr"] <= 3e9
                continue
            code = catalogue.commodity_code(str(row["commodity"]))
            assert code, f"{row['commodity']!r} in {f.name}"
            commodity = catalogue.commodities[code]
            unit = catalogue.unit_name(str(row["unit"]))
            assert unit in commodity.units, f"{row['unit']!r} for {code} in {f.name}"
            # needs are only ever demanded; local produce is offered, and also ordered by school-meal kitchens
            assert row["flow"] in (("kebutuhan",) if commodity.category == "needs" else ("pasokan", "kebutuhan"))
            assert day(row["date"]).strftime("%Y-%m") == f.period
            quantity = number(row["quantity"], indonesian)
            assert 0 < quantity * commodity.units[unit] < 500_000, f"{quantity} {unit} {code} in {f.name}"
            per_base = number(row["unit_price_idr"], indonesian) / commodity.units[unit]
            assert commodity.price_min_idr * 0.98 <= per_base <= commodity.price_max_idr * 1.02, (code, per_base)
            assert (row["grade"] or "") in ("", *commodity.grades)
            checked += 1
    assert checked > 5_000


def test_defective_files_break_the_rule_they_name(landing: Path, manifest: list[demo.DemoFile], parsed: dict) -> None:
    catalogue = load_catalogue()
    registered = {r["cooperative_id"] for r in load_registry()}

    def broken(f: demo.DemoFile, row: dict[str, object]) -> bool:
        code = catalogue.commodity_code(str(row["commodity"]))
        if f.defects == ("misspelled_commodity",):
            return code is None
        units = catalogue.commodities[code].units
        if f.defects == ("unit_not_allowed",):
            return catalogue.unit_name(str(row["unit"])) not in units
        if f.defects == ("negative_quantity",):
            return number(row["quantity"], f.shape == "csv_semicolon_cp1252") < 0
        if f.defects == ("absurd_quantity",):
            return base_quantity(row, f.shape) >= 1_000_000
        if f.defects == ("unknown_grade",):
            return (row["grade"] or "") not in ("", *catalogue.commodities[code].grades)
        if f.defects == ("price_as_total",):
            factor = units[catalogue.unit_name(str(row["unit"]))]
            price = number(row["unit_price_idr"], f.shape == "csv_semicolon_cp1252") / factor
            return price > catalogue.commodities[code].price_max_idr
        return day(row["date"]).strftime("%Y-%m") != f.period  # date_outside_month

    for f in manifest:
        # an extra zero is an outlier only against the cooperative's other months (tests/e2e/test_demo_ingest.py)
        if f.defects and f.defects[0] in (*demo.ROW_DEFECTS, *demo.WARNING_DEFECTS) and f.defects[0] != "extra_zero":
            assert f.kind == LINES
            assert sum(broken(f, row) for row in parsed[f.name]) == 1, f
        elif f.defects == ("unknown_cooperative",):
            assert f.cooperative_id not in registered
            assert {r["cooperative_id"] for r in parsed[f.name]} == {f.cooperative_id}
        elif f.defects == ("empty_file",):
            assert f.name.endswith(".csv") and (landing / f.name).stat().st_size == 0 and f.rows == 0
        elif f.defects == ("corrupt_xlsx",):
            assert f.name.endswith(".xlsx") and (landing / f.name).stat().st_size > 0
            with pytest.raises(zipfile.BadZipFile):
                openpyxl.load_workbook(landing / f.name)


def test_duplicates_are_byte_identical_copies(landing: Path, manifest: list[demo.DemoFile]) -> None:
    digests = {f.name: hashlib.sha256((landing / f.name).read_bytes()).hexdigest() for f in manifest}
    originals = {digests[f.name]: f for f in manifest if "duplicate_file" not in f.defects}
    copies = [f for f in manifest if f.defects == ("duplicate_file",)]
    assert copies
    for copy in copies:
        original = originals[digests[copy.name]]
        assert copy.name != original.name
        assert (copy.name.startswith("Salinan dari ") and copy.name.endswith(original.name)) or " (1)." in copy.name
        key = ("cooperative_id", "period", "kind", "shape", "rows")
        assert [getattr(copy, k) for k in key] == [getattr(original, k) for k in key]


def test_revisions_follow_a_defective_file_for_the_same_slot(landing: Path, manifest: list[demo.DemoFile]) -> None:
    revisions = [i for i, f in enumerate(manifest) if f.defects == ("corrected_resubmission",)]
    assert revisions
    for i in revisions:
        revision = manifest[i]
        earlier = [
            f
            for f in manifest[:i]
            if (f.cooperative_id, f.kind, f.period) == (revision.cooperative_id, revision.kind, revision.period)
            and f.defects
            and f.defects[0] in (*demo.ROW_DEFECTS, *demo.WARNING_DEFECTS, "empty_file", "corrupt_xlsx")
        ]
        assert earlier, revision
        assert Path(revision.name).stem.endswith("_revisi")
        assert (landing / revision.name).stat().st_mtime > (landing / earlier[-1].name).stat().st_mtime


def test_pepper_follows_the_harvest_and_fish_the_monsoon(manifest: list[demo.DemoFile], parsed: dict) -> None:
    catalogue = load_catalogue()
    volume: dict[tuple[str, str], float] = defaultdict(float)
    for f in manifest:
        if f.kind == LINES and not f.defects:
            for row in parsed[f.name]:
                code = catalogue.commodity_code(str(row["commodity"]))
                volume[code, f.period[5:]] += base_quantity(row, f.shape)
    assert volume["lada_putih", "07"] > 5 * volume["lada_putih", "01"] > 0
    assert volume["lada_putih", "08"] > 3 * volume["lada_putih", "11"]
    assert volume["ikan_tongkol", "01"] < 0.7 * volume["ikan_tongkol", "05"]
    assert volume["tbs_sawit", "12"] < 0.7 * volume["tbs_sawit", "07"]


def test_clerk_spellings_resolve_and_misspellings_do_not() -> None:
    catalogue = load_catalogue()
    for code, spellings in demo.CLERK_SPELLINGS.items():
        assert all(catalogue.commodity_code(s) == code for s in spellings), code
    for code, spellings in demo.MISSPELLINGS.items():
        assert all(catalogue.commodity_code(s) is None for s in spellings), code
    for unit, spellings in demo.UNIT_SPELLINGS.items():
        assert all(catalogue.unit_name(s) == unit for s in spellings), unit
    for code, unit in demo.WRONG_UNITS.items():
        assert catalogue.unit_name(unit) not in catalogue.commodities[code].units


# --- benchmark load ---------------------------------------------------------------------------------------------


def test_write_large_load_writes_the_rows_asked_for(tmp_path: Path) -> None:
    counts = demo.write_large_load(tmp_path / "a", cooperatives=200, rows=5_000)
    assert counts == {"cooperatives": 200, "files": 50, "rows": 5_000}

    with (tmp_path / "a" / "registry.csv").open(encoding="utf-8", newline="") as f:
        registry = list(csv.DictReader(f))
    assert len(registry) == 200 and tuple(registry[0]) == REGISTRY_COLUMNS
    ids = {r["cooperative_id"] for r in registry}
    assert len(ids) == 200 and all(re.fullmatch(r"K[DK]MP-99\d{8}", i) for i in ids)
    assert not ids & {r["cooperative_id"] for r in load_registry()}

    files = sorted((tmp_path / "a" / "landing").iterdir())
    assert len(files) == 50
    shapes = {"csv_semicolon_cp1252": 0, "csv_comma_utf8": 0, "csv_comma_utf8_bom": 0}
    total = 0
    for path in files:
        raw = path.read_bytes()
        shape = (
            "csv_semicolon_cp1252"
            if b";" in raw.split(b"\n")[0]
            else "csv_comma_utf8_bom"
            if raw.startswith(b"\xef\xbb\xbf")
            else "csv_comma_utf8"
        )
        shapes[shape] += 1
        rows = read_rows(path, shape)
        total += len(rows)
        assert {r["cooperative_id"] for r in rows} <= ids
    assert total == 5_000 and all(shapes.values())

    demo.write_large_load(tmp_path / "b", cooperatives=200, rows=5_000)
    assert sha256_tree(tmp_path / "a" / "landing") == sha256_tree(tmp_path / "b" / "landing")
