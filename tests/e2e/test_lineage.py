"""OpenLineage through the whole chain with dag.test(): each stage's COMPLETE events name the datasets it really read
and wrote (landing file -> bronze -> silver and quarantine -> gold partition -> summary partitions -> hub report),
with schema and data-quality facets; and `cli trace` answers for a hand-computed gold row with exactly its files
and rows."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime

import pytest

from include.kopdes_hub import cli
from include.kopdes_hub.lineage import trace
from include.kopdes_hub.storage import schemas
from tests.conftest import completed_events
from tests.e2e.test_aggregate_dag import BADAU, PERPAT, _file, _landing

pytestmark = pytest.mark.e2e

REVISED = f"{PERPAT}_2026-07_revisi.csv"
COPY = "salinan/revisi_perpat_juli.csv"  # the same bytes under a second name: a duplicate, one submission
BADAU_AUGUST = f"{BADAU}_2026-08.csv"


def _chain_landing(settings) -> None:
    _landing(settings)
    (settings.landing / "salinan").mkdir()
    shutil.copyfile(settings.landing / REVISED, settings.landing / COPY)
    later = datetime(2026, 8, 8, tzinfo=UTC).timestamp()
    os.utime(settings.landing / COPY, (later, later))
    lines = [
        f"{BADAU};2026-08;pasokan;04/08/2026;TBS Sawit;1;ton;3.100.000;;",
        f"{BADAU};2026-08;pasokan;05/08/2026;Emas Batangan;1;kg;1.000.000;;",  # not in the catalogue: quarantined
    ]
    _file(settings, BADAU_AUGUST, lines, datetime(2026, 9, 4, tzinfo=UTC))


def _names(events: list[dict], side: str) -> set[str]:
    return {d["name"] for e in events for d in e.get(side, [])}


def _under(settings, names: set[str], folder: str) -> set[str]:
    root = str(settings.lake / folder) if folder != "landing" else str(settings.landing)
    return {os.path.relpath(n, root) for n in names if n.startswith(root + os.sep)}


def test_events_and_trace_after_a_chain_run(settings, airflow_db, capsys):
    from airflow.utils.state import DagRunState

    from dags.kopdes_aggregate import kopdes_aggregate
    from dags.kopdes_ingest import kopdes_ingest
    from dags.kopdes_publish import kopdes_publish
    from dags.kopdes_validate import kopdes_validate

    _chain_landing(settings)
    for dag in (kopdes_ingest(), kopdes_validate(), kopdes_aggregate(), kopdes_publish()):
        assert dag.test().state == DagRunState.SUCCESS
    jobs = completed_events(settings.lake.parent)

    # ingest: every landing file in, one bronze file per distinct content out (the copy adds no bronze)
    ingest = jobs["kopdes_ingest.ingest_batch"]
    landed = _under(settings, _names(ingest, "inputs"), "landing")
    assert landed == {f"{PERPAT}_2026-07.csv", REVISED, COPY, f"{BADAU}_2026-07.csv", f"{PERPAT}_2026-08.csv",
                      BADAU_AUGUST}  # fmt: skip
    bronze = _under(settings, _names(ingest, "outputs"), "bronze")
    assert len(bronze) == 5 and all(b.endswith(".parquet") for b in bronze)
    copy = next(d for e in ingest for d in e["inputs"] if d["name"].endswith(COPY))
    revised = next(d for e in ingest for d in e["inputs"] if d["name"].endswith(REVISED))
    assert (
        copy["facets"]["kopdes_submission"]["submission_id"] == revised["facets"]["kopdes_submission"]["submission_id"]
    )
    assert all(d["namespace"] == "file" for e in ingest for d in e["inputs"])

    # validate: bronze in with one GX assertion per rule, silver and quarantine out with what was decided
    validated = jobs["kopdes_validate.validate_batch"]
    assert _under(settings, _names(validated, "inputs"), "bronze") == bronze
    outputs = [d for e in validated for d in e["outputs"] if d["namespace"] == "file"]
    quarantine = [d for d in outputs if "/quarantine/" in d["name"]]
    assert len(quarantine) == 1, "only Badau's August file has a quarantined row"
    decided = quarantine[0]["facets"]["kopdes_validation"]
    assert (decided["rows_bronze"], decided["rows_accepted"], decided["rows_quarantined"]) == (2, 1, 1)
    assert decided["gx_success"] is False and decided["decision"] == "partly_accepted"
    assert quarantine[0]["outputFacets"]["outputStatistics"]["rowCount"] == 1
    silver = [d for d in outputs if "/silver/lines/" in d["name"]]
    assert len(silver) == 5
    assert [f["name"] for f in silver[0]["facets"]["schema"]["fields"]] == [
        c.name for c in schemas.SILVER_LINES.columns
    ]
    badau = next(d for e in validated for d in e["inputs"] if d["name"].endswith(f"{decided['submission_id']}.parquet"))
    broken = [a for a in badau["inputFacets"]["dataQualityAssertions"]["assertions"] if not a["success"]]
    assert [(a["name"], a["column"], a["actual"]) for a in broken] == [("COMMODITY_UNKNOWN", "commodity", "1")]
    warned = next(d for d in silver if d["facets"]["kopdes_validation"]["rows_with_warnings"])
    assert warned["facets"]["kopdes_validation"]["gx_success"] is True

    # rendering, off the decision path: the decided files in, the clerk's and the engineer's pages out
    rendered = jobs["kopdes_validate.render_feedback"]
    assert quarantine[0]["name"] in _names(rendered, "inputs")
    pages = _under(settings, _names(rendered, "outputs"), "feedback")
    assert len([p for p in pages if p.endswith(".html")]) == 5 and len([p for p in pages if p.endswith(".csv")]) == 5
    assert len(_under(settings, _names(rendered, "outputs"), "validation")) == 10, "a GX page and its JSON each"

    # aggregate: the live silver of a month in (the superseded July file is not), its gold partition out
    rebuilt = {e["outputs"][0]["name"]: e for e in jobs["kopdes_aggregate.rebuild_period"]}
    july = rebuilt[str(settings.lake / "gold" / "commodity_volumes" / "period=2026-07")]
    july_silver = _under(settings, _names([july], "inputs"), "silver")
    assert len(july_silver) == 2 and all(s.startswith("lines/period=2026-07/") for s in july_silver)
    gold = july["outputs"][0]
    assert gold["outputFacets"]["outputStatistics"]["rowCount"] == 4
    assert [f["name"] for f in gold["facets"]["schema"]["fields"]] == [
        c.name for c in schemas.COMMODITY_VOLUMES.columns
    ]
    assert any(d["name"] == "gold_commodity_volumes" for d in july["outputs"])

    # publish: the gold window in, every summary partition and the hub report out
    published = {e["outputs"][-1]["name"]: e for e in jobs["kopdes_publish.publish_month"]}
    month = published[str(settings.lake / "reports" / "laporan_hub_2026-07.html")]
    assert str(settings.lake / "gold" / "commodity_volumes" / "period=2026-07") in _names([month], "inputs")
    summaries = _under(settings, _names([month], "outputs"), "gold")
    assert summaries == {f"{d.name}/period=2026-07" for d in schemas.SUMMARIES}

    # the trace of a hand-computed gold row: Perpat's July pepper, 200 kg + 250 kg from the revised file's lines
    result = trace.trace(settings, "commodity_volumes", "2026-07", trace.Place(PERPAT.lower(), "lada_putih"))
    assert [(r["quantity_base"], r["lines"]) for r in result.published] == [(450.0, 2)]
    assert len(result.sources) == 1
    source = result.sources[0]
    assert source.files == [REVISED, COPY], "every name the content landed under, earliest first"
    assert source.rows == [2, 3], "the file's CSV lines (line 1 is the header)"
    assert (source.status, source.kind) == ("accepted", "lines")
    assert result.totals == [
        {"flow": "supply", "commodity": "lada_putih", "base_unit": "kg", "quantity_base": 450.0, "lines": 2}
    ]

    # the manager's question by name: July's rice deficit in Perpat's district, in the terminal and as JSON
    assert (
        cli.main(["trace", "hub_balance", "--period", "2026-07", "--commodity", "beras", "--district", "Membalong"])
        == 0
    )
    out = capsys.readouterr().out
    assert "net_base=-1,000" in out and REVISED in out and "rows: 5  (1)" in out
    assert cli.main(["trace", "reporting_compliance", "--period", "2026-08", "--cooperative", BADAU, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    lines_row = [r for r in answer["published"] if r["kind"] == "lines"]
    assert lines_row and [s["rows"] for s in answer["sources"]] == [[2, 3]], "its silver and quarantine rows"
    assert cli.main(["trace", "commodity_volumes", "--period", "2026-07", "--commodity", "emas"]) == 1
    assert "no published row of commodity_volumes 2026-07 matches commodity=emas" in capsys.readouterr().err
