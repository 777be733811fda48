"""A cooperative's own history, for QUANTITY_OUTLIER: is this month's total of a commodity and flow far above what
the cooperative reported in its recent accepted months?

The history is silver's: each accepted lines submission's totals per commodity and flow (``submission_total``,
written with its silver), of the months before, one submission per cooperative and month (the latest landed, as
supersession picks it). Submissions validated in the same batch count as soon as the first GX run has decided
their lines, so a year replayed in one run gets the same warnings as twelve monthly runs. The rule's parameters and
its reasons are in ``contract.values`` (OUTLIER_*).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import select

from include.kopdes_hub import contract
from include.kopdes_hub.periods import is_period, normalize_period, previous_periods
from include.kopdes_hub.reference import Catalogue
from include.kopdes_hub.storage import store


def usual_max(history: Mapping[str, float], period: str, seasonality: Sequence[float]) -> float | None:
    """The most this cooperative usually reports of one commodity and flow in ``period``, from its totals of the
    months before (``history``: period -> total in base units; other months are ignored), or None with fewer than
    ``OUTLIER_MIN_MONTHS`` of the last ``OUTLIER_HISTORY_MONTHS``. Totals are deseasonalised by the catalogue's
    multiplier of their month, and the threshold is put back in this month's season."""
    months = [p for p in _window(period) if p in history and _season(seasonality, p) > 0]
    normal = [history[p] / _season(seasonality, p) for p in months]
    if len(normal) < contract.OUTLIER_MIN_MONTHS:
        return None
    median = statistics.median(normal)
    mad = statistics.median(abs(x - median) for x in normal)
    spread = max(contract.MAD_SCALE * mad, contract.OUTLIER_MIN_SPREAD * median)
    return (median + contract.OUTLIER_K * spread) * _season(seasonality, period)


def _season(seasonality: Sequence[float], period: str) -> float:
    return seasonality[int(period[5:7]) - 1]


def submission_totals(prepared: pa.Table, accepted: np.ndarray) -> pd.DataFrame:
    """Per submission, commodity and flow: the base quantity and number of its accepted lines."""
    frame = prepared.select(["_submission_id", "commodity", "flow", "quantity_base"]).filter(pa.array(accepted))
    grouped = (
        frame.to_pandas()
        .groupby(["_submission_id", "commodity", "flow"], as_index=False)
        .agg(quantity_base=("quantity_base", "sum"), lines=("quantity_base", "size"))
    )
    return grouped.rename(columns={"_submission_id": "submission_id"})


def earlier_totals(db_url: str | None, cooperatives: set[str], periods: set[str], batch: set[str]) -> pd.DataFrame:
    """The ledger's accepted lines submissions of ``cooperatives`` in ``periods`` outside this batch, with their
    totals: submission_id, cooperative_id, period, received_at, commodity, flow, quantity_base (none without a
    store: a batch validated on its own)."""
    columns = ["submission_id", "cooperative_id", "period", "received_at", "commodity", "flow", "quantity_base"]
    if db_url is None or not cooperatives or not periods:
        return pd.DataFrame(columns=columns)
    s, t = store.Submission, store.SubmissionTotal
    with store.get_engine(db_url).connect() as conn:
        # the ledger's submissions first (one row each), filtered here with the same normalisation as the batch's;
        # then the totals of only those: reading every total of the ledger cost ~2.5 s a batch at 10M rows
        subs = conn.execute(
            select(s.submission_id, s.cooperative_id, s.period, s.received_at).where(
                s.kind == contract.LINES, s.decision.in_([store.ACCEPTED, store.PARTLY_ACCEPTED])
            )
        ).all()
        owners = pd.DataFrame([tuple(r) for r in subs], columns=columns[:4])
        # each spelling normalised once: the ledger repeats a few thousand of them
        for column, normal in (("cooperative_id", lambda c: (c or "").strip().upper()), ("period", normalize_period)):
            distinct = owners[column].drop_duplicates()
            owners[column] = owners[column].map(dict(zip(distinct, map(normal, distinct), strict=True)))
        keep = owners["cooperative_id"].isin(cooperatives) & owners["period"].isin(periods)
        owners = owners[keep & ~owners["submission_id"].isin(batch)]
        totals = conn.execute(
            select(t.submission_id, t.commodity, t.flow, t.quantity_base).where(
                t.submission_id.in_(owners["submission_id"].tolist())
            )
        ).all()
    amounts = pd.DataFrame([tuple(r) for r in totals], columns=["submission_id", *columns[4:]])
    return owners.merge(amounts, on="submission_id")[columns]


def thresholds(
    candidates: pd.DataFrame, wanted: pd.DataFrame, catalogue: Catalogue
) -> dict[tuple[str, str, str, str], float]:
    """(cooperative, period, commodity, flow) -> usual_max for each row of ``wanted`` (cooperative_id, period,
    commodity, flow) that has enough history. ``candidates``: totals of every accepted submission that may be
    history (submission_id, cooperative_id, period, received_at, commodity, flow, quantity_base); per cooperative
    and month only the latest landed counts, as supersession decides."""
    if candidates.empty or wanted.empty:
        return {}
    order = candidates.sort_values(["received_at", "submission_id"])
    winners = order.drop_duplicates(["cooperative_id", "period"], keep="last")["submission_id"]
    history = candidates[candidates["submission_id"].isin(set(winners))]
    by_key: dict[tuple[str, str, str], dict[str, float]] = {}
    for row in history.itertuples(index=False):
        by_key.setdefault((row.cooperative_id, row.commodity, row.flow), {})[row.period] = float(row.quantity_base)
    out = {}
    for row in wanted.drop_duplicates().itertuples(index=False):
        spec = catalogue.commodities.get(row.commodity)
        past = by_key.get((row.cooperative_id, row.commodity, row.flow))
        if spec is None or not past or not is_period(row.period):
            continue
        limit = usual_max(past, row.period, spec.seasonality)
        if limit is not None:
            out[(row.cooperative_id, row.period, row.commodity, row.flow)] = limit
    return out


def outlier_columns(
    prepared: pa.Table,
    accepted: np.ndarray,
    periods: np.ndarray,
    received: Mapping[str, datetime],
    db_url: str | None,
    catalogue: Catalogue,
) -> tuple[pa.Array, pa.Array, pd.DataFrame]:
    """The two columns QUANTITY_OUTLIER compares, per row: ``month_total_base`` (this submission's total of the
    line's commodity and flow, on its largest accepted line only, so one line carries the warning) and
    ``usual_max_base`` (the threshold, where there is history); and every submission's totals, for the ledger.

    ``accepted``: rows the first GX run left without an error, in submissions that were not rejected; ``periods``:
    each row's submission month (``SubmissionInput.partition``); ``received``: submission -> its landing time."""
    n = prepared.num_rows
    totals = submission_totals(prepared, accepted)
    frame = (
        prepared.select(["_submission_id", "file_cooperative_id", "commodity", "flow", "quantity_base"])
        .to_pandas()
        .rename(columns={"_submission_id": "submission_id", "file_cooperative_id": "cooperative_id"})
        .assign(period=periods)
    )
    mine = frame[accepted]
    if mine.empty:
        return pa.nulls(n, pa.float64()), pa.nulls(n, pa.float64()), totals
    owner = mine.drop_duplicates("submission_id").set_index("submission_id")
    in_batch = totals.join(owner[["cooperative_id", "period"]], on="submission_id")
    in_batch["received_at"] = in_batch["submission_id"].map(received)
    # distinct values first: iterating a quarter of a million Arrow-backed strings in Python costs ~0.7 s
    months = {m for period in mine["period"].unique() if is_period(period) for m in _window(period)}
    cooperatives, batch_ids = set(mine["cooperative_id"].unique()), set(frame["submission_id"].unique())
    earlier = earlier_totals(db_url, cooperatives, months, batch_ids)
    candidates = pd.concat([earlier, in_batch[earlier.columns]], ignore_index=True)
    place = ["cooperative_id", "period", "commodity", "flow"]
    limits = thresholds(candidates, mine[place], catalogue)

    group = ["submission_id", "commodity", "flow"]
    month_total = mine.groupby(group)["quantity_base"].transform("sum")
    largest = mine.assign(position=mine.index).sort_values(["quantity_base", "position"], ascending=[False, True])
    carriers = largest.drop_duplicates(group)["position"].to_numpy()
    total = np.full(n, np.nan)
    total[carriers] = month_total.loc[carriers].to_numpy()
    limit_frame = pd.DataFrame([(*k, v) for k, v in limits.items()], columns=[*place, "usual_max_base"])
    usual = frame[place].merge(limit_frame, how="left", on=place)["usual_max_base"].to_numpy(dtype=float, copy=True)
    usual[~accepted] = np.nan
    return pa.array(total, from_pandas=True), pa.array(usual, from_pandas=True), totals


def _window(period: str) -> list[str]:
    return previous_periods(period, contract.OUTLIER_HISTORY_MONTHS)
