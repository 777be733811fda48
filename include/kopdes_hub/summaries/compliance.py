"""Reporting compliance per cooperative of the registry, kind and month: on time (by the 10th of the next month,
WIB), late or missing; rows quarantined and accepted with a warning; months since the last accepted file."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pandas as pd

from include.kopdes_hub import contract
from include.kopdes_hub.periods import LOCAL_TZ, due_date, ledger_month, months_between
from include.kopdes_hub.storage import store

COMPLIANCE_STATES = ("on_time", "late", "missing")


def reporting_compliance(
    ledger: pd.DataFrame,
    registry: pd.DataFrame,
    periods: list[str],
    first_closes: Mapping[str, datetime] | None = None,
) -> pd.DataFrame:
    """Per cooperative, kind and month: on time / late / missing, rejection rate and months since the last
    accepted submission.

    ``ledger``: one row per validated or rejected submission with cooperative_id, kind, period, received_at (UTC),
    decision, rows_bronze, rows_quarantine, rows_warning (and validated_at, with ``first_closes``). ``registry``:
    cooperative_id, hub_id, district_code, village_code. ``first_closes``: month -> when it was first closed; a file
    validated after that was held for the closed month, and counts as landed no earlier than the close (late,
    whatever its file time says).
    """
    ledger = ledger.assign(
        cooperative_id=ledger["cooperative_id"].map(lambda c: c.strip().upper() if isinstance(c, str) else ""),
        period=ledger["period"].map(ledger_month),
        accepted=ledger["decision"].isin([store.ACCEPTED, store.PARTLY_ACCEPTED]),
    )
    landed = pd.to_datetime(ledger["received_at"], utc=True)
    if first_closes:
        closed = pd.to_datetime(ledger["period"].map(first_closes), utc=True)
        held = pd.to_datetime(ledger["validated_at"], utc=True) > closed
        landed = landed.where(~held, closed)
    ledger = ledger.assign(landed_at=landed)
    ledger = ledger[ledger["period"].notna()]  # a submission of no known month is on time or late for none
    rows = []
    for coop in registry.itertuples(index=False):
        mine = ledger[ledger["cooperative_id"] == coop.cooperative_id]
        for kind in contract.KINDS:
            ours = mine[mine["kind"] == kind]
            accepted_periods = sorted(set(ours.loc[ours["accepted"], "period"]))
            for period in periods:
                month = ours[ours["period"] == period]
                first = month["received_at"].min() if len(month) else None
                due = due_date(period)
                if first is None:
                    state = "missing"
                else:
                    landed = pd.Timestamp(month["landed_at"].min()).tz_convert(LOCAL_TZ).date()
                    state = "on_time" if landed <= due else "late"
                bronze = int(month["rows_bronze"].fillna(0).sum())
                quarantined = int(month["rows_quarantine"].fillna(0).sum())
                warned = int(month["rows_warning"].fillna(0).sum())
                past = [p for p in accepted_periods if p <= period]
                rows.append(
                    {
                        "period": period,
                        "hub_id": coop.hub_id,
                        "district_code": coop.district_code,
                        "village_code": coop.village_code,
                        "cooperative_id": coop.cooperative_id,
                        "kind": kind,
                        "status": state,
                        "submissions": len(month),
                        "first_received_at": None if first is None else pd.Timestamp(first).to_pydatetime(),
                        "due_date": due,
                        "rows_bronze": bronze,
                        "rows_quarantine": quarantined,
                        "rows_warning": warned,
                        "rejection_rate": quarantined / bronze if bronze else None,
                        "accepted": bool(month["accepted"].any()),
                        "months_since_last_accepted": months_between(past[-1], period) if past else None,
                    }
                )
    return pd.DataFrame(rows)


def counts_by_kind(compliance: pd.DataFrame) -> dict[str, dict[str, int]]:
    """The month's compliance in one definition, for the terminal summary and the hub report alike: per kind
    (lines, then finance), the cooperatives of the registry in each state. A compliance row is one cooperative and
    kind, so each cooperative counts once per kind, and each kind's states add up to the registry."""
    return {
        kind: {
            state: int(((compliance["kind"] == kind) & (compliance["status"] == state)).sum())
            for state in COMPLIANCE_STATES
        }
        for kind in contract.KINDS
    }


def missing_by_kind(compliance: pd.DataFrame) -> dict[str, list[str]]:
    """Per kind, the cooperatives that sent nothing for the month, sorted by id."""
    missing = compliance[compliance["status"] == "missing"]
    return {kind: sorted(missing.loc[missing["kind"] == kind, "cooperative_id"]) for kind in contract.KINDS}
