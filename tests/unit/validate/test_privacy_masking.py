"""Privacy: a member's NIK or name never travels beyond bronze. NIK-like numbers are masked wherever validation
writes text (silver notes, quarantine, reasons, the clerk's pages, GX results), and quarantine keeps only the
contract's columns of a row, naming the file's other columns without their values."""

from __future__ import annotations

import json
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from include.kopdes_hub import contract, validate
from include.kopdes_hub.ingest import stage as ingest
from include.kopdes_hub.reference import load_catalogue
from include.kopdes_hub.storage import schemas, store
from include.kopdes_hub.validate import render

MASKED = {
    "plain": ("NIK 3201123456780001", "NIK 3201************"),
    "spaces": ("3201 1234 5678 0001", "3201************"),
    "dots": ("32.01.12.345678.0001", "3201************"),
    "dashes": ("3201-1234-5678-0001", "3201************"),
    "nbsp": ("3201\u00a01234\u00a05678\u00a00001", "3201************"),
    "inside_a_word": ("nik:3201123456780001;", "nik:3201************;"),
    "two_one_space_apart": ("3201123456780001 3201123456780002", "3201************"),
    "two_in_a_sentence": (
        "suami 3201123456780001, istri 3201123456780002",
        "suami 3201************, istri 3201************",
    ),
    "seventeen_digits": ("32011234567800012", "3201************"),
    "full_width": ("\uff13\uff12\uff10\uff11" + "\uff11" * 12, "\uff13\uff12\uff10\uff11************"),
}
KEPT = {
    "fifteen_digits": "320112345678000",
    "phone": "0812-3456-7890",
    "amount": "Rp 160.000",
    "number": "1.250,5",
    "date": "05/07/2026",
    "two_separators": "3201  1234 5678 0001",
    "slashes": "3201/1234/5678/0001",
    "empty": "",
}


@pytest.mark.parametrize(("text", "masked"), MASKED.values(), ids=MASKED.keys())
def test_a_nik_like_number_is_masked_by_both_regex_engines(text, masked):
    assert contract.mask_nik(text) == masked
    assert validate.mask_nik_array(pa.array([text, None])).to_pylist() == [masked, None]


@pytest.mark.parametrize("text", KEPT.values(), ids=KEPT.keys())
def test_other_numbers_are_kept(text):
    assert contract.mask_nik(text) == text
    assert validate.mask_nik_array(pa.array([text])).to_pylist() == [text]


LINE = {
    "cooperative_id": "KDMP-1902022001",
    "period": "2026-07",
    "flow": "pasokan",
    "date": "05/07/2026",
    "commodity": "Lada Putih",
    "quantity": "10",
    "unit": "kg",
    "unit_price_idr": "160.000",
    "grade": "I",
}
NIKS = ("3201123456780001", "3201 1234 5678 0002", "32.01.12.345678.0003", "3201123456780004")


def _landing_csv() -> bytes:
    """A clerk's file with two columns the contract does not have (a member's NIK and name) and NIKs in notes."""
    header = [*(contract.INDONESIAN_NAMES[c] for c in (*LINE, "notes")), "nik", "nama_anggota"]
    good = [*LINE.values(), f"titip NIK {NIKS[1]}", NIKS[0], "Siti Aminah"]
    plain = [*{**LINE, "date": "08/07/2026"}.values(), "kering", "", ""]
    typo = [*{**LINE, "commodity": "Lada Putig", "date": "06/07/2026"}.values(), f"NIK {NIKS[2]}", NIKS[0], "Siti"]
    wrong_column = [*{**LINE, "quantity": NIKS[3], "date": "07/07/2026"}.values(), "", NIKS[0], "Siti Aminah"]
    return "\r\n".join(";".join(row) for row in (header, good, plain, typo, wrong_column)).encode("utf-8") + b"\r\n"


def _written_texts(settings) -> dict[str, str]:
    """Every file validation wrote (not bronze, which keeps what the clerk sent), as text."""
    texts = {}
    for path in settings.lake.rglob("*"):
        if not path.is_file() or "bronze" in path.parts:
            continue
        if path.suffix == ".parquet":
            texts[path.as_posix()] = json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False)
        else:
            texts[path.as_posix()] = path.read_text(encoding="utf-8-sig")
    return texts


def test_no_nik_or_other_column_reaches_silver_quarantine_feedback_or_gx_results(settings):
    (settings.landing / "KDMP-1902022001_2026-07.csv").write_bytes(_landing_csv())
    assert ingest.ingest_files(settings, ingest.find_new_files(settings))["bronze"] == 1
    with store.get_engine(settings.db_url).connect() as conn:
        (submission_id,) = conn.execute(select(store.Submission.submission_id)).one()
    validate.validate_submissions(settings, [submission_id])
    render.render_submissions(settings, [submission_id])  # the pages, rendered from what the path recorded

    texts = _written_texts(settings)
    assert any("/silver/" in p for p in texts) and any("/quarantine/" in p for p in texts)
    assert any(p.endswith(".csv") for p in texts) and any(p.endswith("gx_result.json") for p in texts)
    for path, text in texts.items():
        # a GX percentage such as 66.66666666666666 has the shape too; no planted NIK is a number with one dot
        found = [m.group() for m in re.finditer(contract.NIK_PATTERN, text)]
        assert not [f for f in found if not re.fullmatch(r"[0-9]+\.[0-9]+", f)], f"a NIK-like number in {path}"
        assert "Siti" not in text, f"a member's name in {path}"

    (silver_path,) = (p for p in texts if "/silver/" in p)
    silver = pq.read_table(silver_path)
    assert silver["notes"].to_pylist() == ["titip NIK 3201************", "kering"]
    assert silver["warning_ids"].to_pylist() == [["NIK_IN_NOTES"], []]
    assert silver.schema.metadata[b"kopdes.schema_version"] == schemas.SILVER_LINES.version.encode()

    (quarantine_path,) = (p for p in texts if "/quarantine/" in p)
    quarantine = pq.read_table(quarantine_path)
    assert quarantine.schema == schemas.QUARANTINE.schema
    rows = quarantine.to_pylist()
    assert [r["columns_not_kept"] for r in rows] == [["nik", "nama_anggota"]] * 2
    received = [json.loads(r["values_received"]) for r in rows]
    assert all(set(values) <= set(contract.COLUMNS[contract.LINES]) for values in received)
    assert [values["notes"] for values in received] == ["NIK 3201************", ""]
    assert received[1]["quantity"] == "3201************"
    values = {(reason["rule_id"], reason["value"]) for r in rows for reason in r["reasons"]}
    assert values == {
        ("COMMODITY_UNKNOWN", "Lada Putig"),
        ("NUMBER_FORMAT", "3201************"),
        ("NIK_IN_NOTES", "NIK 3201************"),  # the clerk is told not to write one (a warning)
    }


def test_reasons_and_the_file_cooperative_are_masked_in_a_batch():
    from tests.unit.validate.test_validate_rules import REGISTRY, _submission

    catalogue = load_catalogue()
    sub = _submission("nik", contract.LINES, [{**LINE, "commodity": f"beras {NIKS[0]}", "notes": NIKS[1]}])
    sub.cooperative_id = NIKS[2]
    ev = validate.evaluate(contract.LINES, [sub], REGISTRY, catalogue)
    reasons = ev.row_reasons(0, 1)[0]
    assert {r.rule_id: r.value for r in reasons} == {
        "COMMODITY_UNKNOWN": "beras 3201************",
        "COOPERATIVE_MISMATCH": "KDMP-1902022001",
        "NIK_IN_NOTES": "3201************",
    }
    assert "'3201************'" in ev.decisions[0][1]
    for column in ev.prepared.column_names:
        if pa.types.is_string(ev.prepared.schema.field(column).type):
            assert not any(re.search(contract.NIK_PATTERN, v or "") for v in ev.prepared[column].to_pylist()), column
