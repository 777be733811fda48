"""Open a page in the machine's headless Chromium (Debian package) and report what a person would see."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


@dataclass
class Page:
    dom: str
    console_errors: list[str]
    charts: int
    screenshot: Path


def open_page(path: Path, workdir: Path) -> Page:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Chromium is not installed (make test installs the Debian package 'chromium')")
    profile = workdir / "chromium-profile"
    shot = workdir / "page.png"
    url = path.resolve().as_uri()
    dom = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", "--window-size=1200,2400", f"--screenshot={shot}", url],
        capture_output=True,
        timeout=120,
        check=True,
    )
    # Chromium logs page console messages as "CONSOLE(...)" lines; uncaught errors as "Uncaught ..."
    errors = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    charts = len(re.findall(r'<div class="chart" id="chart-[a-z]+"><svg', dom.stdout))
    return Page(dom=dom.stdout, console_errors=errors, charts=charts, screenshot=shot)
