"""What the file transport has written: the run summary's lineage line (which layers the events' outputs name).

The provider's file transport writes one JSON file per event, ``<log_file_path>-<UTC time>.json``; the summary
reads only their outputs, so it does not need an OpenLineage backend to show that lineage is being recorded.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

LAYERS = ("bronze", "silver", "quarantine", "gold", "reports")
MAX_EVENT_BYTES = 16 * 1024 * 1024  # a publish event lists a year of partitions: well under this


@dataclass(frozen=True)
class EventsSeen:
    folder: Path
    events: int
    outputs: Counter[str]  # distinct output datasets per lake layer, over COMPLETE events


def _layer(name: str) -> str | None:
    parts = Path(name).parts
    for layer in LAYERS:
        if layer in parts:
            return "summaries" if layer == "gold" and "commodity_volumes" not in parts else layer
    return None


def file_transport_folder(transport: dict) -> Path | None:
    """The folder a file transport writes into, or None for another transport."""
    if transport.get("type") != "file" or not transport.get("log_file_path"):
        return None
    return Path(transport["log_file_path"]).parent


def read_events(folder: Path) -> EventsSeen:
    files = sorted(p for p in folder.glob("*.json") if p.is_file() and not p.is_symlink()) if folder.is_dir() else []
    outputs: dict[str, set[str]] = {}
    for path in files:
        try:
            if path.stat().st_size > MAX_EVENT_BYTES:
                raise ValueError(f"over {MAX_EVENT_BYTES:,} bytes")
            event = json.loads(path.read_bytes())
        except (OSError, ValueError) as error:
            log.warning("lineage event %s not read: %s", path, error)
            continue
        if not isinstance(event, dict) or event.get("eventType") != "COMPLETE":
            continue
        for dataset in event.get("outputs") or []:
            name = dataset.get("name") if isinstance(dataset, dict) else None
            if isinstance(name, str) and (layer := _layer(name)):
                outputs.setdefault(layer, set()).add(name)
    return EventsSeen(folder, len(files), Counter({k: len(v) for k, v in outputs.items()}))


def format_events(seen: EventsSeen | None) -> str:
    if seen is None:
        return "Kopdes Hub: lineage\n  OpenLineage  off, or sent to a service (README, Lineage)"
    shown = (*LAYERS[:4], "summaries", "reports")
    layers = ", ".join(f"{layer} {seen.outputs[layer]:,}" for layer in shown if seen.outputs[layer])
    head = f"Kopdes Hub: lineage\n  events      {seen.folder}: {seen.events:,} OpenLineage event file(s)"
    return f"{head}; datasets written: {layers or 'none yet'}"
