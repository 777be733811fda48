"""Every Airflow asset and shared schedule of the hub, defined once (producers: ``outlets=``, consumers: ``schedule=``).

This module and the DAG files are the only places that import Airflow; it imports nothing heavy, so DAGs parse fast.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Asset, CronDataIntervalTimetable, CronTriggerTimetable

TIMEZONE = "Asia/Jakarta"  # Belitung keeps WIB
START = datetime(2025, 11, 1)
OWNER = "hub-data"

# A sweep of landing on a schedule, so a lost "new file" event delays a file but never loses it.
LANDING_SWEEP = CronTriggerTimetable("*/15 * * * *", timezone=TIMEZONE)
# Nightly at 02:00 WIB with a real data interval (the previous day), so a night can be backfilled.
NIGHTLY = CronDataIntervalTimetable("0 2 * * *", timezone=TIMEZONE)

BRONZE_SUBMISSIONS = Asset(name="bronze_submissions", uri="kopdes://lake/bronze", group="kopdes")
SILVER_SUBMISSIONS = Asset(name="silver_submissions", uri="kopdes://lake/silver", group="kopdes")
HUB_SUMMARIES = Asset(name="hub_summaries", uri="kopdes://lake/gold/summaries", group="kopdes")
GOLD_COMMODITY_VOLUMES = Asset(
    name="gold_commodity_volumes", uri="kopdes://lake/gold/commodity_volumes", group="kopdes"
)
