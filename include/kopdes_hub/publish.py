"""Publish stage: the hub-level summaries computed from gold volumes, the ledger and the registry.

The summaries are pure functions on small frames (cooperatives x months x commodities): reporting compliance,
leading commodities (komoditas unggulan, by location quotient), the hub balance with a least-cost transfer plan
between villages, and financing eligibility. ``publish_period`` reads their inputs and writes one month of each;
``plan`` says which months are stale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import select

from include.kopdes_hub import contract
from include.kopdes_hub.config import TIMEZONE, Settings
from include.kopdes_hub.periods import normalize_period
from include.kopdes_hub.reference import transport_costs
from include.kopdes_hub.reporting import hub_report
from include.kopdes_hub.storage import gold, lake, schemas, store

LOCAL_TZ = ZoneInfo(TIMEZONE)
REPORT_DUE_DAY = 10  # a month's report is due by the 10th of the next month: ASSUMPTION (no published deadline)
TREND_MONTHS = 3  # a leading commodity's trend compares the month with the mean of the 3 before: ASSUMPTION


def due_date(period: str) -> date:
    return (pd.Period(period, "M") + 1).to_timestamp().date().replace(day=REPORT_DUE_DAY)


def months_between(earlier: str, later: str) -> int:
    return (pd.Period(later, "M") - pd.Period(earlier, "M")).n


def ledger_month(period: object) -> str | None:
    """The month a ledger period names (``2026/07`` -> ``2026-07``), or None: a file's period is as received, so it
    may be missing, NaN (pandas reads a NULL so) or garbage, and such a submission counts for no month."""
    month = normalize_period(period.strip()) if isinstance(period, str) else None
    return month if lake.is_period(month) else None


# --------------------------------------------------------------------------------------------------------------
# Reporting compliance
# --------------------------------------------------------------------------------------------------------------

COMPLIANCE_STATES = ("on_time", "late", "missing")


def reporting_compliance(ledger: pd.DataFrame, registry: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """Per cooperative, kind and month: on time / late / missing, rejection rate and months since the last
    accepted submission.

    ``ledger``: one row per validated or rejected submission with cooperative_id, kind, period, received_at (UTC),
    decision, rows_bronze, rows_quarantine. ``registry``: cooperative_id, hub_id, district_code, village_code.
    """
    ledger = ledger.assign(
        cooperative_id=ledger["cooperative_id"].map(lambda c: c.strip().upper() if isinstance(c, str) else ""),
        period=ledger["period"].map(ledger_month),
        accepted=ledger["decision"].isin([store.ACCEPTED, store.PARTLY_ACCEPTED]),
    )
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
                    landed = pd.Timestamp(first).tz_convert(LOCAL_TZ).date()
                    state = "on_time" if landed <= due else "late"
                bronze = int(month["rows_bronze"].fillna(0).sum())
                quarantined = int(month["rows_quarantine"].fillna(0).sum())
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
                        "rejection_rate": quarantined / bronze if bronze else None,
                        "accepted": bool(month["accepted"].any()),
                        "months_since_last_accepted": months_between(past[-1], period) if past else None,
                    }
                )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------------------
# Leading commodities (komoditas unggulan)
# --------------------------------------------------------------------------------------------------------------


def leading_commodities(volumes: pd.DataFrame, period: str) -> pd.DataFrame:
    """Per district and supplied commodity in ``period``: volume, value, shares and the location quotient
    LQ = (district's value of the commodity / district's total value) / (hub's value of it / hub's total value);
    LQ > 1 marks a commodity the district specialises in (a basis sector). Trend: the month's volume against the
    mean of the ``TREND_MONTHS`` months before (None without history).

    ``volumes``: gold commodity_volumes rows of ``period`` and the months before it.
    """
    supply = volumes[volumes["flow"] == contract.SUPPLY]
    keys = ["hub_id", "district_code", "commodity", "base_unit"]
    month = supply[supply["period"] == period].groupby(keys, as_index=False)[["quantity_base", "value_idr"]].sum()
    if month.empty:
        return month.assign(period=period)
    district_total = month.groupby(["hub_id", "district_code"])["value_idr"].transform("sum")
    hub_commodity = month.groupby(["hub_id", "commodity"])["value_idr"].transform("sum")
    hub_total = month.groupby("hub_id")["value_idr"].transform("sum")
    month["share_of_district"] = month["value_idr"] / district_total
    month["share_of_hub_commodity"] = month["value_idr"] / hub_commodity
    month["location_quotient"] = month["share_of_district"] / (hub_commodity / hub_total)

    earlier = [p for p in sorted(supply["period"].unique()) if p < period][-TREND_MONTHS:]
    history = supply[supply["period"].isin(earlier)].groupby([*keys, "period"], as_index=False)[
        "quantity_base"
    ].sum().groupby(keys)["quantity_base"].sum() / max(len(earlier), 1)
    baseline = month.set_index(keys).index.map(history.to_dict()) if earlier else None
    month["trend"] = (month["quantity_base"] / pd.Series(baseline, index=month.index) - 1) if earlier else None
    month["rank_in_district"] = (
        month.groupby(["hub_id", "district_code"])["value_idr"].rank(ascending=False, method="first").astype(int)
    )
    month["leading"] = month["location_quotient"] > 1
    month.insert(0, "period", period)
    return month.sort_values(["district_code", "rank_in_district"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------------------------
# Hub balance and the transfer plan
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transfer:
    period: str
    hub_id: str
    commodity: str
    from_village: str
    to_village: str
    quantity_base: float
    cost_per_unit: float


def hub_balance(volumes: pd.DataFrame) -> pd.DataFrame:
    """Per period, hub, village and commodity: supply, demand, net (surplus > 0, deficit < 0) and coverage of
    demand (supply / demand; None without demand). Village rows plus one hub row (village_code None) per commodity."""
    keys = ["period", "hub_id", "district_code", "village_code", "commodity", "base_unit"]
    pivot = (
        volumes.pivot_table(index=keys, columns="flow", values="quantity_base", aggfunc="sum", fill_value=0.0)
        .reindex(columns=[contract.SUPPLY, contract.DEMAND], fill_value=0.0)
        .reset_index()
        .rename(columns={contract.SUPPLY: "supply_base", contract.DEMAND: "demand_base"})
    )
    hub = pivot.groupby(["period", "hub_id", "commodity", "base_unit"], as_index=False)[
        ["supply_base", "demand_base"]
    ].sum()
    hub["district_code"] = None
    hub["village_code"] = None
    out = pd.concat([pivot.assign(level="village"), hub.assign(level="hub")], ignore_index=True)
    out["net_base"] = out["supply_base"] - out["demand_base"]
    out["status"] = np.select([out["net_base"] > 0, out["net_base"] < 0], ["surplus", "deficit"], "balanced")
    out["coverage"] = (out["supply_base"] / out["demand_base"]).where(out["demand_base"] > 0)
    return out


def transfer_plan(balance: pd.DataFrame, cost: dict[tuple[str, str], float]) -> list[Transfer]:
    """Move surplus to deficit villages of one hub, period and commodity at least total cost: a transportation
    problem solved as a linear programme with HiGHS (scipy). As much as can move does move (the smaller of total
    surplus and total deficit); among such plans the cheapest is chosen. ``cost[(a, b)]`` is per base unit from
    village a to b."""
    from scipy.optimize import linprog

    transfers: list[Transfer] = []
    villages = balance[balance["level"] == "village"]
    for (period, hub_id, commodity), group in villages.groupby(["period", "hub_id", "commodity"]):
        sources = group[group["net_base"] > 0]
        sinks = group[group["net_base"] < 0]
        if sources.empty or sinks.empty:
            continue
        supply = sources["net_base"].to_numpy()
        demand = -sinks["net_base"].to_numpy()
        pairs = [(i, j) for i in range(len(supply)) for j in range(len(demand))]
        c = np.array(
            [cost[(sources["village_code"].iloc[i], sinks["village_code"].iloc[j])] for i, j in pairs], dtype=float
        )
        a_ub = np.zeros((len(supply) + len(demand), len(pairs)))
        for k, (i, j) in enumerate(pairs):
            a_ub[i, k] = 1.0
            a_ub[len(supply) + j, k] = 1.0
        b_ub = np.concatenate([supply, demand])
        moved = min(supply.sum(), demand.sum())
        result = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=np.ones((1, len(pairs))), b_eq=[moved], method="highs")
        if result.status != 0:
            raise RuntimeError(f"transfer plan for {commodity} did not solve: {result.message}")
        for k, (i, j) in enumerate(pairs):
            if result.x[k] > 1e-6:
                transfers.append(
                    Transfer(
                        period=str(period),
                        hub_id=str(hub_id),
                        commodity=str(commodity),
                        from_village=str(sources["village_code"].iloc[i]),
                        to_village=str(sinks["village_code"].iloc[j]),
                        quantity_base=float(round(result.x[k], 6)),
                        cost_per_unit=float(c[k]),
                    )
                )
    return transfers


# --------------------------------------------------------------------------------------------------------------
# Financing eligibility (BRIEF section 3)
# --------------------------------------------------------------------------------------------------------------

ELIGIBLE, CONDITIONAL, NOT_ELIGIBLE = "ELIGIBLE", "CONDITIONAL", "NOT_ELIGIBLE"
PLAFON_IDR = 3_000_000_000  # PMK 49/2025: at most Rp 3 bn per KDKMP [S35]
OPEX_CAP_IDR = 500_000_000  # PMK 49/2025: of which at most Rp 500 m for operations [S35]
ANNUAL_RATE = 0.06  # PMK 49/2025: 6 %/yr [S35]
TENOR_MONTHS = 72  # PMK 49/2025: at most 72 months [S35]
GRACE_MONTHS = 6  # PMK 49/2025: grace 6-8 months [S35]; the shorter grace, the prudent estimate: ASSUMPTION
DANA_DESA_SHARE = 0.30  # Permendes 10/2025: Dana Desa support at most 30 % of the annual pagu [S34][S39]
IMBAL_JASA_SHARE = 0.20  # at least 20 % of net profit owed to the pemdes [S34]
DSCR_ELIGIBLE = 1.25  # ASSUMPTION: no published threshold
DSCR_CONDITIONAL = 1.0  # ASSUMPTION
MEMBERS_LEGAL_MIN = 9  # UU Cipta Kerja: a primary cooperative has at least 9 founders [S15]
MEMBERS_SOUND = 100  # ASSUMPTION: below 100 members the business base is thin
FINANCE_MONTHS = 3  # the repayment capacity and the data-quality gate look at the last 3 months: ASSUMPTION


def monthly_rate() -> float:
    return ANNUAL_RATE / 12


def annuity_factor(months: int, rate: float | None = None) -> float:
    """Present value of 1 paid monthly for ``months`` months (the loan a monthly instalment of 1 repays)."""
    r = monthly_rate() if rate is None else rate
    return (1 - (1 + r) ** -months) / r


def instalment(principal: float) -> float:
    """Monthly instalment of a PMK 49 loan after the grace period (principal amortised over tenor - grace)."""
    return principal / annuity_factor(TENOR_MONTHS - GRACE_MONTHS)


@dataclass(frozen=True)
class RuleResult:
    rule_id: str
    passed: bool
    severity: str  # "hard" fails -> NOT_ELIGIBLE; "soft" fails -> at most CONDITIONAL
    value: str
    threshold: str
    source: str
    reason: str  # Bahasa Indonesia


def _flag(value: object) -> bool:
    return bool(value) and str(value).strip().lower() not in ("false", "0", "none", "nan")


def financing_eligibility(coop: dict, finance: pd.DataFrame, compliance: pd.DataFrame) -> dict:
    """One cooperative's status, every rule with its figure, threshold and source, and the estimated maximum loan.

    ``coop``: the registry row. ``finance``: its accepted finance rows of the last ``FINANCE_MONTHS`` months
    (revenue_idr, operating_cost_idr, loan_requested_idr). ``compliance``: its reporting compliance rows of those
    months (kind, status, rejection_rate).
    """
    rules: list[RuleResult] = []

    def rule(rule_id: str, passed: bool, severity: str, value: object, threshold: str, source: str, reason: str):
        rules.append(RuleResult(rule_id, bool(passed), severity, str(value), threshold, source, reason))

    documents = (
        ("L1", "sk_ahu_no", "SK badan hukum (AHU)"),
        ("L2", "nik_koperasi", "Nomor Induk Koperasi"),
        ("L3", "bank_account", "rekening bank atas nama koperasi"),
        ("L4", "npwp", "NPWP"),
        ("L5", "nib", "NIB"),
        ("L6", "has_business_proposal", "proposal usaha dengan RAB capex/opex dan rencana pengembalian"),
    )
    for rule_id, field, name in documents:
        held = _flag(coop.get(field))
        rule(
            rule_id,
            held,
            "hard",
            "ada" if held else "tidak ada",
            "wajib ada",
            "PMK 49/2025 [S36]",
            f"{name} {'ada' if held else 'belum ada: lengkapi dokumen'}",
        )
    approver = "kepala desa (musdes)" if coop.get("cooperative_type") == "KDMP" else "bupati (muskel)"
    approved = _flag(coop.get("has_approval_letter"))
    rule(
        "A1",
        approved,
        "soft",
        "ada" if approved else "tidak ada",
        f"persetujuan {approver}",
        "PMK 49/2025 [S35]",
        "persetujuan ada" if approved else f"minta persetujuan {approver} sebelum pencairan",
    )

    months = finance.sort_values("period").tail(FINANCE_MONTHS) if len(finance) else finance
    requested = float(months["loan_requested_idr"].fillna(0).iloc[-1]) if len(months) else 0.0
    rule(
        "C1",
        requested <= PLAFON_IDR,
        "hard",
        f"Rp {requested:,.0f}",
        f"<= Rp {PLAFON_IDR:,.0f}",
        "PMK 49/2025 [S35]",
        "pengajuan dalam plafon" if requested <= PLAFON_IDR else f"pengajuan melebihi plafon Rp {PLAFON_IDR:,.0f}",
    )

    cash_flow = float((months["revenue_idr"] - months["operating_cost_idr"]).mean()) if len(months) else 0.0
    after_imbal_jasa = cash_flow * (1 - IMBAL_JASA_SHARE) if cash_flow > 0 else cash_flow
    pagu = coop.get("dana_desa_pagu_idr")
    dd_monthly = DANA_DESA_SHARE * float(pagu) / 12 if pagu not in (None, "", 0) and not pd.isna(pagu) else 0.0
    payment = instalment(requested) if requested > 0 else 0.0
    dscr = after_imbal_jasa / payment if payment else None
    if payment:
        level = "hard" if dscr is not None and dscr < DSCR_CONDITIONAL else "soft"
        rule(
            "C4",
            dscr is not None and dscr >= DSCR_ELIGIBLE,
            level,
            f"{dscr:.2f}",
            f">= {DSCR_ELIGIBLE} (>= {DSCR_CONDITIONAL}: bersyarat)",
            "ASSUMPTION (no published DSCR)",
            f"arus kas usaha Rp {after_imbal_jasa:,.0f}/bulan setelah imbal jasa {IMBAL_JASA_SHARE:.0%} [S34] untuk "
            f"angsuran "
            f"Rp {payment:,.0f}/bulan",
        )
    members = int(coop.get("members") or 0)
    rule(
        "M1",
        members >= MEMBERS_LEGAL_MIN,
        "hard",
        members,
        f">= {MEMBERS_LEGAL_MIN}",
        "UU Cipta Kerja [S15]",
        "jumlah anggota memenuhi syarat"
        if members >= MEMBERS_LEGAL_MIN
        else f"anggota kurang dari {MEMBERS_LEGAL_MIN}",
    )
    rule(
        "M2",
        members >= MEMBERS_SOUND,
        "soft",
        members,
        f">= {MEMBERS_SOUND}",
        "ASSUMPTION",
        "basis anggota cukup" if members >= MEMBERS_SOUND else "tambah anggota (basis usaha tipis)",
    )
    simkopdes = _flag(coop.get("simkopdes_active"))
    rule(
        "G1",
        simkopdes,
        "soft",
        "aktif" if simkopdes else "tidak aktif",
        "akun SIMKOPDES aktif",
        "Kemenkop [S3][S22]; ASSUMPTION as a loan gate",
        "SIMKOPDES aktif" if simkopdes else "aktifkan SIMKOPDES",
    )
    land = _flag(coop.get("land_point_verified"))
    rule(
        "G2",
        land,
        "soft",
        "terverifikasi" if land else "belum",
        "titik lahan/gerai terverifikasi",
        "[S3]; ASSUMPTION as a loan gate",
        "lahan terverifikasi" if land else "verifikasi titik lahan/gerai",
    )
    lines = compliance[compliance["kind"] == contract.LINES] if len(compliance) else compliance
    finance_missing = len(months) < FINANCE_MONTHS
    mostly_quarantined = bool(len(lines) and (lines["rejection_rate"].fillna(0) > 0.5).any())
    quality = not finance_missing and not mostly_quarantined
    rule(
        "Q1",
        quality,
        "soft",
        f"{len(months)} bulan keuangan diterima",
        f"{FINANCE_MONTHS} bulan terakhir lengkap",
        "ASSUMPTION (data-quality gate)",
        "data lengkap"
        if quality
        else f"laporan keuangan {FINANCE_MONTHS} bulan terakhir belum lengkap atau banyak ditolak",
    )

    # C3: what the business (at the DSCR target) plus the Dana Desa support cap can repay, as a loan [S34][S35];
    # the annuity conversion is ASSUMPTION (the regulation says only "memperhatikan" Dana Desa).
    capacity = max(after_imbal_jasa, 0.0) / DSCR_ELIGIBLE + dd_monthly
    affordable = min(PLAFON_IDR, capacity * annuity_factor(TENOR_MONTHS - GRACE_MONTHS))
    rule(
        "C3",
        requested <= affordable,
        "soft",
        f"Rp {requested:,.0f}",
        f"<= Rp {affordable:,.0f}",
        "PMK 49/2025 Ps 7(5) [S35], Permendes 10/2025 [S39]; annuity ASSUMPTION",
        "pengajuan dalam kemampuan bayar" if requested <= affordable else "kurangi pengajuan ke kemampuan bayar",
    )

    hard_fail = any(not r.passed and r.severity == "hard" for r in rules)
    soft_fail = any(not r.passed and r.severity == "soft" for r in rules)
    status = NOT_ELIGIBLE if hard_fail else CONDITIONAL if soft_fail else ELIGIBLE
    max_loan = affordable if status != NOT_ELIGIBLE else 0.0
    return {
        "cooperative_id": coop["cooperative_id"],
        "status": status,
        "loan_requested_idr": requested,
        "monthly_cash_flow_idr": cash_flow,
        "instalment_idr": payment,
        "dscr": dscr,
        "dana_desa_monthly_cap_idr": dd_monthly,
        "max_loan_idr": round(max_loan, -6),
        "max_opex_idr": min(OPEX_CAP_IDR, round(max_loan, -6)),
        "failed_rules": ",".join(r.rule_id for r in rules if not r.passed),
        "rules": [r.__dict__ for r in rules],
    }


# --------------------------------------------------------------------------------------------------------------
# The stage: read gold volumes, the ledger and the registry; write the summaries of a month
# --------------------------------------------------------------------------------------------------------------


def previous_periods(period: str, n: int) -> list[str]:
    """The ``n`` months before ``period``, oldest first."""
    month = pd.Period(period, "M")
    return [str(month - k) for k in range(n, 0, -1)]


def _read_volumes(lake_dir: Path, periods: list[str]) -> pd.DataFrame:
    return pa.concat_tables([gold.read_partition(lake_dir, schemas.COMMODITY_VOLUMES, p) for p in periods]).to_pandas()


def _registry_frame(db_url: str) -> pd.DataFrame:

    with store.get_engine(db_url).connect() as conn:
        return pd.DataFrame(conn.execute(select(store.Cooperative)).mappings().all())


def _ledger_frame(db_url: str) -> pd.DataFrame:

    s = store.Submission
    with store.get_engine(db_url).connect() as conn:
        rows = (
            conn.execute(
                select(
                    s.submission_id,
                    s.cooperative_id,
                    s.kind,
                    s.period,
                    s.received_at,
                    s.status,
                    s.decision,
                    s.rows_bronze,
                    s.rows_quarantine,
                    s.silver_path,
                ).where(s.decision.is_not(None))
            )
            .mappings()
            .all()
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "submission_id",
            "cooperative_id",
            "kind",
            "period",
            "received_at",
            "status",
            "decision",
            "rows_bronze",
            "rows_quarantine",
            "silver_path",
        ],
    )
    frame["period"] = frame["period"].map(ledger_month)
    frame["cooperative_id"] = frame["cooperative_id"].fillna("")
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True)
    return frame


def _finance_frame(lake_dir: Path, ledger: pd.DataFrame) -> pd.DataFrame:
    """Accepted finance rows of the submissions that count (latest per cooperative and month)."""

    live = ledger[(ledger["kind"] == contract.FINANCE) & ledger["status"].isin([store.ACCEPTED, store.PARTLY_ACCEPTED])]
    paths = [lake_dir / p for p in live["silver_path"].dropna()]
    columns = ["cooperative_id", "period", "revenue_idr", "operating_cost_idr", "loan_requested_idr"]
    return lake.read_parquet_files(paths, columns).to_pandas()


def summarise_period(settings: Settings, period: str, ledger: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every summary of one month, as frames in their published column order."""

    volumes = _read_volumes(settings.lake, [*previous_periods(period, TREND_MONTHS), period])
    month = volumes[volumes["period"] == period]
    registry = _registry_frame(settings.db_url)

    balance = hub_balance(month) if len(month) else pd.DataFrame(columns=["level", "net_base"])
    transfers = transfer_plan(balance, transport_costs()) if len(month) else []
    balance = settle(balance, transfers)
    transfer_rows = pd.DataFrame(
        [
            {
                "period": t.period,
                "transfer_id": f"{t.period}:{t.commodity}:{t.from_village}:{t.to_village}",
                "hub_id": t.hub_id,
                "commodity": t.commodity,
                "from_village": t.from_village,
                "to_village": t.to_village,
                "quantity_base": t.quantity_base,
                "cost_per_unit_idr": t.cost_per_unit,
                "cost_idr": t.quantity_base * t.cost_per_unit,
            }
            for t in transfers
        ],
        columns=[
            "period",
            "transfer_id",
            "hub_id",
            "commodity",
            "from_village",
            "to_village",
            "quantity_base",
            "cost_per_unit_idr",
            "cost_idr",
        ],
    )
    units = dict(zip(month["commodity"], month["base_unit"], strict=False))
    transfer_rows["base_unit"] = transfer_rows["commodity"].map(units)

    window = [*previous_periods(period, FINANCE_MONTHS - 1), period]
    compliance_window = reporting_compliance(ledger, registry, window)
    compliance = compliance_window[compliance_window["period"] == period].reset_index(drop=True)
    finance = _finance_frame(settings.lake, ledger)
    eligibility = []
    for coop in registry.to_dict("records"):
        mine = finance[(finance["cooperative_id"] == coop["cooperative_id"]) & finance["period"].isin(window)]
        theirs = compliance_window[compliance_window["cooperative_id"] == coop["cooperative_id"]]
        result = financing_eligibility(coop, mine, theirs)
        result.update(
            period=period,
            hub_id=coop["hub_id"],
            district_code=coop["district_code"],
            village_code=coop["village_code"],
            rules_json=json.dumps(result.pop("rules"), ensure_ascii=False),
        )
        eligibility.append(result)
    leading = leading_commodities(volumes, period)
    return {
        "hub_balance": balance,
        "hub_transfers": transfer_rows,
        "financing_eligibility": pd.DataFrame(eligibility),
        "leading_commodities": leading,
        "reporting_compliance": compliance,
    }


def settle(balance: pd.DataFrame, transfers: list[Transfer]) -> pd.DataFrame:
    """Add what each village ships and receives under the plan, and what stays unsold or unmet for outside markets."""
    shipped: dict[tuple, float] = {}
    received: dict[tuple, float] = {}
    for t in transfers:
        shipped[(t.period, t.commodity, t.from_village)] = (
            shipped.get((t.period, t.commodity, t.from_village), 0.0) + t.quantity_base
        )
        received[(t.period, t.commodity, t.to_village)] = (
            received.get((t.period, t.commodity, t.to_village), 0.0) + t.quantity_base
        )
    out = balance.copy()
    if out.empty:
        for column in ("shipped_base", "received_base", "unsold_base", "unmet_base"):
            out[column] = pd.Series(dtype="float64")
        return out
    keys = list(zip(out["period"], out["commodity"], out["village_code"], strict=True))
    out["shipped_base"] = [shipped.get(k, 0.0) for k in keys]
    out["received_base"] = [received.get(k, 0.0) for k in keys]
    village = out["level"] == "village"
    out["unsold_base"] = (out["net_base"].clip(lower=0) - out["shipped_base"]).clip(lower=0)
    out["unmet_base"] = (-out["net_base"].clip(upper=0) - out["received_base"]).clip(lower=0)
    # hub rows: the totals of their villages
    totals = (
        out[village]
        .groupby(["period", "hub_id", "commodity"])[["shipped_base", "received_base", "unsold_base", "unmet_base"]]
        .sum()
    )
    hub_keys = list(
        zip(out.loc[~village, "period"], out.loc[~village, "hub_id"], out.loc[~village, "commodity"], strict=True)
    )
    for column in ("shipped_base", "received_base", "unsold_base", "unmet_base"):
        out.loc[~village, column] = [totals[column].get(k, 0.0) for k in hub_keys]
    return out


def publish_period(settings: Settings, period: str) -> dict[str, int | str]:
    """Write every summary of the month: Parquet partitions, the SQL tables in one transaction, then the hub report
    (``hub_report.render``), and only then record the publication."""
    if not lake.is_period(period):
        raise ValueError(f"{period!r} is not a month (YYYY-MM): nothing to publish")
    ledger = _ledger_frame(settings.db_url)
    frames = summarise_period(settings, period, ledger)
    tables = {}
    for dataset in schemas.SUMMARIES:
        frame = frames[dataset.name]
        names = [c.name for c in dataset.columns]
        frame = frame.reindex(columns=names)
        tables[dataset.name] = pa.Table.from_pandas(frame, schema=dataset.schema, preserve_index=False)
        gold.write_partition(settings.lake, dataset, period, tables[dataset.name])
    with store.get_engine(settings.db_url).begin() as conn:
        for name, table in tables.items():
            gold.replace_sql_period(conn, store.SUMMARY_TABLES[name], period, table)
    counts = {name: table.num_rows for name, table in tables.items()}
    # The report and its index are part of the month: rendered before the publication is recorded, or a crash
    # between the two would leave the month "fresh" with its report missing or unlisted on every later run.
    report = hub_report.render(settings, period)
    record_publication(settings, period, ledger, sum(counts.values()))  # last: a crash before it means a rebuild
    return {**counts, "report": report.relative_to(settings.lake).as_posix()}


SUMMARIES_PUBLICATION = "summaries"


def _inputs_fingerprint(ledger: pd.DataFrame, volume_prints: dict[str, str], period: str) -> str:
    """What a month's summaries depend on: the gold volumes of the month and the ones its trend looks back on,
    and every ledger decision up to the month, with when it landed (compliance, staleness and eligibility read
    those; a received time moves earlier when the same content turns up under an older name). A decision of no
    known month is in every month's print: publishing a month once too often is cheap, a stale month is not."""

    upto = ledger[ledger["period"].fillna("") <= period]
    state = sorted(
        f"{r.submission_id}:{r.status}:{r.rows_quarantine}:{r.received_at}" for r in upto.itertuples(index=False)
    )
    window = [*previous_periods(period, TREND_MONTHS), period]
    parts = [*state, *(f"{p}={volume_prints.get(p, '')}" for p in window)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _fingerprints(settings: Settings, dataset: str) -> dict[str, str]:

    with store.get_engine(settings.db_url).connect() as conn:
        rows = conn.execute(
            select(store.Publication.period, store.Publication.fingerprint).where(store.Publication.dataset == dataset)
        ).all()
    return dict(rows)


def plan(settings: Settings, force: tuple[str, ...] = ()) -> list[str]:
    """Months whose summaries are stale: their inputs changed since they were last published (or forced). Only
    months: a period that is not one (an older run's ``unknown`` partition) is never planned."""
    volumes = {p: f for p, f in _fingerprints(settings, "commodity_volumes").items() if lake.is_period(p)}
    published = _fingerprints(settings, SUMMARIES_PUBLICATION)
    ledger = _ledger_frame(settings.db_url)
    stale = {p for p in volumes if published.get(p) != _inputs_fingerprint(ledger, volumes, p)}
    return sorted(stale | (set(force) & set(volumes)))


def record_publication(settings: Settings, period: str, ledger: pd.DataFrame, rows: int) -> None:
    volumes = _fingerprints(settings, "commodity_volumes")
    fingerprint = _inputs_fingerprint(ledger, volumes, period)
    with store.get_engine(settings.db_url).begin() as conn:
        store.upsert(
            conn,
            store.Publication.__table__,
            [
                {
                    "dataset": SUMMARIES_PUBLICATION,
                    "period": period,
                    "fingerprint": fingerprint,
                    "rows": rows,
                    "submissions": 0,
                    "schema_version": "1.0",
                    "published_at": store.utcnow(),
                }
            ],
            ("dataset", "period"),
        )
