"""A deterministic year of clerk submissions from Belitung's village cooperatives, for demos, tests and benchmarks.

The pipeline has no real submissions yet, so this module writes what the hub expects to receive: one file per
cooperative, month and kind, in the shapes of contract v1 as clerks really send them (``;`` CSV in Windows-1252
with Indonesian numbers, ``,`` CSV in UTF-8 with or without BOM, XLSX with title rows, JSON objects and lists),
with Belitung's commodities, seasons and prices (``shared/domain/BRIEF.md`` sections 4-6) and a small, recorded
share of the defects validation must catch. The manifest says which file holds which defect, so tests can check
the pipeline against it. Everything is seeded: the same seed gives the same bytes, whatever the date.
"""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from include.kopdes_hub.contract import FINANCE, LINES
from include.kopdes_hub.demo.defects import _add_defects
from include.kopdes_hub.demo.model import (
    CLERK_SPELLINGS,
    DEMAND,
    FINANCE_TEMPLATES,
    LINES_TEMPLATES,
    PERIODS,
    REPORTING_COOPERATIVES,
    SHAPE_QUOTA,
    SHAPE_SWITCH,
    SHAPES,
    SUFFIX,
    SUPPLY,
    UNKNOWN_COOPERATIVE_ID,
    UNKNOWN_COOPERATIVE_PERIODS,
    WIB,
    DemoFile,
    _Clerk,
    _Row,
    _Submission,
)
from include.kopdes_hub.demo.render import _render
from include.kopdes_hub.demo.trade import _demand_profile, _ensure_non_ascii, _month_lines, _supply_profile
from include.kopdes_hub.reference import load_catalogue, load_registry
from include.kopdes_hub.storage import lake
from include.kopdes_hub.summaries import financing


def generate_demo(landing: Path, seed: int = 1902) -> list[DemoFile]:
    """Write a year of monthly submissions into ``landing`` and return the manifest, oldest file first.

    Each file's modification time is set to the moment the clerk sent it, so "a later file supersedes" can be
    seen on disk as well as in the manifest's order.
    """
    landing = Path(landing)
    landing.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    registry = sorted(load_registry(), key=lambda r: r["cooperative_id"])

    reporting = _choose_reporting(registry, rng)
    shapes = _assign_shapes(reporting, rng)
    subs: list[_Submission] = []
    for coop in reporting:
        subs.extend(_cooperative_year(coop, shapes[coop["cooperative_id"]], seed))
    subs.sort(key=lambda s: (s.received, s.name))

    subs = _add_defects(subs, rng) + _unknown_cooperative(seed)
    subs.sort(key=lambda s: (s.received, s.name))

    names = [s.name for s in subs]
    if len(set(names)) != len(names):
        raise RuntimeError("demo generator produced two files with the same name")
    for sub in subs:
        if sub.payload is None:
            sub.payload = _render(sub)
        path = landing / sub.name
        lake.write_bytes_atomic(sub.payload, path)
        stamp = sub.received.timestamp()
        os.utime(path, (stamp, stamp))
    return [
        DemoFile(
            name=s.name,
            cooperative_id=s.coop["cooperative_id"],
            period=s.period,
            kind=s.kind,
            shape=s.shape,
            defects=s.defects,
            rows=s.rows,
        )
        for s in subs
    ]


# --- who reports, how, and when ---------------------------------------------------------------------------------


def _choose_reporting(registry: list[dict[str, str]], rng: random.Random) -> list[dict[str, str]]:
    pilot = [r for r in registry if r["pilot"] == "true"]  # the national pilot reports, whatever the draw
    others = [r for r in registry if r["pilot"] != "true"]
    chosen = pilot + rng.sample(others, REPORTING_COOPERATIVES - len(pilot))
    return sorted(chosen, key=lambda r: r["cooperative_id"])


def _assign_shapes(coops: list[dict[str, str]], rng: random.Random) -> dict[str, str]:
    # A quota rather than independent draws, so that every shape is present whatever the seed.
    pool = [shape for shape, n in SHAPE_QUOTA.items() for _ in range(n)]
    pool += ["csv_semicolon_cp1252"] * (len(coops) - len(pool))
    rng.shuffle(pool)
    return {c["cooperative_id"]: shape for c, shape in zip(coops, pool, strict=True)}


def _make_clerk(shape: str, supply: Sequence[str], rng: random.Random) -> _Clerk:
    catalogue = load_catalogue()
    english = shape.startswith("csv_comma")
    spelling: dict[str, str] = {}
    units: dict[str, str] = {}
    for code in CLERK_SPELLINGS:
        choices = CLERK_SPELLINGS[code]
        # app exports and English CSVs write the catalogue name or code; Indonesian sheets are freer
        spelling[code] = rng.choice((catalogue.commodities[code].name, code)) if english else rng.choice(choices)
    for code in supply:
        units[code] = _usual_unit(code, rng)
    units["beras"] = rng.choices(("sak", "kg", "kuintal"), weights=(5, 3, 2))[0]
    units["gula"] = rng.choices(("kg", "sak"), weights=(7, 3))[0]
    for code in ("pupuk_urea", "pupuk_npk"):
        units[code] = rng.choices(("sak", "kg"), weights=(9, 1))[0]
    units["lpg_3kg"], units["minyak_goreng"] = "tabung", "liter"
    return _Clerk(
        shape=shape,
        lines_template=rng.choice(LINES_TEMPLATES),
        finance_template=rng.choice(FINANCE_TEMPLATES),
        rupiah_prefix=rng.random() < 0.5,
        title_rows=rng.choice((1, 2)),
        date_cells=rng.random() < 0.6,
        indonesian_keys=rng.random() < 0.5,
        spelling=spelling,
        units=units,
        late=rng.random() < 0.2,
    )


def _usual_unit(code: str, rng: random.Random) -> str:
    if code == "tbs_sawit":
        return rng.choices(("kg", "ton", "tandan"), weights=(5, 3, 2))[0]
    if code == "kelapa":
        return rng.choices(("butir", "gandeng"), weights=(9, 1))[0]
    return rng.choices(("kg", "kuintal"), weights=(85, 15))[0]


def _reported_periods(rng: random.Random) -> list[bool]:
    """Which months a cooperative reports: most every month, some start late, lapse or report now and then."""
    pattern = rng.choices(("steady", "late_start", "lapse", "sporadic"), weights=(70, 10, 10, 10))[0]
    reported = [rng.random() < 0.96 for _ in PERIODS]
    if pattern == "late_start":
        start = rng.randint(2, 4)
        reported = [i >= start and r for i, r in enumerate(reported)]
    elif pattern == "lapse":
        gap, length = rng.randint(3, 8), rng.randint(2, 3)
        reported = [r and not gap <= i < gap + length for i, r in enumerate(reported)]
    elif pattern == "sporadic":
        reported = [rng.random() < 0.7 for _ in PERIODS]
    if not any(reported):
        reported[-1] = True
    return reported


def _received_at(period: str, late: bool, rng: random.Random) -> datetime:
    # Reports are due by the 10th of the next month (ASSUMPTION); late clerks send up to three weeks after.
    year, month = (int(x) for x in period.split("-"))
    first_next = date(year + month // 12, month % 12 + 1, 1)
    day = rng.randint(11, 31) if late or rng.random() < 0.08 else rng.randint(1, 10)
    when = datetime.combine(first_next + timedelta(days=day - 1), datetime.min.time(), WIB)
    return when + timedelta(hours=rng.randint(8, 20), minutes=rng.randint(0, 59))


def _cooperative_year(coop: dict[str, str], shape: str, seed: int, only: Sequence[str] = ()) -> list[_Submission]:
    """Every submission one cooperative sends in the demo year (its own random stream, so order never matters).

    ``only`` forces the months reported, finance included (for the unregistered cooperative).
    """
    rng = random.Random(f"{seed}/{coop['cooperative_id']}")
    supply = _supply_profile(coop, rng)
    clerk = _make_clerk(shape, [code for code, _ in supply], rng)
    demand = _demand_profile(coop, supply, rng)
    reported = [p in only for p in PERIODS] if only else _reported_periods(rng)
    months = [_month_lines(coop, clerk, supply, demand, i, rng) for i in range(len(PERIODS))]
    # the loan has its own stream, so how loans are drawn never moves a cooperative's lines, shapes or times
    finance = _finance_year(coop, months, rng, random.Random(f"{seed}/{coop['cooperative_id']}/loan"))

    subs = []
    for i, period in enumerate(PERIODS):
        if not reported[i]:
            continue
        month_shape = shape
        if rng.random() < SHAPE_SWITCH:
            month_shape = rng.choice([s for s in SHAPES if s != shape])
        received = _received_at(period, clerk.late, rng)
        if month_shape == "csv_semicolon_cp1252":
            _ensure_non_ascii(months[i])
        subs.append(_Submission(coop, clerk, period, LINES, month_shape, received, "", lines=months[i]))
        if rng.random() < 0.95 or only:  # finance now and then forgotten (ASSUMPTION)
            later = received + timedelta(minutes=rng.randint(1, 90))
            subs.append(_Submission(coop, clerk, period, FINANCE, month_shape, later, "", finance=finance[i]))
    for sub in subs:
        sub.name = _file_name(sub)
    return subs


def _file_name(sub: _Submission) -> str:
    template = sub.clerk.lines_template if sub.kind == LINES else sub.clerk.finance_template
    stem = template.format(cid=sub.coop["cooperative_id"], period=sub.period)
    return stem + SUFFIX.get(sub.shape, ".csv")


# --- finance ----------------------------------------------------------------------------------------------------

# The plafon, rate, tenor, imbal jasa and DSCR target are the financing rules' own (summaries.financing [S34][S35]).
FIRST_TRANCHE_IDR = 500_000_000  # Himbara signalled about Rp 500 jt as the first tranche [S43]
LOAN_APPLY_WITH_PROPOSAL = 0.6  # share of cooperatives with a business proposal that apply (ASSUMPTION)
LOAN_APPLY_WITHOUT = 0.1  # and without one: they will be told to write it (ASSUMPTION)
LOAN_DISBURSED = 0.3  # share of requests whose first tranche is paid out within the year (ASSUMPTION)
# How a cooperative sizes its request: weights of (first tranche, full plafon, its own plan) and the plan's factor on
# what its cash flow repays, for one with its papers ready and one without (ASSUMPTION).
LOAN_STYLE_READY: tuple[tuple[int, int, int], tuple[float, float]] = ((1, 0, 5), (0.5, 1.1))
LOAN_STYLE_UNREADY: tuple[tuple[int, int, int], tuple[float, float]] = ((3, 1, 3), (0.8, 2.0))
LOAN_STEP_IDR = 50_000_000  # requests in whole Rp 50 jt (ASSUMPTION)
LOAN_MIN_IDR = 100_000_000  # the least a plan asks for: below it a bank loan is not worth the paperwork (ASSUMPTION)


def _finance_year(
    coop: dict[str, str], months: Sequence[Sequence[_Row]], rng: random.Random, loan_rng: random.Random
) -> list[dict[str, int]]:
    """Monthly finance figures consistent with the lines: revenue from the gerai and trading, savings, loans."""
    members_now = int(coop["members"])
    pokok = rng.choice((50_000, 75_000, 100_000))  # one-off principal savings [S10][S23]
    wajib = rng.choice((10_000, 15_000, 20_000))  # mandatory savings per month [S10][S23]
    collected = rng.uniform(0.55, 0.95)  # share of members paying wajib (ASSUMPTION)
    markup = rng.uniform(1.05, 1.15)  # gerai margin on needs (ASSUMPTION)
    trading_fee = rng.uniform(0.01, 0.03)  # share of the supply value the coop keeps for aggregating (ASSUMPTION)
    handling = rng.uniform(0.005, 0.015)  # weighing, sacks, transport to the hub (ASSUMPTION)
    services = rng.uniform(1e6, 5e6)  # klinik, BRILink, rentals (ASSUMPTION)
    staff = rng.uniform(3e6, 8e6)  # staff, electricity, rent a month (ASSUMPTION)
    growth = rng.uniform(0.02, 0.06)  # gerai sales grow as the gerai finds its customers (ASSUMPTION)

    # Who asks for a PMK 49 loan, and how much (<= Rp3 bn [S35]); some get a Rp500 jt first tranche [S43].
    requested = _loan_request(coop, months, (markup, trading_fee, handling, services, staff, growth), loan_rng)
    request_month = loan_rng.randint(0, 6)
    tranche = min(requested, FIRST_TRANCHE_IDR) if requested and loan_rng.random() < LOAN_DISBURSED else 0
    disbursed_month = loan_rng.randint(request_month + 1, 10) if tranche else 99
    grace = loan_rng.randint(6, 8)  # grace 6-8 months [S35]
    rate = financing.monthly_rate()  # 6 %/yr [S35]
    installment = tranche / financing.annuity_factor(financing.TENOR_MONTHS - grace) if tranche else 0.0

    founded = date.fromisoformat(coop["sk_ahu_date"])
    months_before = (2025 - founded.year) * 12 + 11 - founded.month  # wajib months paid before Nov 2025
    members = round(members_now * 0.8)
    wajib_balance = members * wajib * collected * months_before
    cash = members * pokok * 0.7 + wajib_balance * 0.7
    outstanding = 0.0
    out = []
    for i, rows in enumerate(months):
        members = max(9, round(members_now * (0.8 + 0.02 * i) * rng.uniform(0.99, 1.01)))  # >= 9 founders [S15]
        wajib_in = members * wajib * collected
        wajib_balance += wajib_in
        supply_value = sum(r.quantity * r.unit_price_idr for r in rows if r.flow == SUPPLY)
        demand_value = sum(r.quantity * r.unit_price_idr for r in rows if r.flow == DEMAND)
        goods = demand_value * (1 + growth * i)  # what the gerai buys to sell on
        revenue = goods * markup + supply_value * trading_fee + services * (1 + growth * i)
        cost = goods * rng.uniform(0.97, 1.02) + staff + supply_value * handling
        cash += revenue - cost + wajib_in + max(0, members - round(members_now * 0.8)) * pokok / 12
        if i == disbursed_month:
            outstanding = float(tranche)
            cash += tranche
        elif tranche and i > disbursed_month + grace:
            principal = installment - outstanding * rate
            outstanding -= principal
            cash -= installment
        cash = max(cash, rng.uniform(2e5, 2e6))  # the clerk's books never show an overdraft
        asked = 0
        if requested and i >= request_month:
            asked = requested - tranche if i >= disbursed_month else requested  # the rest as a top-up [S35]
        figures = {
            "revenue_idr": revenue,
            "operating_cost_idr": cost,
            "cash_idr": cash,
            "members": members,
            "savings_principal_idr": members * pokok,
            "savings_mandatory_idr": wajib_balance,
            "loan_outstanding_idr": outstanding,
            "loan_requested_idr": asked,
        }
        out.append({k: int(v) if k == "members" else int(round(v, -3)) for k, v in figures.items()})
    return out


def _loan_request(
    coop: dict[str, str], months: Sequence[Sequence[_Row]], business: tuple[float, ...], rng: random.Random
) -> int:
    """The PMK 49 loan a cooperative asks for (0: it does not apply), in whole Rp 50 jt from Rp 100 jt.

    A cooperative with a business proposal (the RAB and repayment plan the application is made of [S36]) applies
    far more often. What it asks spans what cooperatives ask for: the Rp 500 jt first tranche banks signalled [S43],
    the full Rp 3 bn plafon [S35], or the amount its own plan sizes from its business: the loan its expected cash
    flow repays at the DSCR target, times a factor. One that holds every document and its approval letter has been
    through the bank's preparation and mostly sizes its plan prudently; one still without them more often asks the
    round figures it heard of, or more than its business carries (ASSUMPTION). So some applicants can repay and
    others cannot.
    """
    applies = LOAN_APPLY_WITH_PROPOSAL if coop.get("has_business_proposal") == "true" else LOAN_APPLY_WITHOUT
    if rng.random() >= applies:
        return 0
    held = ("sk_ahu_no", "nik_koperasi", "bank_account", "npwp", "nib")
    ready = all(coop.get(f) for f in held) and coop.get("has_approval_letter") == "true"
    markup, trading_fee, handling, services, staff, growth = business
    flows = []
    for i, rows in enumerate(months):  # the month's expected revenue - cost, as _finance_year draws them
        supply = sum(r.quantity * r.unit_price_idr for r in rows if r.flow == SUPPLY)
        goods = sum(r.quantity * r.unit_price_idr for r in rows if r.flow == DEMAND) * (1 + growth * i)
        flows.append(goods * (markup - 0.995) + supply * (trading_fee - handling) + services * (1 + growth * i) - staff)
    repays = max(sum(flows) / len(flows), 0.0) * (1 - financing.IMBAL_JASA_SHARE) / financing.DSCR_ELIGIBLE
    planned = repays * financing.annuity_factor(financing.TENOR_MONTHS - financing.GRACE_MONTHS)
    weights, factor = LOAN_STYLE_READY if ready else LOAN_STYLE_UNREADY
    style = rng.choices(("first_tranche", "plafon", "plan"), weights=weights)[0]
    plafon = financing.PLAFON_IDR
    amount = {"first_tranche": FIRST_TRANCHE_IDR, "plafon": plafon, "plan": planned * rng.uniform(*factor)}
    return int(min(max(round(amount[style] / LOAN_STEP_IDR) * LOAN_STEP_IDR, LOAN_MIN_IDR), plafon))


def _unknown_cooperative(seed: int) -> list[_Submission]:
    """A cooperative outside the registry (a wrong kode or a neighbour's) sends a couple of months."""
    fake = {
        "cooperative_id": UNKNOWN_COOPERATIVE_ID,
        "cooperative_name": "Koperasi Desa Merah Putih Tanjung Batu",
        "village_code": "19.02.06.9999",
        "district_code": "19.02.05",
        "cooperative_type": "KDMP",
        "members": "120",
        "business_units": "gerai_sembako|kantor",
        "sk_ahu_date": "2025-07-15",
        "pilot": "false",
    }
    subs = _cooperative_year(fake, "csv_semicolon_cp1252", seed, only=PERIODS[-UNKNOWN_COOPERATIVE_PERIODS - 1 : -1])
    for s in subs:
        s.defects = ("unknown_cooperative",)
    return subs
