"""'A new file has landed': how an upload portal or sync job tells the pipeline, and how the pipeline listens.

Events are hints, the ledger is the truth. Redis pub/sub is at-most-once (messages sent back to back, or while the
triggerer restarts, are lost), so an event only wakes the ingest DAG, which takes every file the ledger has not
finished; the 15-minute sweep catches a file whose event was lost, and a replayed event never doubles a row.
Without Redis (the embedded default) the signal is a sentinel file in landing that a ``FileDeleteTrigger`` waits
for and removes.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

from include.kopdes_hub.config import get_settings

CHANNEL = "kopdes.landing"
SENTINEL = "_new_files"  # ingest never takes names starting with "_" as submissions
REDIS = "redis"
FILE = "file"


def mode() -> str:
    """``redis`` when a Redis connection is configured (or KOPDES_EVENTS=redis), else ``file``."""
    return get_settings().events


def redis_url() -> str:
    return get_settings().redis_url


def sentinel_path() -> Path:
    return get_settings().landing / SENTINEL


def land(source: Path) -> Path:
    """Copy a file into landing under its own name, atomically: ingest never sees half a file."""
    landing = get_settings().landing
    landing.mkdir(parents=True, exist_ok=True)
    target = landing / source.name
    tmp = landing / f".{source.name}.{uuid.uuid4().hex}.part"
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def notify(names: list[str]) -> str:
    """Tell the watcher that files landed: one Redis message, or the sentinel file."""
    if mode() == REDIS:
        import redis

        client = redis.Redis.from_url(redis_url())
        try:
            client.publish(CHANNEL, json.dumps({"files": names}))
        finally:
            client.close()
        return f"published on redis channel {CHANNEL}"
    sentinel_path().parent.mkdir(parents=True, exist_ok=True)
    sentinel_path().touch()
    return f"touched {sentinel_path()}"


def announce(sources: list[Path]) -> tuple[list[Path], str]:
    landed = [land(s) for s in sources]
    return landed, notify([p.name for p in landed])
