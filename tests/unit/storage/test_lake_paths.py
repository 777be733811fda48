"""Paths built from file content are confined to the lake: every component is checked against its pattern, and
the built path must resolve inside the lake root."""

from __future__ import annotations

import pytest

from include.kopdes_hub.periods import is_period
from include.kopdes_hub.storage import lake

SID = "0123456789abcdef"
HOSTILE_IDS = [
    "../../X",
    "/etc",
    "KDMP-1902042008/../..",
    "KDMP-1902042008\0",
    "KDMP-19020\x0042008",
    "KDMP-1902042008\n../X",
    "KDMP-" + "1" * 5000,
    "..",
    "",
    "   ",
    None,
    float("nan"),
    "KDMP-１９０２０４２００８",  # full-width digits: not [0-9]
]


@pytest.mark.parametrize("cooperative_id", HOSTILE_IDS)
def test_a_hostile_cooperative_id_is_the_unknown_feedback_folder(tmp_path, cooperative_id):
    path = lake.feedback_path(tmp_path, cooperative_id, "2026-07", SID, "html")
    assert path == tmp_path / "feedback" / "unknown" / "period=2026-07" / f"{SID}.html"


def test_a_cooperative_id_is_trimmed_and_upper_cased():
    assert lake.cooperative_folder(" kdmp-1902042008 ") == "KDMP-1902042008"
    assert lake.cooperative_folder("KKMP-1902010001") == "KKMP-1902010001"
    assert lake.cooperative_folder("KDMP-190204200") == "unknown"


@pytest.mark.parametrize("period", ["../..", "2026-13", "2026-7", "/etc", "2026-07/../..", "2026-07\0", "x" * 5000])
def test_a_malformed_period_names_no_partition(tmp_path, period):
    for build in (
        lambda: lake.silver_path(tmp_path, "lines", period, SID),
        lambda: lake.quarantine_path(tmp_path, "finance", period, SID),
        lambda: lake.feedback_path(tmp_path, "KDMP-1902042008", period, SID, "csv"),
    ):
        with pytest.raises(ValueError, match="period"):
            build()
    assert lake.silver_path(tmp_path, "lines", "unknown", SID).parent.name == "period=unknown"


@pytest.mark.parametrize("submission_id", ["../../etc/passwd", "0123456789ABCDEF", SID[:15], SID + "0", "", "/" + SID])
def test_a_malformed_submission_id_names_no_file(tmp_path, submission_id):
    for build in (
        lambda: lake.bronze_path(tmp_path, submission_id),
        lambda: lake.silver_path(tmp_path, "lines", "2026-07", submission_id),
        lambda: lake.validation_path(tmp_path, submission_id, "json"),
        lambda: lake.feedback_path(tmp_path, "KDMP-1902042008", "2026-07", submission_id, "html"),
    ):
        with pytest.raises(ValueError, match="submission id"):
            build()


def test_kind_is_lines_or_finance(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        lake.silver_path(tmp_path, "../gold", "2026-07", SID)


def test_the_layout(tmp_path):
    assert lake.bronze_path(tmp_path, SID) == tmp_path / "bronze" / "01" / f"{SID}.parquet"
    assert lake.silver_path(tmp_path, "lines", "2026-07", SID) == (
        tmp_path / "silver" / "lines" / "period=2026-07" / f"{SID}.parquet"
    )


def test_a_path_that_resolves_outside_the_lake_is_refused(tmp_path):
    root = tmp_path / "lake"
    (root / "feedback").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (root / "feedback" / "KDMP-1902042008").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(ValueError, match="outside the lake"):
        lake.feedback_path(root, "KDMP-1902042008", "2026-07", SID, "html")


def test_is_period_takes_only_months():
    assert [is_period(p) for p in ("2026-07", "2026-7", "garbage", None, float("nan"), "unknown")] == [
        True,
        False,
        False,
        False,
        False,
        False,
    ]


def test_the_next_write_of_a_file_removes_what_a_killed_writer_left_beside_it(tmp_path):
    target = tmp_path / "silver" / "x.parquet"
    target.parent.mkdir(parents=True)
    left = target.with_name(f".{target.name}.0123abcd.tmp")  # as a SIGKILL mid-write leaves it
    left.write_bytes(b"half")
    other = target.with_name(".y.parquet.0123abcd.tmp")  # another file's writer may still be running
    other.write_bytes(b"half")
    lake.write_bytes_atomic(b"whole", target)
    assert target.read_bytes() == b"whole"
    assert not left.exists() and other.exists()
