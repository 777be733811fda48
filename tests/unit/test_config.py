"""Settings: the environment is read in config.py alone, and every KOPDES_* variable the code reads is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from include.kopdes_hub.config import Limits, get_settings

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "include" / "kopdes_hub"


def _readme_variables() -> set[str]:
    """Variables named in the first cell of a README table row."""
    rows = re.findall(r"^\| `(KOPDES_[A-Z0-9_]+)`(?: / `(KOPDES_[A-Z0-9_]+)`)?", (ROOT / "README.md").read_text(), re.M)
    return {name for row in rows for name in row if name}


def test_only_config_reads_the_environment():
    readers = [
        p.relative_to(ROOT).as_posix()
        for p in PACKAGE.rglob("*.py")
        if p.name != "config.py" and re.search(r"os\.environ|os\.getenv|getenv\(", p.read_text())
    ]
    assert readers == []


def test_every_kopdes_variable_the_package_reads_is_in_the_readme_table():
    source = (PACKAGE / "config.py").read_text()
    named = set(re.findall(r'"(KOPDES_[A-Z0-9_]+)"', source))
    named |= {f"KOPDES_{f.upper()}" for f in Limits.__dataclass_fields__}
    assert named, "config.py names no variable: the pattern is wrong"
    assert named - _readme_variables() == set()


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KOPDES_INGEST_BATCH", "7")
    monkeypatch.setenv("KOPDES_MAX_ROWS", "9")
    monkeypatch.setenv("KOPDES_SWEEP_CRON", "*/5 * * * *")
    monkeypatch.setenv("KOPDES_ALERT_WEBHOOK", "http://127.0.0.1:1/hook")
    monkeypatch.setenv("AIRFLOW_CONN_REDIS_DEFAULT", "redis://127.0.0.1:6379/3")
    monkeypatch.delenv("KOPDES_EVENTS", raising=False)
    settings = get_settings()
    assert (settings.ingest_batch, settings.limits.max_rows, settings.sweep_cron) == (7, 9, "*/5 * * * *")
    assert (settings.events, settings.redis_url) == ("redis", "redis://127.0.0.1:6379/3")
    assert settings.alert_webhook == "http://127.0.0.1:1/hook"
    monkeypatch.delenv("AIRFLOW_CONN_REDIS_DEFAULT")
    assert get_settings().events == "file"
