"""The pages rendered off the decision path: from what validation recorded, only for submissions decided since their
last render, the same bytes when rendered again, and a failed page never losing the others."""

from __future__ import annotations

import csv
import io
import json

import pytest

from include.kopdes_hub import contract, validate
from include.kopdes_hub.reference import load_catalogue
from include.kopdes_hub.validate import render
from tests.unit.validate.test_validate_rules import LINE, REGISTRY, _land, _ledger_row

BAD = {**LINE, "date": "06/07/2026", "unit": "karung"}  # UNIT_NOT_ALLOWED: the row is quarantined


def _pages(settings, submission_id: str) -> dict[str, bytes]:
    sub = _ledger_row(settings, submission_id)
    page, gx_page = settings.lake / sub.feedback_path, settings.lake / sub.gx_result_path
    paths = (page, page.with_suffix(".csv"), gx_page, gx_page.with_suffix(".json"))
    return {p.name: p.read_bytes() for p in paths}


def test_validation_renders_nothing_and_the_render_writes_each_decided_submission_once(settings):
    first = _land(settings, "first", [dict(LINE), BAD])
    validate.validate_submissions(settings, [first])
    assert _ledger_row(settings, first).feedback_path is None  # the decision path wrote no page
    assert not (settings.lake / "feedback").exists()
    assert render.pending(settings) == [first]

    assert render.render_submissions(settings, [first]) == {"rendered": 1, "failed": 0}
    assert render.pending(settings) == []
    pages = _pages(settings, first)
    rows = list(csv.reader(io.StringIO(pages[f"{first}.csv"].decode("utf-8-sig")), delimiter=";"))
    assert [(r[1], r[4]) for r in rows[1:]] == [("3", "UNIT_NOT_ALLOWED")]  # file row 3: header is row 1
    gx_result = json.loads(pages["gx_result.json"])
    failed = [r for r in gx_result["results"] if not r["success"]]
    assert [(r["meta"]["rule_id"], r["result"]["unexpected_rows"], r["severity"]) for r in failed] == [
        ("UNIT_NOT_ALLOWED", [3], "critical")
    ]
    assert gx_result["max_severity_failure"] == "critical" and not gx_result["success"]

    # idempotent: nothing pending, nothing rewritten; an explicit rerun of a rendered submission is a no-op
    assert render.render_submissions(settings, [first]) == {"rendered": 0, "failed": 0}
    assert _pages(settings, first) == pages

    # incremental: a new decision is rendered alone
    second = _land(settings, "second", [dict(LINE)])
    validate.validate_submissions(settings, [second])
    assert render.pending(settings) == [second]
    assert render.plan(settings, 1) == [[second]]
    assert render.render_submissions(settings, render.pending(settings))["rendered"] == 1
    assert _pages(settings, first) == pages


def test_a_revalidated_submission_is_rendered_again_from_its_new_decision(settings):
    sid = _land(settings, "again", [dict(LINE), BAD])
    validate.validate_submissions(settings, [sid])
    render.render_submissions(settings, [sid])
    validate.reset_validation(settings, [sid])
    assert render.pending(settings) == []  # not decided: nothing to render yet
    validate.validate_submissions(settings, [sid])
    assert render.pending(settings) == [sid]
    render.render_submissions(settings, [sid])
    assert render.pending(settings) == [] and _pages(settings, sid)


def test_a_failed_page_fails_the_task_but_records_the_others_and_stays_pending(settings, monkeypatch):
    ok, broken = _land(settings, "ok", [dict(LINE)]), _land(settings, "broken", [dict(LINE)])
    validate.validate_submissions(settings, [ok, broken])
    real = render.feedback.clerk_html

    def clerk_html(report):
        if report.submission_id == broken:
            raise OSError("disk full")
        return real(report)

    monkeypatch.setattr(render.feedback, "clerk_html", clerk_html)
    with pytest.raises(RuntimeError, match="1 submission"):
        render.render_submissions(settings, [ok, broken])
    assert render.pending(settings) == [broken]  # the retry redoes only the failed one
    monkeypatch.setattr(render.feedback, "clerk_html", real)
    assert render.render_submissions(settings, render.pending(settings))["rendered"] == 1


@pytest.mark.parametrize("kind", contract.KINDS)
def test_each_reason_names_exactly_one_expectation(kind):
    # the GX page finds a rule's rows by (rule_id, column) of the recorded reasons: that pair names one rule
    rules = render.contract_rules(kind, REGISTRY, load_catalogue())
    keys = [(r.rule_id, r.column) for r in rules]
    assert len(keys) == len(set(keys))
