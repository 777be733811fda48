"""
DAG ini menjumlahkan volume dan nilai komoditas dari baris yang diterima (dalam satuan dasar: kg, butir, tabung,
liter) per periode, koperasi dan komoditas menjadi data gold. Berjalan otomatis begitu validasi menghasilkan data
silver baru, dan setiap malam pukul 02.00 WIB.

### Aggregate: silver -> gold/commodity_volumes

Runs when `silver_submissions` changes and every night at 02:00 WIB (a real data interval: a night can be
backfilled with `airflow backfill create`). Rebuilds only the periods whose accepted submissions changed since
their last publication (a fingerprint per period in the `publication` table); a nightly run also rebuilds the
periods of submissions that landed during its interval. Per (cooperative, kind, month) only the latest accepted
submission counts; superseded rows drop out.

Output: `gold/commodity_volumes/period=YYYY-MM/part-0.parquet` (schema `include/kopdes_hub/storage/schemas.py`, one file
replaced atomically) and the SQL table `gold_commodity_volumes` (replaced per period in one transaction).
Schedule: the asset `silver_submissions`, or nightly `0 2 * * *` in WIB (02:00, the previous day as data interval),
whichever comes first. Emits `gold_commodity_volumes` with the periods rebuilt.
"""

from airflow.sdk import AssetOrTimeSchedule, dag, task

from include.kopdes_hub.adapter.assets import DEFAULT_ARGS, GOLD_COMMODITY_VOLUMES, NIGHTLY, SILVER_SUBMISSIONS, START


@dag(
    schedule=AssetOrTimeSchedule(timetable=NIGHTLY, assets=SILVER_SUBMISSIONS),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    tags=["kopdes", "aggregate", "gold"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
)
def kopdes_aggregate():
    @task
    def plan_periods() -> list[str]:
        from include.kopdes_hub.adapter import tasks

        return tasks.plan_aggregation()

    @task(map_index_template="{{ period }}")
    def rebuild_period(period: str) -> dict:
        from include.kopdes_hub.adapter import tasks

        return tasks.rebuild_period(period)

    @task(outlets=[GOLD_COMMODITY_VOLUMES])
    def announce_gold(results: list[dict]) -> dict:
        from include.kopdes_hub.adapter import tasks

        return tasks.announce_gold(results, GOLD_COMMODITY_VOLUMES)

    announce_gold(rebuild_period.expand(period=plan_periods()))


kopdes_aggregate()
