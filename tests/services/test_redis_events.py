"""The landing watcher against the Redis on 127.0.0.1:6379: an announce reaches the same trigger the triggerer runs."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest

from include.kopdes_hub.ingest import events

pytestmark = pytest.mark.services
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_events(monkeypatch):
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    monkeypatch.setenv("AIRFLOW_CONN_REDIS_DEFAULT", REDIS_URL)
    monkeypatch.delenv("KOPDES_EVENTS", raising=False)
    yield client
    client.close()


def test_announce_publishes_on_the_channel(settings, tmp_path, redis_events):
    pubsub = redis_events.pubsub()
    pubsub.subscribe(events.CHANNEL)
    pubsub.get_message(timeout=2)  # the subscription confirmation
    source = tmp_path / "a.csv"
    source.write_bytes(b"x")
    _, how = events.announce([source])
    message = pubsub.get_message(timeout=5)
    pubsub.close()
    assert "published" in how
    assert message and json.loads(message["data"]) == {"files": ["a.csv"]}


def test_the_watchers_trigger_fires_on_an_announce(settings, tmp_path, redis_events):
    from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger

    trigger = MessageQueueTrigger(scheme="redis+pubsub", channels=[events.CHANNEL], poll_interval=0.2)
    source = tmp_path / "b.csv"
    source.write_bytes(b"y")

    def announce_until_heard(stop: threading.Event) -> None:
        # pub/sub drops what is sent before the trigger subscribes: keep announcing until it hears one
        while not stop.wait(0.3):
            events.announce([source])

    async def first_event():
        return await asyncio.wait_for(anext(trigger.run()), timeout=15)

    stop = threading.Event()
    thread = threading.Thread(target=announce_until_heard, args=(stop,), daemon=True)
    started = time.perf_counter()
    thread.start()
    try:
        event = asyncio.run(first_event())
    finally:
        stop.set()
        thread.join()
    # the asset event's extra carries this payload under "payload" (what the ingest run logs)
    assert event.payload["channel"] == events.CHANNEL
    assert json.loads(event.payload["data"]) == {"files": ["b.csv"]}
    assert time.perf_counter() - started < 15
