"""Financing eligibility per cooperative (BRIEF section 3, PMK 49/2025): every rule with its figure, threshold and
source, the status, and the estimated maximum loan.

The policy is one table, ``RULES``, so a reviewer reads every rule's id, severity and source in one place and a new
rule is a row rather than another branch. The rules read ``CooperativeFacts``, computed once per cooperative by
``cooperative_facts`` from the registry row, its finance rows and its compliance rows; the status and the maximum
loan follow from the results alone. A cooperative that has asked for nothing gets no verdict: it is NOT_APPLIED,
with what it could borrow if it applied now and the rules it would still have to meet.

The reasons are Bahasa Indonesia for the hub staff and the clerk, so their numbers are written the Indonesian way
(``reporting.id_format``); a rule's ``value`` and ``threshold`` stay machine-readable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from include.kopdes_hub import contract
from include.kopdes_hub.reporting import id_format

ELIGIBLE, CONDITIONAL, NOT_ELIGIBLE = "ELIGIBLE", "CONDITIONAL", "NOT_ELIGIBLE"
# No loan requested (loan_requested_idr 0, or no finance report): no verdict on a request that does not exist.
NOT_APPLIED = "NOT_APPLIED"
VERDICTS = (ELIGIBLE, CONDITIONAL, NOT_ELIGIBLE)  # the statuses of a cooperative that applied
STATUSES = (*VERDICTS, NOT_APPLIED)

# A failed hard rule makes the cooperative NOT_ELIGIBLE; a failed soft rule makes it at most CONDITIONAL.
HARD, SOFT = "hard", "soft"

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
# ASSUMPTION: a month with more than half of its lines rows quarantined is too thin a record to lend on (Q1).
QUARANTINED_SHARE_MAX = 0.5


def monthly_rate() -> float:
    return ANNUAL_RATE / 12


def annuity_factor(months: int, rate: float | None = None) -> float:
    """Present value of 1 paid monthly for ``months`` months (the loan a monthly instalment of 1 repays)."""
    r = monthly_rate() if rate is None else rate
    return (1 - (1 + r) ** -months) / r


def instalment(principal: float) -> float:
    """Monthly instalment of a PMK 49 loan after the grace period (principal amortised over tenor - grace)."""
    return principal / annuity_factor(TENOR_MONTHS - GRACE_MONTHS)


# The documents PMK 49/2025 asks for [S36]: rule id -> (registry field, its name for the clerk).
DOCUMENTS: dict[str, tuple[str, str]] = {
    "L1": ("sk_ahu_no", "SK badan hukum (AHU)"),
    "L2": ("nik_koperasi", "Nomor Induk Koperasi"),
    "L3": ("bank_account", "rekening bank atas nama koperasi"),
    "L4": ("npwp", "NPWP"),
    "L5": ("nib", "NIB"),
    "L6": ("has_business_proposal", "proposal usaha dengan RAB capex/opex dan rencana pengembalian"),
}


@dataclass(frozen=True)
class CooperativeFacts:
    """What the rules read about one cooperative, computed once by ``cooperative_facts``."""

    cooperative_id: str
    documents_held: frozenset[str]  # the registry fields of the L-documents that are filled in
    approver: str  # who must approve the loan: kepala desa (KDMP) or bupati (KKMP) [S35]
    approved: bool
    members: int
    requested_idr: float  # the latest month's loan request in the window
    finance_months: int  # accepted finance months in the window (at most FINANCE_MONTHS)
    cash_flow_idr: float  # mean monthly revenue - operating cost
    cash_flow_after_imbal_jasa_idr: float  # what is left to repay with once the pemdes has its share [S34]
    dana_desa_monthly_cap_idr: float  # 0 without a pagu (a kelurahan has no Dana Desa)
    instalment_idr: float  # 0 when nothing is requested
    dscr: float | None  # None without an instalment to cover
    simkopdes_active: bool
    land_point_verified: bool
    mostly_quarantined: bool
    affordable_idr: float  # the loan the business and the Dana Desa cap can repay, at most the plafon (C3)


@dataclass(frozen=True)
class Verdict:
    """One rule's finding on one cooperative: the figure it read, the bar it held it to and the clerk's reason."""

    passed: bool
    value: str
    threshold: str
    reason: str  # Bahasa Indonesia
    severity: str | None = None  # a graded rule (C4) sets it; otherwise the rule's declared severity holds


@dataclass(frozen=True)
class RuleResult:
    """One rule's line in the published ``rules_json``: the field order is the JSON's key order."""

    rule_id: str
    passed: bool
    severity: str
    value: str
    threshold: str
    source: str
    reason: str  # Bahasa Indonesia


@dataclass(frozen=True)
class Rule:
    rule_id: str
    severity: str  # HARD or SOFT
    source: str  # the [Sn] tags of BRIEF section 3, or ASSUMPTION
    check: Callable[[CooperativeFacts], Verdict | None]  # None: the rule does not apply to this cooperative
    title: str = ""  # what the rule asks, in Bahasa Indonesia (the hub report's list of rules)

    def apply(self, facts: CooperativeFacts) -> RuleResult | None:
        verdict = self.check(facts)
        if verdict is None:
            return None
        severity = verdict.severity or self.severity
        return RuleResult(
            self.rule_id, verdict.passed, severity, verdict.value, verdict.threshold, self.source, verdict.reason
        )


def _flag(value: object) -> bool:
    # The registry holds flags as booleans, numbers or text, depending on where a row came from.
    return bool(value) and str(value).strip().lower() not in ("false", "0", "none", "nan")


def cooperative_facts(coop: Mapping[str, Any], finance: pd.DataFrame, compliance: pd.DataFrame) -> CooperativeFacts:
    """The facts of one cooperative, from the inputs of ``financing_eligibility``."""
    months = finance.sort_values("period").tail(FINANCE_MONTHS) if len(finance) else finance
    requested = float(months["loan_requested_idr"].fillna(0).iloc[-1]) if len(months) else 0.0
    cash_flow = float((months["revenue_idr"] - months["operating_cost_idr"]).mean()) if len(months) else 0.0
    # The pemdes' share comes out of a profit only; a loss is a loss either way.
    after_imbal_jasa = cash_flow * (1 - IMBAL_JASA_SHARE) if cash_flow > 0 else cash_flow
    pagu = coop.get("dana_desa_pagu_idr")
    dd_monthly = DANA_DESA_SHARE * float(pagu) / 12 if pagu not in (None, "", 0) and not pd.isna(pagu) else 0.0
    payment = instalment(requested) if requested > 0 else 0.0
    # What the business (at the DSCR target) plus the Dana Desa support cap can repay, as a loan [S34][S35]; the
    # annuity conversion is ASSUMPTION (the regulation says only "memperhatikan" Dana Desa).
    capacity = max(after_imbal_jasa, 0.0) / DSCR_ELIGIBLE + dd_monthly
    lines = compliance[compliance["kind"] == contract.LINES] if len(compliance) else compliance
    return CooperativeFacts(
        cooperative_id=coop["cooperative_id"],
        documents_held=frozenset(field for field, _name in DOCUMENTS.values() if _flag(coop.get(field))),
        approver="kepala desa (musdes)" if coop.get("cooperative_type") == "KDMP" else "bupati (muskel)",
        approved=_flag(coop.get("has_approval_letter")),
        members=int(coop.get("members") or 0),
        requested_idr=requested,
        finance_months=len(months),
        cash_flow_idr=cash_flow,
        cash_flow_after_imbal_jasa_idr=after_imbal_jasa,
        dana_desa_monthly_cap_idr=dd_monthly,
        instalment_idr=payment,
        dscr=after_imbal_jasa / payment if payment else None,
        simkopdes_active=_flag(coop.get("simkopdes_active")),
        land_point_verified=_flag(coop.get("land_point_verified")),
        mostly_quarantined=bool(len(lines) and (lines["rejection_rate"].fillna(0) > QUARANTINED_SHARE_MAX).any()),
        affordable_idr=min(PLAFON_IDR, capacity * annuity_factor(TENOR_MONTHS - GRACE_MONTHS)),
    )


def _document(rule_id: str) -> Callable[[CooperativeFacts], Verdict]:
    field, name = DOCUMENTS[rule_id]

    def check(facts: CooperativeFacts) -> Verdict:
        held = field in facts.documents_held
        reason = f"{name} {'ada' if held else 'belum ada: lengkapi dokumen'}"
        return Verdict(held, "ada" if held else "tidak ada", "wajib ada", reason)

    return check


def _approval(facts: CooperativeFacts) -> Verdict:
    ok = facts.approved
    reason = "persetujuan ada" if ok else f"minta persetujuan {facts.approver} sebelum pencairan"
    return Verdict(ok, "ada" if ok else "tidak ada", f"persetujuan {facts.approver}", reason)


def _within_plafon(facts: CooperativeFacts) -> Verdict | None:
    if facts.requested_idr <= 0:  # nothing requested: no amount to hold to the plafon
        return None
    ok = facts.requested_idr <= PLAFON_IDR
    reason = "pengajuan dalam plafon" if ok else f"pengajuan melebihi plafon {id_format.rupiah(PLAFON_IDR)}"
    return Verdict(ok, f"Rp {facts.requested_idr:,.0f}", f"<= Rp {PLAFON_IDR:,.0f}", reason)


def _repayment_capacity(facts: CooperativeFacts) -> Verdict | None:
    if facts.dscr is None:  # nothing requested, no instalment to cover
        return None
    dscr = facts.dscr
    # Graded [BRIEF 3, C4]: >= 1.25 passes, 1.0-1.25 fails soft (CONDITIONAL), under 1.0 fails hard.
    return Verdict(
        dscr >= DSCR_ELIGIBLE,
        f"{dscr:.2f}",
        f">= {DSCR_ELIGIBLE} (>= {DSCR_CONDITIONAL}: bersyarat)",
        f"arus kas usaha {id_format.rupiah(facts.cash_flow_after_imbal_jasa_idr)}/bulan setelah imbal jasa "
        f"{id_format.percent(IMBAL_JASA_SHARE)} [S34] untuk angsuran {id_format.rupiah(facts.instalment_idr)}/bulan "
        f"(DSCR {id_format.ratio(dscr)})",
        severity=HARD if dscr < DSCR_CONDITIONAL else SOFT,
    )


def _legal_members(facts: CooperativeFacts) -> Verdict:
    ok = facts.members >= MEMBERS_LEGAL_MIN
    reason = "jumlah anggota memenuhi syarat" if ok else f"anggota kurang dari {MEMBERS_LEGAL_MIN}"
    return Verdict(ok, str(facts.members), f">= {MEMBERS_LEGAL_MIN}", reason)


def _sound_members(facts: CooperativeFacts) -> Verdict:
    ok = facts.members >= MEMBERS_SOUND
    reason = "basis anggota cukup" if ok else "tambah anggota (basis usaha tipis)"
    return Verdict(ok, str(facts.members), f">= {MEMBERS_SOUND}", reason)


def _simkopdes(facts: CooperativeFacts) -> Verdict:
    ok = facts.simkopdes_active
    reason = "SIMKOPDES aktif" if ok else "aktifkan SIMKOPDES"
    return Verdict(ok, "aktif" if ok else "tidak aktif", "akun SIMKOPDES aktif", reason)


def _land_point(facts: CooperativeFacts) -> Verdict:
    ok = facts.land_point_verified
    reason = "lahan terverifikasi" if ok else "verifikasi titik lahan/gerai"
    return Verdict(ok, "terverifikasi" if ok else "belum", "titik lahan/gerai terverifikasi", reason)


def _data_quality(facts: CooperativeFacts) -> Verdict:
    ok = facts.finance_months >= FINANCE_MONTHS and not facts.mostly_quarantined
    reason = (
        "data lengkap" if ok else f"laporan keuangan {FINANCE_MONTHS} bulan terakhir belum lengkap atau banyak ditolak"
    )
    return Verdict(
        ok, f"{facts.finance_months} bulan keuangan diterima", f"{FINANCE_MONTHS} bulan terakhir lengkap", reason
    )


def _affordable(facts: CooperativeFacts) -> Verdict | None:
    if facts.requested_idr <= 0:  # nothing requested: the capacity is the cooperative's max_loan_idr
        return None
    ok = facts.requested_idr <= facts.affordable_idr
    capacity = id_format.rupiah(facts.affordable_idr)
    reason = (
        f"pengajuan dalam kemampuan bayar ({capacity})"
        if ok
        else f"kurangi pengajuan ke kemampuan bayar, paling banyak {capacity}"
    )
    return Verdict(ok, f"Rp {facts.requested_idr:,.0f}", f"<= Rp {facts.affordable_idr:,.0f}", reason)


# The table's order is the order of ``rules_json`` and ``failed_rules`` in the published gold and the hub report:
# append a new rule at the end, so a month published again reads as it did. C2 (the opex part <= OPEX_CAP_IDR) is
# not a row: the finance rows carry no opex part to check yet.
RULES: tuple[Rule, ...] = (
    *(Rule(rule_id, HARD, "PMK 49/2025 [S36]", _document(rule_id), DOCUMENTS[rule_id][1]) for rule_id in DOCUMENTS),
    Rule("A1", SOFT, "PMK 49/2025 [S35]", _approval, "persetujuan kepala desa (KDMP) atau bupati (KKMP)"),
    Rule("C1", HARD, "PMK 49/2025 [S35]", _within_plafon, "pengajuan paling banyak Rp 3 miliar"),
    Rule(
        "C4",
        SOFT,
        "ASSUMPTION (no published DSCR)",
        _repayment_capacity,
        "DSCR: arus kas setelah imbal jasa dibagi angsuran, minimal 1,25 (1,0-1,25: bersyarat)",
    ),
    Rule("M1", HARD, "UU Cipta Kerja [S15]", _legal_members, "anggota minimal 9 orang"),
    Rule("M2", SOFT, "ASSUMPTION", _sound_members, "anggota minimal 100 orang"),
    Rule("G1", SOFT, "Kemenkop [S3][S22]; ASSUMPTION as a loan gate", _simkopdes, "akun SIMKOPDES aktif"),
    Rule("G2", SOFT, "[S3]; ASSUMPTION as a loan gate", _land_point, "titik lahan/gerai terverifikasi"),
    Rule("Q1", SOFT, "ASSUMPTION (data-quality gate)", _data_quality, "laporan keuangan 3 bulan terakhir lengkap"),
    Rule(
        "C3",
        SOFT,
        "PMK 49/2025 Ps 7(5) [S35], Permendes 10/2025 [S39]; annuity ASSUMPTION",
        _affordable,
        "pengajuan dalam kemampuan bayar usaha ditambah dukungan Dana Desa (paling banyak 30% pagu)",
    ),
)


def evaluate(facts: CooperativeFacts, rules: tuple[Rule, ...] = RULES) -> list[RuleResult]:
    """Every rule of the table that applies to the cooperative, in table order."""
    return [result for rule in rules if (result := rule.apply(facts)) is not None]


def status_of(results: list[RuleResult]) -> str:
    """NOT_ELIGIBLE if a hard rule failed, else CONDITIONAL if a soft one did, else ELIGIBLE."""
    failed = {r.severity for r in results if not r.passed}
    return NOT_ELIGIBLE if HARD in failed else CONDITIONAL if SOFT in failed else ELIGIBLE


def financing_eligibility(coop: dict, finance: pd.DataFrame, compliance: pd.DataFrame) -> dict:
    """One cooperative's status, every rule with its figure, threshold and source, and the estimated maximum loan.

    A cooperative that requested nothing is NOT_APPLIED (whatever its rules say; ``failed_rules`` still lists
    what it must meet first). ``max_loan_idr`` is what the business and the Dana Desa cap can repay (C3), at most
    the plafon, for an applicant and a non-applicant alike, and 0 when a hard rule fails.

    ``coop``: the registry row. ``finance``: its accepted finance rows of the last ``FINANCE_MONTHS`` months
    (revenue_idr, operating_cost_idr, loan_requested_idr). ``compliance``: its reporting compliance rows of those
    months (kind, status, rejection_rate).
    """
    facts = cooperative_facts(coop, finance, compliance)
    results = evaluate(facts)
    verdict = status_of(results)
    status = verdict if facts.requested_idr > 0 else NOT_APPLIED
    max_loan = facts.affordable_idr if verdict != NOT_ELIGIBLE else 0.0
    return {
        "cooperative_id": facts.cooperative_id,
        "status": status,
        "loan_requested_idr": facts.requested_idr,
        "monthly_cash_flow_idr": facts.cash_flow_idr,
        "instalment_idr": facts.instalment_idr,
        "dscr": facts.dscr,
        "dana_desa_monthly_cap_idr": facts.dana_desa_monthly_cap_idr,
        "max_loan_idr": round(max_loan, -6),
        "max_opex_idr": min(OPEX_CAP_IDR, round(max_loan, -6)),
        "failed_rules": ",".join(r.rule_id for r in results if not r.passed),
        "rules": [asdict(r) for r in results],
    }


@dataclass(frozen=True)
class FinancingTotals:
    """What a month's financing rows add up to, each total saying whose figures it sums: the terminal summary and
    the hub report both print these, so they never disagree."""

    by_status: dict[str, int]  # cooperatives per status, every status of STATUSES present
    applicants: int  # cooperatives with a loan request (ELIGIBLE + CONDITIONAL + NOT_ELIGIBLE)
    requested_idr: float  # the applicants' requests
    approvable: int  # applicants ELIGIBLE or CONDITIONAL
    approvable_requested_idr: float  # their requests
    approvable_max_loan_idr: float  # their estimated maximum loans
    not_applied_able: int  # NOT_APPLIED cooperatives that fail no hard rule (a maximum loan above 0)
    not_applied_max_loan_idr: float  # what those could borrow if they applied now


def totals(eligibility: pd.DataFrame) -> FinancingTotals:
    """The month's totals from its published ``financing_eligibility`` rows."""
    status = eligibility["status"]
    applied = eligibility[status.isin(VERDICTS)]
    approvable = eligibility[status.isin([ELIGIBLE, CONDITIONAL])]
    able = eligibility[(status == NOT_APPLIED) & (eligibility["max_loan_idr"] > 0)]
    return FinancingTotals(
        by_status={s: int((status == s).sum()) for s in STATUSES},
        applicants=len(applied),
        requested_idr=float(applied["loan_requested_idr"].sum()),
        approvable=len(approvable),
        approvable_requested_idr=float(approvable["loan_requested_idr"].sum()),
        approvable_max_loan_idr=float(approvable["max_loan_idr"].sum()),
        not_applied_able=len(able),
        not_applied_max_loan_idr=float(able["max_loan_idr"].sum()),
    )
