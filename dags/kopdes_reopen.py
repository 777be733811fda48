"""
DAG ini membuka kembali bulan yang sudah ditutup, atas permintaan yang dicatat: jalankan DAG ini, lalu isi bulan
(YYYY-MM) dan alasannya di Airflow (Browse > Required Actions). Berkas yang tertahan untuk bulan itu dihitung pada
proses berikutnya, dan angkanya terbit sebagai versi baru. Tidak berjalan terjadwal (dipicu manual).

### Reopen: a closed month is opened again, with a recorded reason

Triggered by hand (no schedule). A `HITLEntryOperator` asks for the month and the reason; `record_reopen`
reopens it (who, when and why in `month_decision`). The next aggregate and publish let the held files in and
publish the draft of version n+1; version n stays readable in `gold_history/`. Same as
`python -m include.kopdes_hub.cli reopen PERIOD --by NAME --reason TEXT`.
"""

from airflow.providers.standard.operators.hitl import HITLEntryOperator
from airflow.sdk import Param, dag, task

from include.kopdes_hub.adapter.assets import DEFAULT_ARGS, START


@dag(
    schedule=None,
    start_date=START,
    catchup=False,
    tags=["kopdes", "close", "approval"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
)
def kopdes_reopen():
    ask_reopen = HITLEntryOperator(
        task_id="ask_reopen",
        subject="Buka kembali bulan yang sudah ditutup",
        body="Isi bulan (YYYY-MM) dan alasan membuka kembali. Angka bulan itu akan terbit sebagai versi baru.",
        params={
            "periode": Param("", type="string", title="Bulan (YYYY-MM)"),
            "alasan": Param("", type="string", title="Alasan"),
        },
    )

    @task
    def record_reopen(answer: dict) -> dict:
        from include.kopdes_hub.adapter import close

        return close.record_reopen(answer)

    record_reopen(ask_reopen.output)


kopdes_reopen()
