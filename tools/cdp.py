"""Headless Chromium driven over a bare DevTools websocket, for start-up figures.

Playwright (and any client that enables the Runtime or Debugger domains)
makes V8 collect source positions and parse Flutter's 9.6 MB main.dart.js
again: at a 4x CPU slowdown that added about 6 s to every start.  This client
enables no domain at all.  It only opens tabs, sets the CPU throttle, the
viewport, the locale and the time zone, navigates, and evaluates a short expression to read what the page
recorded itself (``tools/web/start-marks.js``).

Chromium cannot slow a Web Worker: ``Emulation.setCPUThrottlingRate`` on a
worker target answers "Operation is only supported for pages, not workers"
(Chromium 156), so the Python worker runs at full speed.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Optional

from websockets.sync.client import ClientConnection, connect

DEFAULT_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
    "--no-first-run",
    "--no-default-browser-check",
]


class DevToolsError(RuntimeError):
    pass


class Chromium:
    """A headless Chromium of its own (own profile folder), its DevTools on ``port`` (0: a free one)."""

    def __init__(self, executable: str, port: int, language: str = "nl-NL") -> None:
        self._profile = Path(tempfile.mkdtemp(prefix="cdp-chromium-"))
        # The browser's language (navigator.languages): a Dutch phone.
        languages = [f"--lang={language}", f"--accept-lang={language},{language.split('-')[0]}"]
        self._process = subprocess.Popen(
            [executable, *DEFAULT_ARGS, *languages, f"--remote-debugging-port={port}",
             f"--user-data-dir={self._profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self._ids = itertools.count(1)
        url = self._websocket_url(port)
        self._socket: ClientConnection = connect(url, max_size=None, open_timeout=30)

    def _websocket_url(self, port: int) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise DevToolsError(f"chromium exited with code {self._process.returncode}")
            if port == 0:  # Chromium chose a free port and wrote it into the profile
                written = self._profile / "DevToolsActivePort"
                if written.is_file() and written.read_text().strip():
                    port = int(written.read_text().split()[0])
                else:
                    time.sleep(0.1)
                    continue
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=2) as answer:
                    return json.load(answer)["webSocketDebuggerUrl"]
            except OSError:
                time.sleep(0.1)
        raise DevToolsError(f"chromium did not open its DevTools port {port}")

    def send(self, method: str, params: Optional[dict] = None, session: Optional[str] = None,
             timeout: float = 60) -> dict:
        """Send one command and wait for its answer (events in between are dropped: none is enabled)."""
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._socket.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            answer = json.loads(self._socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if answer.get("id") == message_id:
                if "error" in answer:
                    raise DevToolsError(f"{method}: {answer['error'].get('message')}")
                return answer.get("result", {})

    def new_context(self) -> str:
        """A fresh browser context: empty caches, no service worker (a first visit)."""
        return self.send("Target.createBrowserContext")["browserContextId"]

    def close_context(self, context: str) -> None:
        self.send("Target.disposeBrowserContext", {"browserContextId": context})

    def open_tab(self, context: str, width: int, height: int, cpu_rate: float, locale: str = "nl-NL",
                 timezone: str = "Europe/Amsterdam") -> "Tab":
        target = self.send("Target.createTarget", {"url": "about:blank", "browserContextId": context})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        tab = Tab(self, target, session)
        tab.send("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        tab.send("Emulation.setLocaleOverride", {"locale": locale})
        tab.send("Emulation.setTimezoneOverride", {"timezoneId": timezone})
        if cpu_rate != 1:
            tab.send("Emulation.setCPUThrottlingRate", {"rate": cpu_rate})
        return tab

    def close(self) -> None:
        try:
            self._socket.close()
        finally:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            shutil.rmtree(self._profile, ignore_errors=True)


class Tab:
    def __init__(self, browser: Chromium, target: str, session: str) -> None:
        self.browser, self.target, self.session = browser, target, session

    def send(self, method: str, params: Optional[dict] = None) -> dict:
        return self.browser.send(method, params, self.session)

    def navigate(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})

    def evaluate(self, expression: str) -> Any:
        """The value of ``expression`` in the page (JSON-serialisable), without enabling the Runtime domain."""
        answer = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in answer:
            raise DevToolsError(answer["exceptionDetails"].get("text", "exception"))
        return answer["result"].get("value")

    def wait_for(self, expression: str, timeout: float, every: float = 0.25) -> Any:
        """Evaluate ``expression`` until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except DevToolsError:  # between documents while navigating
                value = None
            if value:
                return value
            time.sleep(every)
        raise TimeoutError(f"waited {timeout:.0f} s for {expression}")

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})
