"""Financing eligibility per cooperative (BRIEF section 3, PMK 49/2025): every rule with its figure, threshold and
source, the status, and the estimated maximum loan."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from include.kopdes_hub import contract

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
