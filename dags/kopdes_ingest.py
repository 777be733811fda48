"""
DAG ini mengambil setiap berkas laporan yang dikirim koperasi desa ke folder landing, mencatatnya di buku besar
(ledger) dan menyimpannya apa adanya sebagai data bronze; berkas yang tidak bisa dibaca tetap di landing dengan
alasannya. Berjalan setiap kali ada berkas baru diumumkan, dan juga setiap 15 menit (WIB) sebagai penyapuan agar
tidak ada berkas yang terlewat.

### Ingest: landing -> bronze

On each "new file" event (the `kopdes_landing` asset's watcher: Redis pub/sub, or a sentinel file without Redis)
and every 15 minutes as a sweep, this DAG takes every file in the landing folder that the ledger has not
finished, records it by SHA-256 (the same bytes twice are one submission, whatever the name) and parses it into
one bronze Parquet file per submission, values exactly as received plus lineage. A file that cannot be read gets
the status `unreadable` with a reason in the ledger and stays in landing untouched. Events are hints, the ledger
is the truth: a lost event delays a file until the sweep, a replayed one finds nothing new.

Schedule: each `kopdes_landing` event, or the sweep `*/15 * * * *` in WIB (every 15 minutes, `KOPDES_SWEEP_CRON`),
whichever comes first. Emits `bronze_submissions` when at least one new submission reached bronze.
Paths: `KOPDES_LANDING`, `KOPDES_LAKE`, `KOPDES_DB_URL` (see README).
"""

from airflow.sdk import AssetOrTimeSchedule, dag, task

from include.kopdes_hub.adapter.assets import BRONZE_SUBMISSIONS, DEFAULT_ARGS, LANDING, LANDING_SWEEP, START


@dag(
    schedule=AssetOrTimeSchedule(timetable=LANDING_SWEEP, assets=LANDING),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    tags=["kopdes", "ingest", "bronze"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
)
def kopdes_ingest():
    @task
    def prepare_store() -> dict[str, int]:
        from include.kopdes_hub.adapter import tasks

        return tasks.prepare_store()

    @task
    def find_new_files() -> list[list[str]]:
        from include.kopdes_hub.adapter import tasks

        return tasks.find_new_file_batches()

    @task(map_index_template="{{ batch_label }}")
    def ingest_batch(paths: list[str]) -> dict[str, int]:
        from include.kopdes_hub.adapter import tasks

        return tasks.ingest_batch(paths)

    @task(outlets=[BRONZE_SUBMISSIONS])
    def announce_bronze(results: list[dict[str, int]]) -> dict[str, int]:
        from include.kopdes_hub.adapter import tasks

        return tasks.announce_bronze(results, BRONZE_SUBMISSIONS)

    batches = find_new_files()
    prepare_store() >> batches
    announce_bronze(ingest_batch.expand(paths=batches))


kopdes_ingest()
