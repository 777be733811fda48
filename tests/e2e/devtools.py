"""Drive the machine's headless Chromium over the DevTools protocol, for pages that need a session (a login form, a
cookie, links followed): ``browser.open_page`` dumps a file's DOM, which cannot log in. The protocol client is the
``websockets`` package of the lock (uvicorn's); no browser-automation dependency."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser import FLAGS


class Browser:
    """One headless Chromium with one page; ``console_errors`` collects what the page's scripts logged as errors."""

    def __init__(self, workdir: Path) -> None:
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if not chromium:
            pytest.skip("Chromium is not installed (make test installs the Debian package 'chromium')")
        from websockets.sync.client import connect

        profile = Path(tempfile.mkdtemp(prefix="chromium-devtools-", dir=workdir))  # a fresh profile, no old port
        self.proc = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            self.ws = connect(self._page_socket(profile / "DevToolsActivePort"), max_size=None, open_timeout=10)
        except BaseException:
            self.close()
            raise
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        self.console_errors: list[str] = []
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable")

    def _page_socket(self, port_file: Path, timeout: float = 30) -> str:
        """The page's DevTools socket, once Chromium has written its port and answers on it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            with contextlib.suppress(OSError, ValueError, IndexError, StopIteration):
                port = port_file.read_text().split()[0]
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
                    return next(t for t in json.loads(r.read()) if t["type"] == "page")["webSocketDebuggerUrl"]
            time.sleep(0.1)
        raise AssertionError("Chromium did not open its DevTools port")

    def send(self, method: str, timeout: float = 30, **params: Any) -> dict[str, Any]:
        call = next(self.ids)
        self.ws.send(json.dumps({"id": call, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == call:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    def _event(self, message: dict[str, Any]) -> None:
        self.events.append(message)
        if message.get("method") == "Runtime.exceptionThrown":
            self.console_errors.append(message["params"]["exceptionDetails"].get("text", "exception"))
        elif message.get("method") == "Runtime.consoleAPICalled" and message["params"]["type"] == "error":
            self.console_errors.append(" ".join(str(a.get("value", "")) for a in message["params"]["args"]))

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30) -> Any:
        """Poll a JavaScript expression until it is truthy (a page loaded, a redirect done); return its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(AssertionError):  # the page may be navigating: no context to evaluate in
                if value := self.evaluate(expression):
                    return value
            time.sleep(0.2)
        raise AssertionError(f"{expression!r} never became true; at {self.evaluate('location.href')}")

    def goto(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for(f"location.href.startsWith({json.dumps(url.split('#')[0])}) && document.readyState == 'complete'")

    def follow(self, selector: str) -> str:
        """Click the first link ``selector`` matches, as a person would, and wait for the page it leads to."""
        href = self.evaluate(f"document.querySelector({json.dumps(selector)}).href")
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        self.wait_for(f"location.href == {json.dumps(href)} && document.readyState == 'complete'")
        return href

    def type_into(self, selector: str, text: str) -> None:
        """Focus a field and type into it, so the page's own input handlers (React's) see the keystrokes."""
        self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        self.send("Input.insertText", text=text)

    def status(self, url: str) -> int | None:
        """The HTTP status of the last response loaded for ``url`` (from the Network events)."""
        responses = [e for e in self.events if e.get("method") == "Network.responseReceived"]
        codes = [e["params"]["response"]["status"] for e in responses if e["params"]["response"]["url"] == url]
        return codes[-1] if codes else None

    def dom(self) -> str:
        return self.evaluate("document.documentElement.outerHTML")

    def cookies(self) -> dict[str, str]:
        return {c["name"]: c["value"] for c in self.send("Network.getAllCookies")["cookies"]}

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
