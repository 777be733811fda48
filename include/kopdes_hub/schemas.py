"""The published datasets' schemas: what BI tools may rely on, versioned.

Every gold dataset is written with exactly this schema (``conform`` casts and orders the columns, and refuses a
missing or extra one) and documented from it; a test compares written files, the SQL tables and the README with
these definitions, so a dashboard never breaks silently. Change a column: bump the dataset's version and say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    unit: str
    meaning: str
    label_id: str  # the Indonesian label for reports and docs


@dataclass(frozen=True)
class Dataset:
    name: str
    version: str
    partition: str
    columns: tuple[Column, ...]

    @property
    def schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.type) for c in self.columns],
            metadata={b"kopdes.dataset": self.name.encode(), b"kopdes.schema_version": self.version.encode()},
        )

    def conform(self, table: pa.Table) -> pa.Table:
        """Exactly this dataset's columns, in order and type; anything else is a bug, not a new column."""
        names = [c.name for c in self.columns]
        missing = set(names) - set(table.column_names)
        extra = set(table.column_names) - set(names)
        if missing or extra:
            raise ValueError(f"{self.name}: columns missing {sorted(missing)}, unexpected {sorted(extra)}")
        return table.select(names).cast(self.schema)


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

_PLACE = (
    Column("hub_id", pa.string(), "", "the hub (secondary cooperative)", "kode hub"),
    Column("district_code", pa.string(), "Kemendagri code", "kecamatan", "kode kecamatan"),
    Column("village_code", pa.string(), "Kemendagri code", "desa/kelurahan", "kode desa"),
)
_PERIOD = Column("period", pa.string(), "YYYY-MM", "reporting month (the partition key)", "periode")

HUB_BALANCE = Dataset(
    name="hub_balance",
    version="1.0",
    partition="period",
    columns=(
        _PERIOD,
        Column("level", pa.string(), "hub | village", "a village row, or the hub's total for the commodity", "tingkat"),
        *_PLACE,
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
    ),
)
HUB_TRANSFERS = Dataset(
    name="hub_transfers",
    version="1.0",
    partition="period",
    columns=(
        _PERIOD,
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
    ),
)
FINANCING_ELIGIBILITY = Dataset(
    name="financing_eligibility",
    version="1.0",
    partition="period",
    columns=(
        _PERIOD,
        *_PLACE,
        Column("cooperative_id", pa.string(), "", "the cooperative", "kode koperasi"),
        Column("status", pa.string(), "ELIGIBLE | CONDITIONAL | NOT_ELIGIBLE", "the verdict", "status"),
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
        Column("max_loan_idr", pa.float64(), "IDR", "estimated maximum loan (0 when not eligible)", "perkiraan plafon"),
        Column("max_opex_idr", pa.float64(), "IDR", "of which for operations (at most Rp 500 m)", "plafon opex"),
        Column("failed_rules", pa.string(), "rule ids", "comma-separated rule ids that failed", "aturan gagal"),
        Column(
            "rules_json",
            pa.string(),
            "JSON",
            "every rule: id, passed, severity, value, threshold, source, reason",
            "rincian aturan",
        ),
    ),
)
LEADING_COMMODITIES = Dataset(
    name="leading_commodities",
    version="1.0",
    partition="period",
    columns=(
        _PERIOD,
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
        Column("leading", pa.bool_(), "", "location_quotient > 1 (komoditas unggulan)", "unggulan"),
    ),
)
REPORTING_COMPLIANCE = Dataset(
    name="reporting_compliance",
    version="1.0",
    partition="period",
    columns=(
        _PERIOD,
        *_PLACE,
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
        Column("rejection_rate", pa.float64(), "ratio", "rows_quarantine / rows_bronze", "tingkat penolakan"),
        Column("accepted", pa.bool_(), "", "an accepted or partly accepted file exists", "diterima"),
        Column(
            "months_since_last_accepted", pa.int64(), "months", "0 = this month; null = never", "bulan sejak diterima"
        ),
    ),
)

DATASETS = {
    d.name: d
    for d in (
        COMMODITY_VOLUMES,
        HUB_BALANCE,
        HUB_TRANSFERS,
        FINANCING_ELIGIBILITY,
        LEADING_COMMODITIES,
        REPORTING_COMPLIANCE,
    )
}
SUMMARIES = (HUB_BALANCE, HUB_TRANSFERS, FINANCING_ELIGIBILITY, LEADING_COMMODITIES, REPORTING_COMPLIANCE)
