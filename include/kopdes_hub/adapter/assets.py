"""Every Airflow asset and shared schedule of the hub, defined once (producers: ``outlets=``, consumers: ``schedule=``).

The DAG files import this module at parse time, so it imports nothing heavy: DAGs parse fast.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, AssetWatcher, CronDataIntervalTimetable, CronTriggerTimetable
from airflow.triggers.base import BaseEventTrigger

from include.kopdes_hub.adapter.alerts import KopdesAlert
from include.kopdes_hub.config import TIMEZONE, get_settings
from include.kopdes_hub.ingest import events

START = datetime(2025, 11, 1)
OWNER = "hub-data"
# The pool bounding the memory-heavy tasks (a GX batch holds ~1 GB per million rows): `make setup` and the
# compose init create it with 2 slots.
HEAVY_POOL = "kopdes_heavy"

# Every task: an owner, retries with exponential backoff (I/O to the store and the lake fails transiently), and
# one alert line (plus the webhook, if set) when a task fails for good.
DEFAULT_ARGS = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=15),
    "on_failure_callback": [KopdesAlert()],
}

# A sweep of landing on a schedule too, so a lost "new file" event delays a file but never loses it
# (KOPDES_SWEEP_CRON overrides the every-15-minutes default).
LANDING_SWEEP = CronTriggerTimetable(get_settings().sweep_cron, timezone=TIMEZONE)
# Nightly at 02:00 WIB with a real data interval (the previous day), so a night can be backfilled.
NIGHTLY = CronDataIntervalTimetable("0 2 * * *", timezone=TIMEZONE)


def _landing_watcher() -> AssetWatcher:
    """Redis pub/sub when configured, else a sentinel file in landing (see ``events``). Building the trigger does
    no I/O; the triggerer runs it."""
    if events.mode() == events.REDIS:
        from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger

        # poll_interval 1 s: the provider's default (60 s) was measured to delay events by ~50 s
        trigger: BaseEventTrigger = MessageQueueTrigger(
            scheme="redis+pubsub", channels=[events.CHANNEL], poll_interval=1
        )
    else:
        from airflow.providers.standard.triggers.file import FileDeleteTrigger

        trigger = FileDeleteTrigger(filepath=str(events.sentinel_path()), poke_interval=5)
    return AssetWatcher(name="kopdes_landing_events", trigger=trigger)


LANDING = Asset(name="kopdes_landing", uri="kopdes://landing", group="kopdes", watchers=[_landing_watcher()])
BRONZE_SUBMISSIONS = Asset(name="bronze_submissions", uri="kopdes://lake/bronze", group="kopdes")
SILVER_SUBMISSIONS = Asset(name="silver_submissions", uri="kopdes://lake/silver", group="kopdes")
# the clerks' feedback and the engineers' GX pages, rendered off the decision path (nothing is scheduled on it: it
# is there so the UI shows when pages were last written, and by which run)
FEEDBACK_PAGES = Asset(name="feedback_pages", uri="kopdes://lake/feedback", group="kopdes")
HUB_SUMMARIES = Asset(name="hub_summaries", uri="kopdes://lake/gold/summaries", group="kopdes")
GOLD_COMMODITY_VOLUMES = Asset(
    name="gold_commodity_volumes", uri="kopdes://lake/gold/commodity_volumes", group="kopdes"
)
