"""The one helper that writes numbers and times for an Indonesian reader: thousands ``.``, decimals ``,``, WIB."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pandas as pd
import pytest

from include.kopdes_hub.reporting import id_format


@pytest.mark.parametrize(
    ("value", "decimals", "written"),
    [
        (6542933.3, 0, "6.542.933"),
        (1234567.5, 1, "1.234.567,5"),
        (-26772.5, 1, "-26.772,5"),
        (999.0, 0, "999"),
        (0.0, 1, "0,0"),
        (-0.0001, 0, "0"),  # no "-0" for a tiny minus
        (3_000_000_000, 0, "3.000.000.000"),
    ],
)
def test_number(value, decimals, written):
    assert id_format.number(value, decimals) == written


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT])
def test_no_value_is_a_dash_everywhere(missing):
    for write in (id_format.number, id_format.rupiah, id_format.rupiah_short, id_format.ratio, id_format.percent):
        assert write(missing) == "-"
    assert id_format.count(missing) == "-"


def test_rupiah_ratio_percent_count():
    assert id_format.rupiah(6542933.4) == "Rp 6.542.933"
    assert id_format.rupiah(8913136.49) == "Rp 8.913.136"
    assert id_format.ratio(4.7) == "4,70"  # LQ
    assert id_format.ratio(0.244693) == "0,24"  # DSCR
    assert id_format.percent(0.2) == "20%"
    assert id_format.percent(0.015, 1) == "1,5%"
    assert id_format.percent(19.29) == "1.929%"
    assert id_format.count(1234) == "1.234"
    assert id_format.count(7.0) == "7"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (26_133_000_000, "Rp 26,13 miliar"),
        (769_000_000, "Rp 769 juta"),
        (4_926_600, "Rp 5 juta"),
        (950_000, "Rp 950.000"),
    ],
)
def test_rupiah_short_for_totals(value, written):
    assert id_format.rupiah_short(value) == written


def test_wib_in_bahasa_with_the_hour_written_with_a_dot():
    assert id_format.wib(datetime(2026, 11, 5, 7, 5, tzinfo=UTC)) == "5 November 2026 14.05 WIB"
    assert id_format.wib(datetime(2026, 12, 31, 20, 0)) == "1 Januari 2027 03.00 WIB"  # naive: read as UTC
    assert id_format.wib(None) == "-"


INDONESIAN = re.compile(r"(Rp )?-?\d{1,3}(\.\d{3})*(,\d+)?")


@pytest.mark.parametrize("value", [1.5, 12345.678, 1e9 + 0.25, 42, -7654321.0])
def test_every_form_is_thousands_dot_decimals_comma(value):
    for text in (id_format.number(value, 2), id_format.rupiah(value), id_format.ratio(value), id_format.count(value)):
        assert INDONESIAN.fullmatch(text), text
