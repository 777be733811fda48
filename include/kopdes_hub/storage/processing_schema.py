"""gold/processing_projection: what the hub's supply would yield and earn if the hub processed it (issue 15), per
period, district and the hub, per commodity and processing path of ``reference/processing.yaml``."""

from __future__ import annotations

import pyarrow as pa

from include.kopdes_hub.storage.dataset import PERIOD, PUBLICATION, Column, Dataset

_F, _S = pa.float64(), pa.string()

PROCESSING_PROJECTION = Dataset(
    name="processing_projection",
    version="1.0",
    partition="period",
    columns=(
        PERIOD,
        Column("level", _S, "district / hub", "a district row, or the hub's total", "tingkat"),
        Column("hub_id", _S, "", "the hub", "kode hub"),
        Column("district_code", _S, "Kemendagri code", "kecamatan (null at hub level)", "kode kecamatan"),
        Column("commodity", _S, "catalogue code", "the raw commodity", "komoditas"),
        Column("product", _S, "product code", "what processing makes of it (e.g. cpo, vco)", "produk"),
        Column("product_name", _S, "", "the product in Bahasa Indonesia", "nama produk"),
        Column("input_base", _F, "input_unit", "the month's supply offered to the hub", "pasokan bulan ini"),
        Column("input_base_12m", _F, "input_unit", "supply of the month and the 11 before it", "pasokan 12 bulan"),
        Column("input_months_12m", pa.int64(), "months", "months of the 12 with published volumes", "bulan berdata"),
        Column("input_unit", _S, "", "the catalogue's base unit (kg, butir)", "satuan bahan"),
        Column("yield_low", _F, "output_unit per input_unit", "yield, low end (null when unsourced)", "rendemen min"),
        Column("yield_high", _F, "output_unit per input_unit", "yield, high end", "rendemen maks"),
        Column("output_low", _F, "output_unit", "input_base x yield_low", "hasil min"),
        Column("output_high", _F, "output_unit", "input_base x yield_high", "hasil maks"),
        Column("output_unit", _S, "", "the product's unit", "satuan hasil"),
        Column("input_value_idr", _F, "IDR", "the month's supply value at its prices", "nilai bahan (Rp)"),
        Column("output_value_low_idr", _F, "IDR", "output_low x the product's low price", "nilai hasil min (Rp)"),
        Column("output_value_high_idr", _F, "IDR", "output_high x the product's high price", "nilai hasil maks (Rp)"),
        Column(
            "value_added_low_idr",
            _F,
            "IDR",
            "output value low - input value, before processing costs",
            "nilai tambah min",
        ),
        Column("value_added_high_idr", _F, "IDR", "output value high - input value", "nilai tambah maks"),
        Column(
            "unit_capacity_base",
            _F,
            "input_unit per month",
            "what one typical processing unit takes in",
            "kapasitas unit",
        ),
        Column(
            "unit_months_of_supply",
            _F,
            "months",
            "input_base_12m / unit_capacity_base: months of full work a year's supply gives one unit",
            "bulan kerja unit",
        ),
        Column(
            "leading", pa.bool_(), "", "a leading commodity of the district (any district at hub level)", "unggulan"
        ),
        Column("missing", _S, "", "what is not sourced yet, so the row has no projection for it", "belum tersedia"),
        Column("sources", _S, "tags", "the sources of the row's numbers ([Sn], [Pn], ASSUMPTION)", "sumber"),
        Column("processing_version", _S, "", "version of reference/processing.yaml", "versi pengolahan"),
        *PUBLICATION,
    ),
)
