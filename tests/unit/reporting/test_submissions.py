"""The submissions view on a small ledger built by the real ingest and validation: every name a file landed under,
WIB times, decisions and reasons, the filters, who is missing (compliance's definition), and pages served by
submission id only."""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select, update

from include.kopdes_hub import contract
from include.kopdes_hub.reporting import submission_pages, submissions
from include.kopdes_hub.reporting.submissions import Filters
from include.kopdes_hub.storage import store
from include.kopdes_hub.summaries.compliance import reporting_compliance
from tests.unit.validate.test_validate_rules import FINANCE, LINE
from tests.unit.validate.test_warnings import _validate_all, _write

MEMBALONG = "KDMP-1902022001"  # registered; what the view and compliance call one cooperative
PERPAT = "KDMP-1902022002"
STRANGER = "KDMP-1902069999"  # not registered with the hub
FIRST = "KDMP-1902022001_2026-07.csv"
AGAIN = "kirim-ulang/KDMP-1902022001_2026-07 (1).csv"  # the same bytes again under another name
REVISED = "KDMP-1902022001_2026-07_revisi.csv"
FINANCE_FILE = "keuangan_KDMP-1902022001_2026-07.csv"
ESCAPED = "<img src=x onerror=alert(1)>KDMP-1902022002_2026-06.csv"  # a name the page must show as text


def _at(day: int, month: int = 8, hour: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def build_ledger(settings) -> dict[str, str]:
    """Landing and ledger of one July and a June, ingested and validated for real; file name -> submission id."""
    line = {**LINE, "cooperative_id": MEMBALONG}
    _write(settings, FIRST, [line, {**line, "date": "06/07/2026"}], _at(3))
    (settings.landing / "kirim-ulang").mkdir()
    shutil.copyfile(settings.landing / FIRST, settings.landing / AGAIN)
    os.utime(settings.landing / AGAIN, (_at(4).timestamp(), _at(4).timestamp()))
    revised = [line, {**line, "date": "07/07/2026", "grade": "super"}, {**line, "date": "08/07/2026", "quantity": "-5"}]
    _write(settings, REVISED, revised, _at(6))  # one line quarantined, one with a warning: partly accepted
    _write(settings, FINANCE_FILE, [{**FINANCE, "cooperative_id": MEMBALONG}], _at(12))  # after the 10th: late
    stranger = {**LINE, "cooperative_id": STRANGER}
    _write(settings, f"Laporan_{STRANGER}_2026-07.csv", [stranger], _at(5))
    (settings.landing / "kosong.csv").write_bytes(b"")
    os.utime(settings.landing / "kosong.csv", (_at(5).timestamp(), _at(5).timestamp()))
    june = {**LINE, "cooperative_id": PERPAT, "period": "2026-06", "date": "05/06/2026"}
    _write(settings, ESCAPED, [june], _at(2, month=7))
    _validate_all(settings)
    with store.get_engine(settings.db_url).connect() as conn:
        return dict(conn.execute(select(store.Submission.file_name, store.Submission.submission_id)).all())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The ledger built once for the module (validation is what takes the time), as the settings fixture lays a
    test's folders out; each test gets its own copy."""
    from include.kopdes_hub.config import get_settings

    root = tmp_path_factory.mktemp("built")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KOPDES_LANDING", str(root / "landing"))
        mp.setenv("KOPDES_LAKE", str(root / "lake"))
        mp.setenv("KOPDES_DB_URL", f"sqlite:///{root / 'kopdes.db'}")
        ours = get_settings()
        ours.landing.mkdir()
        store.prepare(ours.db_url)
        ids = build_ledger(ours)
    store.get_engine(ours.db_url).dispose()
    return root, ids


@pytest.fixture
def ledger(settings, built) -> dict[str, str]:
    """The built landing, lake and store copied into this test's (the ledger's paths are relative to them)."""
    root, ids = built
    shutil.copytree(root / "landing", settings.landing, dirs_exist_ok=True)
    shutil.copytree(root / "lake", settings.lake)
    with closing(sqlite3.connect(root / "kopdes.db")) as source, closing(sqlite3.connect(_db_file(settings))) as copy:
        source.backup(copy)
    return ids


def _db_file(settings) -> Path:
    return Path(settings.db_url.removeprefix("sqlite:///"))


def _rows(settings, **filters: str) -> list[submissions.SubmissionRow]:
    coops = submissions.registry(settings.db_url)
    names = dict(zip(coops["cooperative_id"], coops["cooperative_name"], strict=True))
    return submissions.choose(submissions.load_ledger(settings.db_url, names), Filters.parse(filters))


def test_each_file_as_received_with_every_name_its_times_in_wib_decision_and_counts(settings, ledger):
    by_name = {r.names[0].path: r for r in _rows(settings)}
    first = by_name[FIRST]
    assert [n.path for n in first.names] == [FIRST, AGAIN], "every name it landed under, earliest first"
    assert [n.landed_at.isoformat() for n in first.names] == ["2026-08-03T10:00:00+07:00", "2026-08-04T10:00:00+07:00"]
    assert first.received_wib.isoformat() == "2026-08-03T10:00:00+07:00"
    assert first.cooperative_name == "Koperasi Desa Merah Putih Membalong"
    revised = by_name[REVISED]
    assert (first.status, first.decision, first.superseded_by) == ("superseded", "accepted", revised.submission_id)
    assert (revised.status, revised.rows_bronze, revised.rows_silver) == ("partly_accepted", 3, 2)
    assert (revised.rows_quarantine, revised.rows_warning) == (1, 1)
    assert revised.has_feedback and revised.has_gx and revised.on_time
    assert by_name[FINANCE_FILE].on_time is False  # landed 12 August, due by the 10th
    stranger = by_name[f"Laporan_{STRANGER}_2026-07.csv"]
    assert stranger.status == "rejected" and stranger.cooperative_name is None
    assert STRANGER in stranger.decision_reason
    empty = by_name["kosong.csv"]
    assert (empty.status, empty.reason_code, empty.period, empty.kind) == ("unreadable", "empty_file", "unknown", None)
    assert empty.reason and not empty.has_feedback


def test_filters_by_month_cooperative_kind_and_status(settings, ledger):
    def names(**filters: str) -> list[str]:
        return [r.names[0].path for r in _rows(settings, **filters)]

    assert len(names()) == 6, "one row per content: the duplicate name is not a second submission"
    july = names(period="2026-07")
    assert set(july) == {FIRST, REVISED, FINANCE_FILE, f"Laporan_{STRANGER}_2026-07.csv"}
    assert names(period="2026-06") == [ESCAPED]
    assert names(period="unknown") == ["kosong.csv"], "a file of no readable month has a bucket of its own"
    assert set(names(cooperative_id=MEMBALONG.lower())) == {FIRST, REVISED, FINANCE_FILE}
    assert names(period="2026-07", kind=contract.FINANCE) == [FINANCE_FILE]
    assert names(status="superseded") == [FIRST]
    assert names(period="2026-07", cooperative_id=MEMBALONG, kind="lines", status="partly_accepted") == [REVISED]
    assert names()[-1] == "kosong.csv" and names()[0] in july, "newest month first, no month last"


@pytest.mark.parametrize(
    "params",
    [{"period": "Juli"}, {"period": "2026-13"}, {"cooperative_id": "../etc"}, {"kind": "x"}, {"status": "ok"}],
)
def test_a_filter_that_is_not_one_is_refused(params):
    with pytest.raises(ValueError, match="/"):  # said in Bahasa Indonesia and English
        Filters.parse(params)


def test_filters_parse_and_link_back():
    f = Filters.parse({"period": " 2026-07 ", "cooperative_id": "kdmp-1902022001", "kind": "", "other": "x"})
    assert f == Filters("2026-07", MEMBALONG, None, None)
    assert f.query(period="2026-06") == f"?period=2026-06&cooperative_id={MEMBALONG}"
    assert Filters().query() == "./"


def test_who_is_missing_is_reporting_compliance_of_the_ledger(settings, ledger):
    coops = submissions.registry(settings.db_url)
    rows = submissions.load_ledger(settings.db_url, {})
    state = submissions.compliance(rows, coops, ["2026-07"])
    # what publish gives reporting_compliance: every submission with a decision, straight from the ledger
    s = store.Submission
    with store.get_engine(settings.db_url).connect() as conn:
        decided = conn.execute(select(s).where(s.decision.is_not(None))).mappings().all()
    frame = pd.DataFrame(decided)
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True)
    expected = reporting_compliance(frame, coops, ["2026-07"])
    key = ["cooperative_id", "kind", "status", "submissions", "rows_bronze", "rows_quarantine", "rows_warning"]
    assert state[key].to_dict("records") == expected[key].to_dict("records")

    gone = {m["cooperative_id"]: m["kinds"] for m in submissions.missing(state, coops, Filters(period="2026-07"))}
    assert len(gone) == len(coops) - 1 and MEMBALONG not in gone, "Membalong sent both kinds"
    assert gone[PERPAT] == [("lines", 1), ("finance", None)], "Perpat's lines came a month ago; finance never"
    only = submissions.missing(state, coops, Filters(period="2026-07", cooperative_id=PERPAT, kind="finance"))
    assert [(m["cooperative_id"], m["kinds"]) for m in only] == [(PERPAT, [("finance", None)])]
    (membalong,) = state[(state["cooperative_id"] == MEMBALONG) & (state["kind"] == contract.FINANCE)].to_dict(
        "records"
    )
    assert membalong["status"] == "late"


def test_the_page_shows_the_month_escapes_what_came_in_and_links_by_id(settings, ledger):
    page = submissions.render_page(settings, Filters(period="2026-07"))
    revised = ledger[REVISED]
    assert f'href="{revised}/feedback.html"' in page and f'href="{revised}/feedback.csv"' in page
    assert f'href="{revised}/gx_result.html"' in page
    assert _cell("lines", "missing", 48) in page and _cell("finance", "missing", 48) in page
    assert _cell("finance", "late", 1) in page and "Belum lapor (48 koperasi)" in page
    assert "Laporan Hub 2026-07 belum diterbitkan" in page, "no report yet: said, not linked"
    assert "DITERIMA SEBAGIAN" in page and "digantikan" in page and "terlambat" in page
    assert 'href="?period=2026-06"' in page, "the index of months"
    june = submissions.render_page(settings, Filters(period="2026-06"))
    assert "&lt;img src=x onerror=alert(1)&gt;KDMP-1902022002_2026-06.csv" in june and "<img" not in june
    unknown = submissions.render_page(settings, Filters(period="unknown"))
    assert "empty_file" in unknown and "Belum lapor" not in unknown
    index = submissions.render_page(settings, Filters())
    assert 'id="submissions"' not in index and "2026-06" in index and "tanpa periode" in index
    future = submissions.render_page(settings, Filters(period="2026-12"))
    assert f"Belum lapor ({49} koperasi)" in future, "a month nobody reported yet: every cooperative is missing"


def _cell(kind: str, state: str, n: int) -> str:
    """The month's compliance table cell of a kind and state."""
    return f'data-kind="{kind}" data-status="{state}">{n}<'


def test_pages_are_served_by_submission_id_from_the_ledger_inside_the_lake(settings, ledger):
    revised = ledger[REVISED]
    html = submission_pages.submission_page(settings, revised, "feedback.html")
    assert html.media_type.startswith("text/html") and "Umpan balik" in html.content.decode()
    csv = submission_pages.submission_page(settings, revised, "feedback.csv")
    assert csv.content.startswith(b"\xef\xbb\xbftingkat;") and csv.file_name == f"{revised}_feedback.csv"
    assert b"GX" in submission_pages.submission_page(settings, revised, "gx_result.html").content
    for sid, name in (
        (ledger["kosong.csv"], "feedback.html"),  # unreadable: nothing to serve
        ("0123456789abcdef", "feedback.html"),  # not in the ledger
        ("../../etc/passwd", "feedback.html"),
        (revised, "silver.parquet"),
        (revised, "../feedback.html"),
    ):
        with pytest.raises(LookupError):
            submission_pages.submission_page(settings, sid, name)


def test_a_ledger_path_validation_never_writes_or_a_link_in_the_lake_is_refused(settings, ledger, tmp_path):
    revised, first = ledger[REVISED], ledger[FIRST]
    secret = tmp_path / "secret.html"
    secret.write_text("outside the lake")
    engine = store.get_engine(settings.db_url)
    s = store.Submission
    with engine.begin() as conn:
        silver = conn.execute(select(s.silver_path).where(s.submission_id == revised)).scalar_one()
        conn.execute(update(s).where(s.submission_id == revised).values(feedback_path=silver))
        conn.execute(update(s).where(s.submission_id == first).values(gx_result_path=f"validation/{first}/../x.html"))
    with pytest.raises(LookupError, match="not a path validation writes"):
        submission_pages.submission_page(settings, revised, "feedback.html")
    with pytest.raises(LookupError, match="not a path validation writes"):
        submission_pages.submission_page(settings, first, "gx_result.html")
    # the file validation wrote, replaced by a link to a file outside the lake: never followed
    with engine.connect() as conn:
        page = conn.execute(select(s.feedback_path).where(s.submission_id == first)).scalar_one()
    target = settings.lake / page
    target.unlink()
    target.symlink_to(secret)
    with pytest.raises(LookupError, match="not_a_regular_file"):
        submission_pages.submission_page(settings, first, "feedback.html")
    # nor a linked folder on the way
    folder = target.parent
    shutil.move(folder, tmp_path / "moved")
    folder.symlink_to(tmp_path / "moved")
    with pytest.raises(LookupError):
        submission_pages.submission_page(settings, first, "feedback.csv")
