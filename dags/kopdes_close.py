"""
DAG ini meminta persetujuan manajer hub untuk menutup satu bulan yang sudah melewati batas laporan (tanggal 10
bulan berikutnya, WIB). Manajer menjawab di Airflow (Browse > Required Actions): setuju, maka angka bulan itu
menjadi final dan berversi; tolak dengan alasan, maka bulan tetap terbuka. Berjalan setiap hari pukul 09.00 WIB.

### Close: the hub manager approves a month, its figures become final and versioned

Every day at 09:00 WIB (`0 9 * * *`, WIB), takes the oldest month past its reporting deadline (the 10th of the
next month, WIB) that is still open, builds its close pack (key figures, compliance per kind, the cooperatives
missing, rows still quarantined, the draft report's link) and asks the hub manager with an `ApprovalOperator`
(subject and body in Bahasa Indonesia; an optional reason in the form). The task waits as `awaiting_input`,
holding no worker or pool slot. The answer is recorded as it arrives (`adapter.close.MonthApproval`, the
standard `ApprovalOperator` plus the store): approve closes the month (who, when and why in `month_decision`), its
summaries become final version n and a copy of each gold partition is kept in `gold_history/`; reject keeps the
month open, the rejection and its reason on record. One month a run. Reopen with `kopdes_reopen`.
"""

from airflow.sdk import CronTriggerTimetable, Param, dag, task

from include.kopdes_hub.adapter.assets import DEFAULT_ARGS, START, TIMEZONE
from include.kopdes_hub.adapter.close import REASON, MonthApproval


@dag(
    schedule=CronTriggerTimetable("0 9 * * *", timezone=TIMEZONE),
    start_date=START,
    catchup=False,
    max_active_runs=1,  # a run waiting for the manager holds the next day's back
    tags=["kopdes", "close", "approval"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
)
def kopdes_close():
    @task
    def next_due_month() -> str:
        from include.kopdes_hub.adapter import close

        return close.next_due_month()

    @task
    def close_pack(period: str) -> dict:
        from include.kopdes_hub.adapter import close

        return close.close_pack(period)

    pack = close_pack(next_due_month())
    approve_month = MonthApproval(
        task_id="approve_month",
        pack_task_id="close_pack",
        subject="{{ ti.xcom_pull(task_ids='close_pack')['subject'] }}",
        body="{{ ti.xcom_pull(task_ids='close_pack')['body'] }}",
        params={REASON: Param("", type="string", title="Alasan / catatan (wajib bila menolak)")},
    )
    pack >> approve_month


kopdes_close()
