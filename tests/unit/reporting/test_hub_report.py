"""The hub report on one hand-made month: the terminal summary's figures, Indonesian numbers, the sources of its
[Sn] tags, when it was made and what data it rests on, financing that tells the truth, and charts whose legends
cover nothing."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from include.kopdes_hub import publish
from include.kopdes_hub.reporting import charts, hub_report, id_format, summary
from include.kopdes_hub.storage import gold, schemas, store
from include.kopdes_hub.summaries import balance, compliance, financing, leading, processing

PERIOD = "2026-07"
PUBLISHED = datetime(2026, 8, 21, 3, 30, tzinfo=UTC)  # 10.30 WIB
REPORTING = Path(hub_report.__file__).resolve().parent
RICH = {"revenue_idr": 200e6, "operating_cost_idr": 100e6}  # 80 jt a month after imbal jasa repays the plafon


def _ledger_row(sid: str, cooperative: str, kind: str, received: datetime, status: str, period: str = PERIOD) -> dict:
    return {
        "submission_id": sid,
        "sha256": sid * 4,
        "file_name": f"{sid}.csv",
        "size_bytes": 1,
        "received_at": received,
        "updated_at": received,
        "kind": kind,
        "period": period,
        "cooperative_id": cooperative,
        "status": status,
        "decision": "rejected" if status == "rejected" else "accepted",
        "rows_bronze": 10,
        "rows_quarantine": 10 if status == "rejected" else 0,
        "rows_warning": 0,
    }


def _volumes(district: str, village: str, rows: list[tuple[str, str, float, float]]) -> list[dict]:
    return [
        {
            "period": PERIOD,
            "hub_id": "HUB-1902",
            "district_code": district,
            "village_code": village,
            "cooperative_id": "KDMP-" + village.replace(".", ""),
            "commodity": commodity,
            "flow": flow,
            "quantity_base": quantity,
            "base_unit": "kg",
            "value_idr": value,
        }
        for commodity, flow, quantity, value in rows
    ]


@pytest.fixture
def month(settings):
    """One published month: 49 cooperatives, a few files, three applicants, a tiny rubber sale."""
    registry = publish._registry_frame(settings.db_url)
    coops = registry.set_index("cooperative_id")
    # every document, and every soft rule met too: an applicant that can be ELIGIBLE
    flags = [f for f, _ in financing.DOCUMENTS.values()] + ["has_approval_letter", "simkopdes_active"]
    sound = [
        c
        for c in coops.index
        if all(financing._flag(coops.loc[c, f]) for f in [*flags, "land_point_verified"])
        and int(coops.loc[c, "members"]) >= financing.MEMBERS_SOUND
        and coops.loc[c, "cooperative_type"] == "KDMP"
    ]
    eligible, too_much, small = sound[0], sound[1], sound[2]
    rows = [
        _ledger_row("a" * 16, eligible, "lines", datetime(2026, 8, 5, 2, tzinfo=UTC), "accepted"),
        _ledger_row("b" * 16, eligible, "finance", datetime(2026, 8, 6, 2, tzinfo=UTC), "accepted"),
        _ledger_row("c" * 16, too_much, "lines", datetime(2026, 8, 14, 9, 15, tzinfo=UTC), "accepted"),  # late
        _ledger_row("e" * 16, small, "finance", datetime(2026, 8, 20, tzinfo=UTC), "rejected"),  # late, no figures
        # a later month's file landed later still: the July figures do not rest on it
        _ledger_row("f" * 16, eligible, "lines", datetime(2026, 10, 3, tzinfo=UTC), "accepted", period="2026-09"),
    ]
    with store.get_engine(settings.db_url).begin() as conn:
        store.upsert(conn, store.Submission.__table__, rows, ("submission_id",))
    ledger = publish._ledger_frame(settings.db_url)
    window = ["2026-05", "2026-06", PERIOD]
    rows_compliance = compliance.reporting_compliance(ledger, registry, window)
    finance = {
        eligible: pd.DataFrame({"period": window, **RICH, "loan_requested_idr": 500e6}),
        too_much: pd.DataFrame({"period": window, **RICH, "loan_requested_idr": 3.5e9}),
        small: pd.DataFrame({"period": window, **RICH, "loan_requested_idr": 0.0}),
    }
    empty = pd.DataFrame(columns=["period", "revenue_idr", "operating_cost_idr", "loan_requested_idr"])
    eligibility = []
    for coop in registry.to_dict("records"):
        theirs = rows_compliance[rows_compliance["cooperative_id"] == coop["cooperative_id"]]
        result = financing.financing_eligibility(coop, finance.get(coop["cooperative_id"], empty), theirs)
        result.update(period=PERIOD, hub_id=coop["hub_id"], district_code=coop["district_code"])
        result.update(village_code=coop["village_code"], rules_json=json.dumps(result.pop("rules")))
        eligibility.append(result)
    volumes = pd.DataFrame(
        _volumes(
            "19.02.03",
            "19.02.03.2001",
            [("ikan_tongkol", "supply", 13_815.0, 212e6), ("karet", "supply", 391.0, 4.9e6)],
        )
        + _volumes(
            "19.02.01",
            "19.02.01.2004",
            [("ikan_tongkol", "supply", 33_417.0, 530e6), ("beras", "demand", 26_772.5, 348e6)],
        )
        + _volumes("19.02.02", "19.02.02.2001", [("lada_putih", "supply", 3_448.0, 547.7e6)])
    )
    hub = balance.settle(balance.hub_balance(volumes), [])
    leading_rows = leading.leading_commodities(volumes, PERIOD)
    frames = {
        "hub_balance": hub,
        "hub_transfers": pd.DataFrame(),
        "financing_eligibility": pd.DataFrame(eligibility),
        "leading_commodities": leading_rows,
        "reporting_compliance": rows_compliance[rows_compliance["period"] == PERIOD],
        "processing_projection": processing.processing_projection(volumes, leading_rows, PERIOD),
    }
    for dataset in schemas.SUMMARIES:
        frame = frames[dataset.name].assign(publication_version=1, published_at=PUBLISHED, month_status="draft")
        table = pa.Table.from_pandas(
            frame.reindex(columns=[c.name for c in dataset.columns]), schema=dataset.schema, preserve_index=False
        )
        gold.write_partition(settings.lake, dataset, PERIOD, table)
    html = hub_report.render(settings, PERIOD).read_text(encoding="utf-8")
    return {"html": html, "terminal": summary.format_summaries(settings), "eligible": eligible, "too_much": too_much}


def _text(html: str) -> str:
    """What a reader reads: the page without its charts, tags and attribute values."""
    body = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    body = re.sub(r"<style>.*?</style>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def _by_id(html: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">([^<]*)<', html).group(1)


def _rupiah(text: str) -> float:
    return float(text.removeprefix("Rp ").replace(".", "").replace(",", "."))


def test_the_terminal_and_the_report_show_the_same_compliance(month):
    terminal = re.search(r"compliance\s+(.*)", month["terminal"]).group(1)
    for kind in ("lines", "finance"):
        said = dict(re.findall(r"(on_time|late|missing) (\d+)", terminal.split(f"{kind} ", 1)[1].split(";")[0]))
        shown = {state: _by_id(month["html"], f"compliance-{kind}-{state}") for state in compliance.COMPLIANCE_STATES}
        assert said == shown, kind
        assert sum(int(n) for n in shown.values()) == 49  # every registered cooperative, once per kind
    assert "lines on_time 1, late 1, missing 47; finance on_time 1, late 1, missing 47" in terminal


def test_the_terminal_and_the_report_show_the_same_financing(month):
    line = re.search(r"financing\s+(.*)", month["terminal"]).group(1)
    numbers = re.fullmatch(
        r"applied (\d+) \(ELIGIBLE (\d+), CONDITIONAL (\d+), NOT_ELIGIBLE (\d+)\), requested Rp ([\d.]+) bn; "
        r"the (\d+) ELIGIBLE or CONDITIONAL requested Rp ([\d.]+) bn, estimated maximum loans Rp ([\d.]+) bn; "
        r"NOT_APPLIED (\d+), of which (\d+) failing no hard rule could borrow Rp ([\d.]+) bn",
        line,
    ).groups()
    applied, ok, conditional, not_ok, requested, approvable, approvable_requested, approvable_max = numbers[:8]
    not_applied, able, able_max = numbers[8:]
    html = month["html"]
    assert (applied, ok, conditional, not_ok, not_applied) == (
        _by_id(html, "fin-applicants"),
        _by_id(html, "fin-ELIGIBLE"),
        _by_id(html, "fin-CONDITIONAL"),
        _by_id(html, "fin-NOT_ELIGIBLE"),
        _by_id(html, "fin-NOT_APPLIED"),
    )
    assert (approvable, able) == (_by_id(html, "fin-approvable"), _by_id(html, "fin-able"))
    for billions, element in (
        (requested, "fin-requested"),
        (approvable_requested, "fin-approvable-requested"),
        (approvable_max, "fin-approvable-max"),
        (able_max, "fin-able-max"),
    ):
        assert float(billions) * 1e9 == pytest.approx(_rupiah(_by_id(html, element)), abs=5e6)
    assert (applied, ok, not_ok, requested) == ("2", "1", "1", "4.00")  # Rp 500 jt + Rp 3.5 bn


def test_a_cooperative_that_asked_for_nothing_is_not_layak_for_rp_0(month):
    html = month["html"]
    applicants = html[html.index('id="applicants"') : html.index('id="not-applied"')]
    assert month["eligible"] in applicants and month["too_much"] in applicants
    assert "Rp 500.000.000" in applicants and "Rp 3.500.000.000" in applicants
    not_applied = html[html.index('id="not-applied"') :].split("</table>")[0]
    assert not_applied.count(">belum mengajukan<") == 47 and "LAYAK" not in not_applied
    assert "C1:" in applicants and "pengajuan melebihi plafon Rp 3.000.000.000" in applicants


def test_numbers_are_written_the_indonesian_way(month):
    text = _text(month["html"])
    assert not re.search(r"\d,\d{3}\b", text), "an English thousands separator in the Bahasa text"
    # (an hour is written 10.30 in Bahasa: a time in WIB is no decimal)
    assert not re.search(r"(?<![\d.])\d+\.\d{1,2}(?![\d.]| WIB)", text), "an English decimal point in the Bahasa text"
    cells = re.findall(r'<td class="n"[^>]*>([^<]*)</td>', month["html"])
    assert len(cells) > 50
    number = r"(Rp )?-?\d{1,3}(\.\d{3})*(,\d+)?%?( [a-z]+)?"
    assert [c for c in cells if c.strip() != "-" and not re.fullmatch(number, c.strip())] == []
    leading_rows = month["html"][month["html"].index('id="leading"') :].split("</table>")[0]
    assert re.search(r'<td class="n">\d+,\d{2}</td>', leading_rows)  # an LQ: 4,70, not 4.70


def test_the_page_says_when_it_was_made_and_what_data_it_rests_on(month):
    generated = re.sub(r"\s+", " ", _text(month["html"][month["html"].index('id="generated"') :].split("</p>")[0]))
    assert "Dibuat: 21 Agustus 2026 10.30 WIB (versi publikasi 1, draf)" in generated
    # the latest counted landing: the late lines file (14 Aug 09:15 UTC), not the rejected one nor September's
    assert _by_id(month["html"], "data-as-of") == "14 Agustus 2026 16.15 WIB"
    assert f'href="../submissions/?period={PERIOD}"' in month["html"]


def test_every_tag_on_the_page_is_explained_at_its_end(month):
    html = month["html"]
    body, sources = html.split('id="sumber"')
    shown = hub_report.tags_in(_text(body))
    assert {"S34", "S35", "S36", "S39", "S43"} <= set(shown)
    listed = re.findall(r'<li id="([SP]\d+)"><strong>\[\1\]</strong> ([^<]+) &mdash; <small>([^<]+)</small>', sources)
    assert [tag for tag, _about, _cite in listed] == shown
    assert all(about.strip() and cite.strip() for _tag, about, cite in listed)


def test_every_tag_the_report_can_show_is_in_the_package():
    """The rules' sources and reasons, the report's own text and charts: every tag has its entry in sources.yaml."""
    texts = [Path(financing.__file__).read_text(), *(p.read_text() for p in REPORTING.glob("templates/hub_*.j2"))]
    texts += [Path(hub_report.__file__).read_text(), Path(charts.__file__).read_text()]
    texts += [rule.source for rule in financing.RULES]
    texts += [Path(processing.__file__).resolve().parents[1].joinpath("reference", "processing.yaml").read_text()]
    can_show = set(hub_report.tags_in("\n".join(texts)))
    assert can_show >= {"S3", "S15", "S22", "S34", "S35", "S36", "S39", "S43"}
    assert can_show <= set(hub_report.sources()), sorted(can_show - set(hub_report.sources()))
    assert all(entry["cite"] and entry["about"] for entry in hub_report.sources().values())


def test_missing_cooperatives_are_named_and_immaterial_lq_is_not_shown(month):
    missing = month["html"][month["html"].index('id="missing"') :].split("</ul>")[0]
    assert "Koperasi Kelurahan Merah Putih Kota (KKMP-1902011001)" in missing
    assert "Laporan pasokan &amp; kebutuhan (47)" in missing and "Laporan keuangan (47)" in missing
    # 391 kg of rubber, 2 % of Selat Nasik: LQ about 50, in gold, never on the page
    assert "Karet" not in month["html"][month["html"].index('id="leading"') :].split("</table>")[0]
    lq = leading.leading_commodities(
        pd.DataFrame(
            _volumes(
                "19.02.03",
                "19.02.03.2001",
                [("ikan_tongkol", "supply", 13_815.0, 212e6), ("karet", "supply", 391.0, 4.9e6)],
            )
            + _volumes("19.02.01", "19.02.01.2004", [("ikan_tongkol", "supply", 33_417.0, 530e6)])
        ),
        PERIOD,
    ).set_index("commodity")
    assert id_format.ratio(lq.loc["karet", "location_quotient"]) not in month["html"]


def _overlaps(figure) -> list[str]:
    """Legends whose box meets a plotting area of the figure (drawn first, in display coordinates)."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    legends = [a.get_legend() for a in figure.axes if a.get_legend()] + list(figure.legends)
    areas = [a.get_window_extent(renderer) for a in figure.axes]  # the colorbar's too
    return [
        legend.get_texts()[0].get_text()
        for legend in legends
        for area in areas
        if legend.get_window_extent(renderer).overlaps(area)
    ]


def test_legends_cover_nothing_and_empty_cells_have_their_own_look():
    import matplotlib.pyplot as plt

    hub = pd.DataFrame(
        {"commodity": ["beras", "cumi"], "base_unit": "kg", "supply_base": [0.0, 10.0], "demand_base": [5.0, 0.0]}
    )
    volumes = pd.DataFrame(
        _volumes("19.02.03", "19.02.03.2001", [("ikan_tongkol", "supply", 100.0, 200e6), ("karet", "supply", 1.0, 1e6)])
        + _volumes("19.02.01", "19.02.01.2004", [("cumi", "supply", 50.0, 300e6)])
    )
    rows = leading.leading_commodities(volumes, PERIOD)
    counts = {
        kind: pd.DataFrame({"on_time": [3, 1], "late": [1, 0], "missing": [0, 2]}, index=["Badau", "Sijuk"])
        for kind in ("lines", "finance")
    }
    figures = [
        charts.balance_figure(hub, {}),
        charts.leading_figure(rows, {}, {}),
        charts.compliance_figure(counts),
    ]
    try:
        assert [_overlaps(f) for f in figures] == [[], [], []]
    finally:
        for f in figures:
            plt.close(f)
    svg = charts.leading_chart(rows, {}, {})
    assert "<script" not in svg and "tidak ada pasokan" in svg and "LQ tidak ditampilkan" in svg
    assert svg.count("<pattern") >= 1  # the hatch of the cells without supply


def test_the_report_shows_the_processing_opportunities(month):
    """Section 6: every path of a supplied commodity, its range and its sources; a number not sourced says so."""
    html = month["html"]
    table = html[html.index('id="processing"') : html.index("</table>", html.index('id="processing"'))]
    assert "Lada Putih &rarr; Minyak Lada Putih" in table  # the month's pepper: its oil path, not sourced yet
    assert "rendemen, harga produk, kapasitas unit" in table and "[P3]" in table
    # pepper oil has no yield yet: nothing to chart (the chain test sees the chart for palm oil)
    assert 'id="chart-processing"' not in html
