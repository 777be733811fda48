"""A submission's pages for the submissions view, served by its id: the clerk's feedback (HTML and CSV) and the
engineer's GX page. Never by a path from a request: the path comes from the ledger, must have the shape validation
writes for that very submission (so no ledger value can point at another file of the lake), and is read inside the
lake with no link followed, on the way or at the end (``ingest.landing.read_landing_file``, the reader landing uses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from include.kopdes_hub.config import Settings
from include.kopdes_hub.ingest.landing import read_landing_file
from include.kopdes_hub.storage import store
from include.kopdes_hub.storage.lake import COOPERATIVE_ID_PATTERN, SUBMISSION_ID_PATTERN, UNKNOWN

PAGES = {
    "feedback.html": ("feedback_path", "html", "text/html; charset=utf-8"),
    "feedback.csv": ("feedback_path", "csv", "text/csv; charset=utf-8"),
    "gx_result.html": ("gx_result_path", "html", "text/html; charset=utf-8"),
}
MAX_PAGE_BYTES = 64_000_000  # a feedback page of 20,000 rejected rows is ~10 MB; more is not a page validation wrote
_COOPERATIVE = COOPERATIVE_ID_PATTERN.strip("^$")
_PERIOD_PART = rf"(?:[0-9]{{4}}-[0-9]{{2}}|{UNKNOWN})"


@dataclass(frozen=True)
class Page:
    content: bytes
    media_type: str
    file_name: str


def submission_page(settings: Settings, submission_id: str, name: str) -> Page:
    """A submission's feedback (HTML or CSV) or GX page, by its id; LookupError when there is none to serve."""
    if name not in PAGES or not re.fullmatch(SUBMISSION_ID_PATTERN, submission_id):
        raise LookupError(f"no page {name!r} of submission {submission_id!r}")
    column, suffix, media_type = PAGES[name]
    s = store.Submission
    with store.get_engine(settings.db_url).connect() as conn:
        stored = conn.execute(select(getattr(s, column)).where(s.submission_id == submission_id)).scalar_one_or_none()
    if not stored:
        raise LookupError(f"submission {submission_id} has no {name} (not validated yet, or unreadable)")
    if column == "feedback_path":
        shape = rf"feedback/(?:{_COOPERATIVE}|{UNKNOWN})/period={_PERIOD_PART}/{submission_id}\.html"
    else:
        shape = rf"validation/{submission_id}/gx_result\.html"
    if not re.fullmatch(shape, stored):
        raise LookupError(f"the ledger's {column} of {submission_id} is not a path validation writes: {stored!r}")
    relative = stored.removesuffix(".html") + f".{suffix}"
    try:
        entry = read_landing_file(settings.lake, relative, MAX_PAGE_BYTES)
    except FileNotFoundError as exc:
        raise LookupError(f"{relative} is not in the lake (revalidated or removed?)") from exc
    if entry.data is None:
        reason = f"{entry.problem.code}: {entry.problem.detail}" if entry.problem else "unreadable"
        raise LookupError(f"{relative} is not served: {reason}")
    return Page(entry.data, media_type, f"{submission_id}_{name}")
