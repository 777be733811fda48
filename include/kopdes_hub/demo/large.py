"""The benchmark load: many cooperatives' lines files written whole columns at a time (``make bench``)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from include.kopdes_hub.contract import COLUMNS, INDONESIAN_NAMES, LINES
from include.kopdes_hub.demo.model import DEMAND, PERIODS, SUPPLY
from include.kopdes_hub.reference import REGISTRY_COLUMNS, load_catalogue
from include.kopdes_hub.storage import lake

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
    lake.write_bytes_atomic(buf.getvalue().encode("utf-8"), out / "registry.csv")

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
            lake.write_bytes_atomic(text.encode(encoding[shape]), landing / name)
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
