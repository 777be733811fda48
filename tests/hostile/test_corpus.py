"""The hostile corpus through the real chain (ingest -> validate -> aggregate -> publish): every file gets the
outcome its case says (a reason, or bronze and a decision with its quarantine rules), every landing entry ends in
bronze or a reason, rows are conserved (also against the file's own lines), nothing is written outside the lake,
nothing leaks (/etc/passwd, a member's NIK, a live formula, a script), and a rerun changes nothing."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import unicodedata
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from include.kopdes_hub.storage import store
from tests.hostile import corpus
from tests.hostile.chain import submission_of
from tests.hostile.conftest import CorpusRun, snapshot

pytestmark = pytest.mark.e2e

CASES = [case for case, _ in corpus.entries()]
READABLE = [c for c in CASES if c.decision]
CSV_READINGS = [c for c in CASES if c.reading]


def _id(case: corpus.Case) -> str:
    return case.name.encode("ascii", "backslashreplace").decode()[:80]


def _errors_about(run: CorpusRun, *needles: str) -> list[str]:
    return [f"{k}: {v}" for k, v in run.report.errors.items() if any(n and n in k for n in needles)]


def _got(run: CorpusRun, case: corpus.Case) -> str:
    subs = submission_of(case.ledger_path, run.settings)
    if not subs:
        return "no ledger entry for this path"
    parts = []
    for s in subs:
        reason = (s.reason or "")[:160]
        parts.append(
            f"status={s.status} reason_code={s.reason_code} reason={reason!r} decision={s.decision} "
            f"rows_bronze={s.rows_bronze} silver={s.rows_silver} quarantine={s.rows_quarantine}"
        )
    return "; ".join(parts)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_case_outcome(corpus_run: CorpusRun, case: corpus.Case):
    run = corpus_run
    subs = submission_of(case.ledger_path, run.settings)
    errors = _errors_about(run, case.name, *(s.submission_id for s in subs))
    context = f"\n  case: {case.why}\n  want: {case.outcome}\n  got:  {_got(run, case)}\n  errors: {errors}"
    if case.ignored:
        assert subs == [], f"a file that is no submission reached the ledger{context}"
        return
    if case.duplicate_of:
        original = submission_of(case.duplicate_of, run.settings)
        assert len(subs) == 1 and [s.sha256 for s in subs] == [s.sha256 for s in original], context
        return
    assert len(subs) == 1, f"one ledger submission per landing entry{context}"
    sub = subs[0]
    if case.reason_code:
        assert sub.status == store.UNREADABLE, context
        assert sub.reason_code in (case.reason_code, *case.also_ok), context
        assert sub.reason and sub.bronze_path is None, context
        return
    assert (sub.decision, sub.rows_bronze) == (case.decision, case.bronze_rows), context
    assert sub.status in (sub.decision, store.SUPERSEDED), context
    bronze = pq.read_table(run.settings.lake / sub.bronze_path)
    assert bronze.num_rows == case.bronze_rows, context
    quarantined = run.rows("quarantine").get(sub.submission_id, [])
    rules = {rule for row in quarantined for rule in row["rule_ids"]}
    by_row = {row["row_number"]: row["rule_ids"] for row in quarantined}
    assert (len(quarantined), rules) == (case.rows_quarantined, set(case.rule_ids)), f"{context}\n  rows: {by_row}"
    silver = run.rows("silver").get(sub.submission_id, [])
    assert len(silver) == case.bronze_rows - case.rows_quarantined, context


def test_the_chain_raised_nothing_and_opened_no_pipe(corpus_run: CorpusRun):
    errors = "\n".join(f"  {k}: {v}" for k, v in corpus_run.report.errors.items())
    assert not corpus_run.report.errors, f"{len(corpus_run.report.errors)} stage failure(s):\n{errors}"
    assert corpus_run.fifo_opened == 0, "the pipeline opened the FIFO in landing (and blocked on it)"


def test_every_landing_entry_ends_in_bronze_or_a_reason(corpus_run: CorpusRun):
    landing = corpus_run.settings.landing
    entries = {p for p, (kind, *_) in snapshot(landing).items() if kind != "dir"}  # a link to a folder is "link"
    assert entries == {c.name for c in CASES}, "the landing folder holds exactly the corpus"
    submissions = {c.ledger_path for c in CASES if not c.ignored}
    wrong = {}
    for path in sorted(submissions):
        subs = submission_of(path, corpus_run.settings)
        in_bronze = [s for s in subs if s.bronze_path and (corpus_run.settings.lake / s.bronze_path).exists()]
        with_reason = [s for s in subs if s.status == store.UNREADABLE and s.reason_code and s.reason]
        if len(subs) != 1 or len(in_bronze) + len(with_reason) != 1:
            wrong[path] = [(s.status, s.reason_code, s.bronze_path) for s in subs]
    assert not wrong, f"{len(wrong)} entries not in exactly one of bronze or a ledger reason: {wrong}"
    with store.get_engine(corpus_run.settings.db_url).connect() as conn:
        recorded = {
            p
            for (p,) in conn.execute(
                store.SubmissionFile.__table__.select().with_only_columns(store.SubmissionFile.path)
            )
        }
    assert recorded == submissions, f"ledger paths that are no landing entry: {sorted(recorded - submissions)}"


def test_rows_are_conserved_per_submission(corpus_run: CorpusRun):
    lake = corpus_run.settings.lake
    silver, quarantine = corpus_run.rows("silver"), corpus_run.rows("quarantine")
    with store.get_engine(corpus_run.settings.db_url).connect() as conn:
        subs = conn.execute(store.Submission.__table__.select().where(store.Submission.bronze_path.is_not(None))).all()
    broken = {}
    for s in subs:
        bronze = pq.read_metadata(lake / s.bronze_path).num_rows
        files = (bronze, len(silver.get(s.submission_id, [])), len(quarantine.get(s.submission_id, [])))
        ledger = (s.rows_bronze, s.rows_silver, s.rows_quarantine)
        if s.decision and (files[0] != files[1] + files[2] or files != ledger):
            broken[s.file_name] = {"bronze, silver, quarantine files": files, "ledger": ledger}
    assert not broken, broken


@pytest.mark.parametrize("case", CSV_READINGS, ids=_id)
def test_csv_bronze_rows_equal_what_python_csv_reads(corpus_run: CorpusRun, case: corpus.Case):
    data = (corpus_run.settings.landing / case.name).read_bytes()
    expected = corpus.count_records(data, case.reading)
    assert expected == case.bronze_rows, "the case itself is wrong"
    subs = submission_of(case.ledger_path, corpus_run.settings)
    assert len(subs) == 1 and subs[0].bronze_path, f"did not reach bronze: {_got(corpus_run, case)}"
    assert pq.read_metadata(corpus_run.settings.lake / subs[0].bronze_path).num_rows == expected


def test_nothing_is_written_outside_the_lake(corpus_run: CorpusRun):
    run = corpus_run
    changed = sorted(
        p
        for p in {*run.before, *run.after}
        if run.before.get(p) != run.after.get(p) and p != "lake" and not p.startswith(("lake/", "kopdes.db"))
    )
    assert not changed, {p: (run.before.get(p), run.after.get(p)) for p in changed}
    assert run.parent_after == run.parent_before, "an entry appeared beside the run's temp folder"


LAYOUT = re.compile(
    r"bronze/.+/[0-9a-f]{16}\.parquet"
    r"|(?:silver|quarantine)/(?:lines|finance)/period=(?:[0-9]{4}-[0-9]{2}|unknown)/[0-9a-f]{16}\.parquet"
    r"|feedback/[A-Za-z0-9_-]+/period=(?:[0-9]{4}-[0-9]{2}|unknown)/[0-9a-f]{16}\.(?:html|csv)"
    r"|validation/(?:[0-9a-f]{16}/gx_result\.(?:json|html)|runs/[A-Za-z0-9_-]+\.json)"
    r"|gold/[a-z_]+/period=[0-9]{4}-[0-9]{2}/part-0\.parquet"
    r"|reports/[a-z0-9_-]+\.html"
)


def test_every_lake_file_has_its_place_in_the_layout(corpus_run: CorpusRun):
    """Paths built from what a file says (cooperative, period) stay in their folder: `..` climbs nowhere."""
    lake = corpus_run.settings.lake
    stray = [p.relative_to(lake).as_posix() for p in lake.rglob("*") if p.is_file()]
    stray = [p for p in stray if not LAYOUT.fullmatch(p)]
    assert not stray, stray


def _lake_texts(lake: Path, skip_bronze: bool) -> dict[str, str]:
    """Every lake file as text: Parquet as its rows, the rest decoded."""
    out = {}
    for path in sorted(p for p in lake.rglob("*") if p.is_file()):
        relative = path.relative_to(lake).as_posix()
        if skip_bronze and relative.startswith("bronze/"):
            continue
        if path.suffix == ".parquet":
            out[relative] = json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False)
        else:
            out[relative] = path.read_bytes().decode("utf-8", "replace")
    return out


def _ledger_texts(db_url: str) -> dict[str, str]:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: repr(conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}


def test_no_content_of_etc_passwd_leaks(corpus_run: CorpusRun):
    texts = {**_ledger_texts(corpus_run.settings.db_url), **_lake_texts(corpus_run.settings.lake, False)}
    leaks = [name for name, text in texts.items() if "root:" in text]
    assert not leaks, f"/etc/passwd content ('root:') in {leaks}"


def test_no_member_nik_travels_past_bronze(corpus_run: CorpusRun):
    texts = _lake_texts(corpus_run.settings.lake, skip_bronze=True)
    texts.update({f"db:{t}": v for t, v in _ledger_texts(corpus_run.settings.db_url).items()})
    leaks = {nik: [name for name, text in texts.items() if nik in text] for nik in corpus.NIKS}
    assert leaks == {nik: [] for nik in corpus.NIKS}, leaks


def _live_formula(cell: str) -> bool:
    """A cell a spreadsheet would run: starts with = + - @ | (full-width too), even after spaces, unless escaped."""
    if cell.startswith("'"):
        return False
    if cell[:1] in ("\t", "\r"):
        return True
    return unicodedata.normalize("NFKC", cell).lstrip()[:1] in ("=", "+", "-", "@", "|")


def test_feedback_csv_cells_are_never_live_formulas(corpus_run: CorpusRun):
    pages = sorted((corpus_run.settings.lake / "feedback").rglob("*.csv"))
    assert pages, "no feedback CSV written"
    live = []
    for page in pages:
        text = page.read_bytes().decode("utf-8-sig")
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=";"):
            live += [(page.name, cell) for cell in record if _live_formula(cell)]
    assert not live, live


def test_html_pages_show_markup_as_text(corpus_run: CorpusRun):
    pages = sorted(p for p in corpus_run.settings.lake.rglob("*.html"))
    assert pages
    raw = [p.relative_to(corpus_run.settings.lake).as_posix() for p in pages if "<script>alert" in p.read_text()]
    raw += [p.name for p in pages if "<img src=x" in p.read_text()]
    assert not raw, f"unescaped markup from a file in {raw}"


def _state(run: CorpusRun) -> tuple[dict, dict]:
    lake = {p: v for p, v in snapshot(run.settings.lake).items()}
    return lake, _ledger_texts(run.settings.db_url)


def test_a_rerun_changes_nothing(corpus_run: CorpusRun):
    lake, ledger = _state(corpus_run)
    report = corpus_run.rerun()
    lake_after, ledger_after = _state(corpus_run)
    changed = sorted(p for p in {*lake, *lake_after} if lake.get(p) != lake_after.get(p))
    assert not changed, f"lake files changed by a rerun: {changed[:20]}"
    tables = [t for t in ledger if ledger[t] != ledger_after.get(t)]
    assert not tables, f"tables changed by a rerun: {tables}; rerun errors: {report.errors}"
    assert report.ingested.get("bronze", 0) == 0 and report.validated == 0, report
