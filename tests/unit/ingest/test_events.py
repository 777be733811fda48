"""Announcing a file: it lands whole, and the watcher's signal never becomes a submission itself."""

from __future__ import annotations

from include.kopdes_hub.ingest import events
from include.kopdes_hub.ingest import stage as ingest


def test_announce_without_redis_lands_the_file_and_touches_the_sentinel(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("KOPDES_EVENTS", "file")
    source = tmp_path / "KDMP-1902022001_2026-07.csv"
    source.write_bytes(b"kode_koperasi;periode\n")
    landed, how = events.announce([source])
    assert landed == [settings.landing / source.name]
    assert landed[0].read_bytes() == source.read_bytes()
    assert events.sentinel_path().exists() and "touched" in how
    # neither the sentinel nor a half-copied file is ever taken as a submission
    (settings.landing / f".{source.name}.abc.part").write_bytes(b"half")
    assert [f.path for f in ingest.list_landing(settings.landing)] == [source.name]


def test_mode_follows_the_redis_connection(monkeypatch):
    monkeypatch.delenv("KOPDES_EVENTS", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_REDIS_DEFAULT", raising=False)
    assert events.mode() == events.FILE
    monkeypatch.setenv("AIRFLOW_CONN_REDIS_DEFAULT", "redis://127.0.0.1:6379/0")
    assert events.mode() == events.REDIS
    monkeypatch.setenv("KOPDES_EVENTS", "file")
    assert events.mode() == events.FILE
