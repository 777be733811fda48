"""
DAG ini menyusun ringkasan bulanan hub (neraca pasokan dan kebutuhan, rencana pengiriman antardesa, kelayakan
pembiayaan, komoditas unggulan, kepatuhan pelaporan) dan laporan hub dalam HTML yang bisa dibuka di Airflow
(Browse > Laporan Hub). Berjalan otomatis begitu data gold berubah, dan setiap malam pukul 02.00 WIB.

### Publish: gold volumes + ledger + registry -> the hub's summaries and report

Runs when `gold_commodity_volumes` changes and every night at 02:00 WIB (backfillable). For every month whose
inputs changed since its last publication (gold volumes of the month and the three before, ledger decisions up to
the month), writes five gold datasets, partitioned by period and mirrored as SQL tables:

- `hub_balance` (neraca): supply, demand, surplus or deficit, coverage per village and for the hub, with what the
  transfer plan ships and what stays unsold or unmet for outside markets;
- `hub_transfers`: the least-cost plan moving surplus to deficit villages (HiGHS linear programme, transport costs
  in `include/kopdes_hub/reference/transport.yaml`);
- `financing_eligibility`: ELIGIBLE / CONDITIONAL / NOT_ELIGIBLE per cooperative that asked for a loan, NOT_APPLIED
  for one that did not, every rule with its figure, threshold and source, and the estimated maximum loan (PMK 49/2025);
- `leading_commodities`: volume, value, shares and location quotient per district;
- `reporting_compliance`: on time / late / missing, rejection rate and staleness per cooperative;

then renders the month's hub report (HTML, Bahasa Indonesia), linked from the Airflow UI ("Laporan Hub").
Schedule: the asset `gold_commodity_volumes`, or nightly `0 2 * * *` in WIB (02:00), whichever comes first.
A month the hub manager closed (kopdes_close) is never recomputed: only its report is rendered again to list
the files held for it. Emits `hub_summaries`.
"""

from airflow.sdk import AssetOrTimeSchedule, dag, task

from include.kopdes_hub.adapter.assets import (
    DEFAULT_ARGS,
    GOLD_COMMODITY_VOLUMES,
    HEAVY_POOL,
    HUB_SUMMARIES,
    NIGHTLY,
    START,
)


@dag(
    schedule=AssetOrTimeSchedule(timetable=NIGHTLY, assets=GOLD_COMMODITY_VOLUMES),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    tags=["kopdes", "publish", "gold"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
)
def kopdes_publish():
    @task
    def plan_months() -> list[str]:
        from include.kopdes_hub.adapter import tasks

        return tasks.plan_publication()

    @task(map_index_template="{{ period }}", pool=HEAVY_POOL)
    def publish_month(period: str) -> dict:
        from include.kopdes_hub.adapter import tasks

        return tasks.publish_period(period)

    @task(outlets=[HUB_SUMMARIES])
    def announce_summaries(results: list[dict]) -> dict:
        from include.kopdes_hub.adapter import tasks

        return tasks.announce_summaries(results, HUB_SUMMARIES)

    announce_summaries(publish_month.expand(period=plan_months()))


kopdes_publish()
