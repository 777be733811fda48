"""The run summary's lineage line: the layers the file transport's COMPLETE events name as outputs, and a broken or
oversized event file skipped with a warning."""

from __future__ import annotations

import json
from pathlib import Path

from include.kopdes_hub.lineage import events


def _event(folder: Path, name: str, kind: str, *outputs: str) -> None:
    body = {"eventType": kind, "outputs": [{"namespace": "file", "name": o} for o in outputs]}
    (folder / f"events-{name}.json").write_text(json.dumps(body))


def test_outputs_are_counted_per_layer_once_each(tmp_path: Path):
    lake = "/hub/data/lake"
    _event(tmp_path, "1", "START", f"{lake}/bronze/ab/ab12.parquet")
    _event(tmp_path, "2", "COMPLETE", f"{lake}/bronze/ab/ab12.parquet", f"{lake}/bronze/cd/cd34.parquet")
    _event(tmp_path, "3", "COMPLETE", f"{lake}/silver/lines/period=2026-07/ab12.parquet", "kopdes.public.submission")
    _event(tmp_path, "4", "COMPLETE", f"{lake}/gold/commodity_volumes/period=2026-07",
           f"{lake}/gold/hub_balance/period=2026-07", f"{lake}/reports/laporan_hub_2026-07.html")  # fmt: skip
    _event(tmp_path, "5", "COMPLETE", f"{lake}/gold/commodity_volumes/period=2026-07")  # a rerun: the same dataset
    (tmp_path / "events-6.json").write_text("{not json")
    seen = events.read_events(tmp_path)
    assert seen.events == 6
    assert dict(seen.outputs) == {"bronze": 2, "silver": 1, "gold": 1, "summaries": 1, "reports": 1}
    line = events.format_events(seen)
    assert line.endswith("datasets written: bronze 2, silver 1, gold 1, summaries 1, reports 1")


def test_only_a_file_transport_has_a_folder(tmp_path: Path):
    assert events.file_transport_folder({"type": "file", "log_file_path": f"{tmp_path}/events"}) == tmp_path
    assert events.file_transport_folder({"type": "http", "url": "http://127.0.0.1:5000"}) is None
    assert "off, or sent to a service" in events.format_events(None)
    assert events.read_events(tmp_path / "missing").events == 0
