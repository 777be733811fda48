"""
DAG ini memeriksa setiap laporan yang sudah masuk bronze terhadap kontrak data (kolom wajib, koperasi, periode,
komoditas, satuan, harga): baris yang benar masuk silver, baris yang salah masuk karantina beserta alasannya, dan
setiap koperasi mendapat umpan balik dalam Bahasa Indonesia. Berjalan otomatis begitu DAG ingest membawa laporan
baru ke bronze; tidak ada jadwal jam.

### Validate: bronze -> silver + quarantine

Woken by `bronze_submissions`. Every submission parsed to bronze and not yet validated is checked against the
data contract (`include/kopdes_hub/contract/`) with a Great Expectations suite built from it: one GX run per
kind per batch, `result_format` COMPLETE without its extras, GX's unexpected indices split the rows.

- accepted rows -> `silver/<kind>/period=YYYY-MM/<submission_id>.parquet` (typed, base units, IDR)
- rejected rows -> `quarantine/<kind>/period=YYYY-MM/<submission_id>.parquet`, every rule broken with a reason
- ledger: accepted / partly_accepted / rejected, then superseded for files a later one replaces;
  bronze rows = silver rows + quarantined rows is checked per submission (a mismatch fails the task)
- then, off the decision path, `render_feedback` (mapped, emits `feedback_pages`): per submission decided since
  its last render, the GX result (`validation/<submission_id>/gx_result.{json,html}`) and the clerk's feedback
  (`feedback/<cooperative_id>/period=.../<submission_id>.{html,csv}`, Bahasa Indonesia), from the ledger's
  decision and the quarantine's reasons. Silver is announced before it starts, so aggregation runs beside it and
  a failed render (retried by the next run) never holds a month back.

Schedule: the asset `bronze_submissions` (updated by kopdes_ingest), no time schedule. Emits `silver_submissions`
when at least one submission was validated, `feedback_pages` when a batch of pages was written.
"""

from airflow.sdk import dag, task

from include.kopdes_hub.adapter.assets import (
    BRONZE_SUBMISSIONS,
    DEFAULT_ARGS,
    FEEDBACK_PAGES,
    HEAVY_POOL,
    SILVER_SUBMISSIONS,
    START,
)


@dag(
    schedule=BRONZE_SUBMISSIONS,
    start_date=START,
    catchup=False,
    max_active_runs=1,
    tags=["kopdes", "validate", "silver"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
)
def kopdes_validate():
    @task
    def find_bronze() -> list[list[str]]:
        from include.kopdes_hub.adapter import tasks

        return tasks.find_bronze_batches()

    @task(map_index_template="{{ batch_label }}", pool=HEAVY_POOL)
    def validate_batch(submission_ids: list[str]) -> dict[str, int]:
        from include.kopdes_hub.adapter import tasks

        return tasks.validate_batch(submission_ids)

    @task(outlets=[SILVER_SUBMISSIONS])
    def settle_silver(results: list[dict[str, int]]) -> dict[str, int]:
        from include.kopdes_hub.adapter import tasks

        return tasks.settle_silver(results, SILVER_SUBMISSIONS)

    # after every batch has recorded its decisions, whatever became of them (a skipped settle or a failed batch leaves
    # decisions to render, and an earlier run's failed render is retried here)
    @task(trigger_rule="all_done")
    def find_unrendered() -> list[list[str]]:
        from include.kopdes_hub.adapter import tasks

        return tasks.find_render_batches()

    @task(map_index_template="{{ batch_label }}", outlets=[FEEDBACK_PAGES])
    def render_feedback(submission_ids: list[str]) -> dict[str, int]:
        from include.kopdes_hub.adapter import tasks

        return tasks.render_feedback(submission_ids, FEEDBACK_PAGES)

    settled = settle_silver(validate_batch.expand(submission_ids=find_bronze()))
    # silver is announced first, so aggregation starts beside the rendering and never waits for it
    unrendered = find_unrendered()
    settled >> unrendered
    render_feedback.expand(submission_ids=unrendered)


kopdes_validate()
