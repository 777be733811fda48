"""The lake's schemas: what BI tools and the people fixing files may rely on, versioned.

Every gold dataset is written with exactly this schema (``conform`` casts and orders the columns, and refuses a
missing or extra one) and documented from it; a test compares written files, the SQL tables and the README with
these definitions, so a dashboard never breaks silently. Silver and quarantine (``LAKE_DATASETS``) are written
through their schemas the same way, one file per submission. Change a column or what it means: bump the
dataset's version and say so.
"""

from __future__ import annotations

import pyarrow as pa

# re-exported: callers write schemas.Dataset
from include.kopdes_hub.storage.dataset import PERIOD, PLACE, PUBLICATION
from include.kopdes_hub.storage.dataset import Column as Column
from include.kopdes_hub.storage.dataset import Dataset as Dataset
from include.kopdes_hub.storage.processing_schema import PROCESSING_PROJECTION

COMMODITY_VOLUMES = Dataset(
    name="commodity_volumes",
    version="1.0",
    partition="period",
    columns=(
        Column("period", pa.string(), "YYYY-MM", "reporting month (also the partition key)", "periode"),
        Column("hub_id", pa.string(), "", "the hub (secondary cooperative) of the cooperative", "kode hub"),
        Column("district_code", pa.string(), "Kemendagri code", "kecamatan, e.g. 19.02.02", "kode kecamatan"),
        Column("village_code", pa.string(), "Kemendagri code", "desa/kelurahan, e.g. 19.02.02.2001", "kode desa"),
        Column("cooperative_id", pa.string(), "", "KDMP-/KKMP- + village code without dots", "kode koperasi"),
        Column("commodity", pa.string(), "catalogue code", "e.g. lada_putih, tbs_sawit, lpg_3kg", "komoditas"),
        Column("flow", pa.string(), "supply | demand", "offered to the hub, or needed by the village", "jenis"),
        Column("quantity_base", pa.float64(), "base_unit", "sum of quantities in the base unit", "jumlah"),
        Column("base_unit", pa.string(), "", "kg, butir, tabung or liter (from the catalogue)", "satuan dasar"),
        Column("value_idr", pa.float64(), "IDR", "sum of quantity x unit price over priced lines", "nilai (Rp)"),
        Column("submissions", pa.int64(), "count", "distinct submissions behind the row", "jumlah laporan"),
        Column("lines", pa.int64(), "count", "silver lines summed into the row", "jumlah baris"),
        Column(
            "catalogue_version",
            pa.string(),
            "",
            "commodity catalogue version the lines were converted with",
            "versi katalog",
        ),
    ),
)


HUB_BALANCE = Dataset(
    name="hub_balance",
    version="1.1",
    partition="period",
    columns=(
        PERIOD,
        Column("level", pa.string(), "hub | village", "a village row, or the hub's total for the commodity", "tingkat"),
        *PLACE,
        Column("commodity", pa.string(), "catalogue code", "commodity", "komoditas"),
        Column("base_unit", pa.string(), "", "kg, butir, tabung or liter", "satuan dasar"),
        Column("supply_base", pa.float64(), "base_unit", "offered to the hub", "pasokan"),
        Column("demand_base", pa.float64(), "base_unit", "needed", "kebutuhan"),
        Column("net_base", pa.float64(), "base_unit", "supply - demand (surplus > 0, deficit < 0)", "selisih"),
        Column("status", pa.string(), "surplus | deficit | balanced", "sign of net_base", "status"),
        Column("coverage", pa.float64(), "ratio", "supply / demand (null without demand)", "cakupan"),
        Column("shipped_base", pa.float64(), "base_unit", "sent to other villages by the transfer plan", "dikirim"),
        Column("received_base", pa.float64(), "base_unit", "received from other villages", "diterima"),
        Column("unsold_base", pa.float64(), "base_unit", "surplus left for outside markets", "sisa dijual keluar"),
        Column("unmet_base", pa.float64(), "base_unit", "deficit left to buy from outside", "kekurangan dibeli"),
        *PUBLICATION,
    ),
)
HUB_TRANSFERS = Dataset(
    name="hub_transfers",
    version="1.1",
    partition="period",
    columns=(
        PERIOD,
        Column("transfer_id", pa.string(), "", "period:commodity:from:to, stable across reruns", "kode transfer"),
        Column("hub_id", pa.string(), "", "the hub", "kode hub"),
        Column("commodity", pa.string(), "catalogue code", "commodity", "komoditas"),
        Column("from_village", pa.string(), "Kemendagri code", "surplus village", "dari desa"),
        Column("to_village", pa.string(), "Kemendagri code", "deficit village", "ke desa"),
        Column("quantity_base", pa.float64(), "base_unit", "quantity moved", "jumlah"),
        Column("base_unit", pa.string(), "", "kg, butir, tabung or liter", "satuan dasar"),
        Column(
            "cost_per_unit_idr",
            pa.float64(),
            "IDR per base unit",
            "transport cost (reference/transport.yaml)",
            "biaya per satuan",
        ),
        Column("cost_idr", pa.float64(), "IDR", "quantity x cost per unit", "biaya (Rp)"),
        *PUBLICATION,
    ),
)
FINANCING_ELIGIBILITY = Dataset(
    name="financing_eligibility",
    version="1.2",
    partition="period",
    columns=(
        PERIOD,
        *PLACE,
        Column("cooperative_id", pa.string(), "", "the cooperative", "kode koperasi"),
        Column(
            "status",
            pa.string(),
            "ELIGIBLE | CONDITIONAL | NOT_ELIGIBLE | NOT_APPLIED",
            "the verdict on the loan requested; NOT_APPLIED: nothing requested, so no verdict",
            "status",
        ),
        Column(
            "loan_requested_idr",
            pa.float64(),
            "IDR",
            "loan requested in the latest finance report",
            "pinjaman diajukan",
        ),
        Column(
            "monthly_cash_flow_idr",
            pa.float64(),
            "IDR/month",
            "mean revenue - operating cost, last 3 months",
            "arus kas per bulan",
        ),
        Column(
            "instalment_idr", pa.float64(), "IDR/month", "instalment of the requested loan (6 %, 66 months)", "angsuran"
        ),
        Column("dscr", pa.float64(), "ratio", "cash flow after 20 % imbal jasa / instalment", "DSCR"),
        Column(
            "dana_desa_monthly_cap_idr",
            pa.float64(),
            "IDR/month",
            "30 % of the Dana Desa pagu / 12",
            "batas dukungan Dana Desa",
        ),
        Column(
            "max_loan_idr",
            pa.float64(),
            "IDR",
            "estimated maximum loan, also for NOT_APPLIED (what it could borrow now); 0 when a hard rule fails",
            "perkiraan plafon",
        ),
        Column("max_opex_idr", pa.float64(), "IDR", "of which for operations (at most Rp 500 m)", "plafon opex"),
        Column("failed_rules", pa.string(), "rule ids", "comma-separated rule ids that failed", "aturan gagal"),
        Column(
            "rules_json",
            pa.string(),
            "JSON",
            "every rule: id, passed, severity, value, threshold, source, reason",
            "rincian aturan",
        ),
        *PUBLICATION,
    ),
)
LEADING_COMMODITIES = Dataset(
    name="leading_commodities",
    version="1.2",
    partition="period",
    columns=(
        PERIOD,
        Column("hub_id", pa.string(), "", "the hub", "kode hub"),
        Column("district_code", pa.string(), "Kemendagri code", "kecamatan", "kode kecamatan"),
        Column("commodity", pa.string(), "catalogue code", "a supplied commodity", "komoditas"),
        Column("base_unit", pa.string(), "", "kg, butir, tabung or liter", "satuan dasar"),
        Column("quantity_base", pa.float64(), "base_unit", "supply volume of the month", "volume"),
        Column("value_idr", pa.float64(), "IDR", "supply value of the month", "nilai (Rp)"),
        Column("share_of_district", pa.float64(), "ratio", "value / the district's supply value", "pangsa kecamatan"),
        Column(
            "share_of_hub_commodity", pa.float64(), "ratio", "value / the hub's value of the commodity", "pangsa hub"
        ),
        Column("location_quotient", pa.float64(), "ratio", "LQ of the district for the commodity (> 1: basis)", "LQ"),
        Column("trend", pa.float64(), "ratio", "volume / mean of the 3 months before - 1", "tren"),
        Column("rank_in_district", pa.int64(), "rank", "1 = largest value in the district", "peringkat"),
        Column(
            "leading",
            pa.bool_(),
            "",
            "location_quotient > 1 on at least 5 % of the district's supply value (komoditas unggulan)",
            "unggulan",
        ),
        *PUBLICATION,
    ),
)
REPORTING_COMPLIANCE = Dataset(
    name="reporting_compliance",
    version="1.2",
    partition="period",
    columns=(
        PERIOD,
        *PLACE,
        Column("cooperative_id", pa.string(), "", "the cooperative", "kode koperasi"),
        Column("kind", pa.string(), "lines | finance", "submission kind", "jenis laporan"),
        Column("status", pa.string(), "on_time | late | missing", "by the 10th of the next month (WIB)", "status"),
        Column("submissions", pa.int64(), "count", "files received for the month", "jumlah berkas"),
        Column(
            "first_received_at", pa.timestamp("us", tz="UTC"), "UTC", "when the first file landed", "pertama diterima"
        ),
        Column("due_date", pa.date32(), "date", "the month's deadline", "batas waktu"),
        Column("rows_bronze", pa.int64(), "rows", "rows received", "baris diterima"),
        Column("rows_quarantine", pa.int64(), "rows", "rows quarantined", "baris ditolak"),
        Column("rows_warning", pa.int64(), "rows", "rows accepted with a warning", "baris dengan peringatan"),
        Column("rejection_rate", pa.float64(), "ratio", "rows_quarantine / rows_bronze", "tingkat penolakan"),
        Column("accepted", pa.bool_(), "", "an accepted or partly accepted file exists", "diterima"),
        Column(
            "months_since_last_accepted", pa.int64(), "months", "0 = this month; null = never", "bulan sejak diterima"
        ),
        *PUBLICATION,
    ),
)

SUMMARIES = (
    HUB_BALANCE,
    HUB_TRANSFERS,
    FINANCING_ELIGIBILITY,
    LEADING_COMMODITIES,
    REPORTING_COMPLIANCE,
    PROCESSING_PROJECTION,
)
DATASETS = {d.name: d for d in (COMMODITY_VOLUMES, *SUMMARIES)}


# Silver and quarantine: written by validation, one file per submission under <layer>/<kind>/period=YYYY-MM/.
# Version 1.0 is their layout before it was versioned here (issue 10); 1.1 (silver) and 2.0 (quarantine) are:
# received_at from the ledger (the earliest landing of any name the content arrived under, not the bronze file's
# own), NIK-like numbers masked in free text (contract.NIK_PATTERN: 3201************), and quarantine keeps only
# the contract's columns of a row, naming the file's others in columns_not_kept. Silver lines 2.0 and quarantine 2.1
# (contract v1.1, issue 12): a severity on every reason; silver lines keep their warnings, their grade as received
# (grade is a catalogue grade or null), and no price or value where the price drew a warning.
_SILVER_HEAD = (
    Column("submission_id", pa.string(), "", "the submission (first 16 hex digits of its SHA-256)", "kode pengiriman"),
    Column("cooperative_id", pa.string(), "", "the cooperative of the row", "kode koperasi"),
    *PLACE,
    PERIOD,
)
_LINEAGE = (
    Column("row_number", pa.int32(), "row", "CSV line / Excel row / JSON position in the file as sent", "baris"),
    Column(
        "source_file", pa.string(), "landing path", "the earliest name the file landed under (the ledger's)", "berkas"
    ),
    Column(
        "received_at",
        pa.timestamp("us", tz="UTC"),
        "UTC",
        "when the content first landed, under any of its names (the ledger's received_at)",
        "diterima",
    ),
    Column("contract_version", pa.string(), "", "the submission contract the row was checked against", "versi kontrak"),
)
_CATALOGUE_VERSION = Column(
    "catalogue_version", pa.string(), "", "commodity catalogue version the row was converted with", "versi katalog"
)
_FINANCE_FIGURES = (
    ("revenue_idr", "IDR", "revenue of the month", "pendapatan"),
    ("operating_cost_idr", "IDR", "operating cost of the month", "biaya operasional"),
    ("cash_idr", "IDR", "cash at the end of the month", "kas"),
    ("members", "count", "members", "jumlah anggota"),
    ("savings_principal_idr", "IDR", "members' principal savings", "simpanan pokok"),
    ("savings_mandatory_idr", "IDR", "members' mandatory savings", "simpanan wajib"),
    ("loan_outstanding_idr", "IDR", "loans outstanding", "pinjaman berjalan"),
    ("loan_requested_idr", "IDR", "loan requested", "pinjaman diajukan"),
)

REASON_TYPE = pa.struct(
    [
        ("rule_id", pa.string()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("message_id", pa.string()),
        ("message_en", pa.string()),
        ("fix_id", pa.string()),
        ("severity", pa.string()),
    ]
)
_REASON_FIELDS = (
    "rule_id, column, value as received (NIK-like numbers masked), message_id, message_en, fix_id, severity"
)
SILVER_LINES = Dataset(
    name="silver_lines",
    version="2.0",
    partition="period",
    columns=(
        *_SILVER_HEAD,
        Column("flow", pa.string(), "supply | demand", "offered to the hub, or needed by the village", "jenis"),
        Column("date", pa.date32(), "date (WIB)", "the day of the line", "tanggal"),
        Column("commodity", pa.string(), "catalogue code", "commodity", "komoditas"),
        Column("quantity", pa.float64(), "unit", "quantity as written, in unit", "jumlah"),
        Column("unit", pa.string(), "", "the unit written (catalogue name)", "satuan"),
        Column("quantity_base", pa.float64(), "base_unit", "quantity in the catalogue's base unit", "jumlah dasar"),
        Column("base_unit", pa.string(), "", "kg, butir, tabung or liter", "satuan dasar"),
        Column(
            "unit_price_idr",
            pa.float64(),
            "IDR per unit",
            "price per unit written; null if none, not a number or outside the plausible range (see warnings)",
            "harga satuan",
        ),
        Column(
            "unit_price_base_idr", pa.float64(), "IDR per base unit", "price per base unit", "harga per satuan dasar"
        ),
        Column("value_idr", pa.float64(), "IDR", "quantity x unit price (null without a sound price)", "nilai (Rp)"),
        Column("grade", pa.string(), "", "a catalogue grade of the commodity, normalised; null otherwise", "mutu"),
        Column("grade_received", pa.string(), "", "the grade as received (NIK-like numbers masked)", "mutu diterima"),
        Column("notes", pa.string(), "", "the clerk's note as received, NIK-like numbers masked", "keterangan"),
        Column("warning_ids", pa.list_(pa.string()), "rule ids", "every warning rule the line broke", "peringatan"),
        Column("warnings", pa.list_(REASON_TYPE), "", f"per warning: {_REASON_FIELDS}", "rincian peringatan"),
        *_LINEAGE,
        _CATALOGUE_VERSION,
    ),
)
SILVER_FINANCE = Dataset(
    name="silver_finance",
    version="1.1",
    partition="period",
    columns=(
        *_SILVER_HEAD,
        *(Column(name, pa.int64(), unit, meaning, label) for name, unit, meaning, label in _FINANCE_FIGURES),
        *_LINEAGE,
        _CATALOGUE_VERSION,
    ),
)
QUARANTINE = Dataset(
    name="quarantine",
    version="2.1",
    partition="period",
    columns=(
        Column("submission_id", pa.string(), "", "the submission", "kode pengiriman"),
        Column("kind", pa.string(), "lines | finance", "submission kind", "jenis laporan"),
        Column(
            "cooperative_id",
            pa.string(),
            "",
            "the file's cooperative (trimmed, upper case, NIK-like numbers masked)",
            "kode koperasi",
        ),
        Column(
            "period", pa.string(), "YYYY-MM", "the file's period, normalised (as received when not a month)", "periode"
        ),
        *_LINEAGE[:3],
        Column(
            "values_received",
            pa.string(),
            "JSON",
            "the row's contract columns as received (strings, NIK-like numbers masked); no other column is kept",
            "nilai diterima",
        ),
        Column(
            "columns_not_kept",
            pa.list_(pa.string()),
            "column names",
            "the file's columns outside the contract (e.g. nik, nama_anggota), by name only: values never kept",
            "kolom tidak disimpan",
        ),
        Column(
            "rule_ids", pa.list_(pa.string()), "rule ids", "every rule the row broke, errors and warnings", "aturan"
        ),
        Column("reasons", pa.list_(REASON_TYPE), "", f"per rule: {_REASON_FIELDS}", "alasan"),
        _LINEAGE[3],
    ),
)
LAKE_DATASETS = {d.name: d for d in (SILVER_LINES, SILVER_FINANCE, QUARANTINE)}
