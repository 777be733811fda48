"""The contract's columns: what clerks call them (Bahasa Indonesia or English, any case and spacing), the one place
their names become ours, the two kinds of submission and how a header row is recognised."""

from __future__ import annotations

from collections.abc import Iterable

from include.kopdes_hub.reference import normalize_token

# v1 = the file format clerks follow; the minor number moves whenever a rule below changes. Every silver row
# records the version that accepted it.
CONTRACT_VERSION = "v1.1"  # v1.1: a severity on every rule, warnings kept in silver


LINES = "lines"


FINANCE = "finance"


KINDS = (LINES, FINANCE)


# canonical name -> spellings seen in the wild (compared after normalize_token, so case/spaces/dashes don't matter)
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "cooperative_id": ("kode_koperasi", "kode koperasi", "id_koperasi", "koperasi_id", "kode_kop"),
    "period": ("periode", "bulan_laporan", "reporting_month", "bulan"),
    "flow": ("jenis", "jenis_transaksi", "arah", "type"),
    "date": ("tanggal", "tgl", "tanggal_transaksi", "tanggal_dibutuhkan"),
    "commodity": ("komoditas", "komoditi", "barang", "item", "nama_barang"),
    "quantity": ("jumlah", "qty", "volume", "kuantitas"),
    "unit": ("satuan", "sat", "uom"),
    "unit_price_idr": ("harga_satuan", "harga", "harga_satuan_rp", "harga_rp", "unit_price", "price", "price_idr"),
    "grade": ("mutu", "kualitas", "kelas", "quality"),
    "notes": ("keterangan", "ket", "catatan", "note", "remarks"),
    "revenue_idr": ("pendapatan", "pendapatan_rp", "omzet", "revenue"),
    "operating_cost_idr": ("biaya_operasional", "biaya_operasional_rp", "beban_operasional", "operating_cost"),
    "cash_idr": ("kas", "saldo_kas", "kas_rp", "cash"),
    "members": ("jumlah_anggota", "anggota", "member_count"),
    "savings_principal_idr": ("simpanan_pokok", "simpanan_pokok_rp", "savings_principal"),
    "savings_mandatory_idr": ("simpanan_wajib", "simpanan_wajib_rp", "savings_mandatory"),
    "loan_outstanding_idr": ("pinjaman_berjalan", "sisa_pinjaman", "loan_outstanding"),
    "loan_requested_idr": ("pinjaman_diajukan", "pengajuan_pinjaman", "loan_requested"),
}


HEADER_FIELDS = ("cooperative_id", "period")


LINE_FIELDS = ("flow", "date", "commodity", "quantity", "unit", "unit_price_idr", "grade", "notes")


FINANCE_FIELDS = (
    "revenue_idr",
    "operating_cost_idr",
    "cash_idr",
    "members",
    "savings_principal_idr",
    "savings_mandatory_idr",
    "loan_outstanding_idr",
    "loan_requested_idr",
)


COLUMNS: dict[str, tuple[str, ...]] = {
    LINES: HEADER_FIELDS + LINE_FIELDS,
    FINANCE: HEADER_FIELDS + FINANCE_FIELDS,
}


# Indonesian header names as the contract prints them (used by the demo generator and the feedback pages).
INDONESIAN_NAMES: dict[str, str] = {canonical: aliases[0] for canonical, aliases in COLUMN_ALIASES.items()}


# In JSON, the rows sit under one of these keys when the file is an object with header fields.
JSON_ROW_KEYS = ("baris", "rows")


# A row counts as the header when at least this many of its cells are contract column names.
MIN_HEADER_MATCHES = 3


_ALIAS_TO_CANONICAL: dict[str, str] = {
    normalize_token(spelling): canonical
    for canonical, aliases in COLUMN_ALIASES.items()
    for spelling in (canonical, *aliases)
}


def canonical_column(header: str) -> str | None:
    """The contract name of a header cell ("Kode Koperasi" -> "cooperative_id"), or None if it is not ours."""
    return _ALIAS_TO_CANONICAL.get(normalize_token(header))


def header_matches(cells: Iterable[object]) -> int:
    """How many distinct contract columns a candidate header row names."""
    return len({c for cell in cells if cell is not None and (c := canonical_column(str(cell)))})


def detect_kind(columns: Iterable[str]) -> str | None:
    """``lines`` or ``finance`` from the canonical columns present; None when neither kind is recognisable."""
    present = set(columns)
    lines = len(present & set(LINE_FIELDS))
    finance = len(present & set(FINANCE_FIELDS))
    if lines == finance == 0:
        return None
    return LINES if lines >= finance else FINANCE
