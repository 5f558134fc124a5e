"""How soon the static shell can be read: the step plan before Python, on a phone-class CPU.

    python tools/bench_shell.py [--site build/web] [--runs 5] [--port 9222]

Serves a static build (``tools/build_web.py``; built first if ``--site`` has none) with the same
plain static server as the tests, and drives Debian's Chromium over a bare DevTools websocket:
one connection per page that only sets the CPU throttle and the phone's screen and navigates
(Playwright's instrumentation would slow the page itself), then reads the page's own timings.
Per run a fresh browser profile (a first visit, the service worker still installing), then a
new page in the same profile once the service worker controls the site (a later start, as
the installed app started again), each with the CPU slowed 4x and unthrottled:

* first paint: the first contentful paint of the page;
* readable: the shell has shown the page of the address (``performance.mark`` in
  tools/web/shell.js) and it is painted: the later of the two;

for the list of the seven steps (``#/stappen``), a step (``#/stap/3``) and the first page, and
for a floor: a plain page of a heading and a paragraph, measured the same way (the ratio to it
is the figure to compare between runs on a loaded machine).
Goals (issue 17): the step plan readable <= 1 s at 4x, the shell <= 0.3 s unthrottled.
``Emulation.setCPUThrottlingRate`` slows the page's main thread only, where the shell runs.
Figures are printed with the load average, never asserted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The floor: a plain page of a heading and a paragraph, served and measured the same way.
FLOOR_PAGE = """<!DOCTYPE html>
<html lang="nl"><head><meta charset="UTF-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vloer</title></head>
<body><h1>Stap 1: Opvang en zorg</h1><p>Vang de melder en de betrokken leerlingen op.</p>
<script>performance.mark("stappenplan-shell")</script></body></html>
"""
PHONE = {"width": 412, "height": 915, "deviceScaleFactor": 2.625, "mobile": True}
ROUTES = ("#/stappen", "#/stap/3", "")
RATES = (4, 1)
TIMINGS = """(() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const shell = performance.getEntriesByName('stappenplan-shell')[0];
  return JSON.stringify({paint: paint ? paint.startTime : null, shell: shell ? shell.startTime : null,
                         controlled: Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)});
})()"""


def load() -> str:
    return "load %.1f %.1f %.1f" % os.getloadavg()


class Page:
    """One tab over a bare DevTools websocket (``with Page(port) as page``): commands only, no
    domain enabled."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.ids = itertools.count(1)

    def __enter__(self) -> "Page":
        from websockets.sync.client import connect

        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(request, timeout=30) as response:
            self.target = json.load(response)
        self.socket = connect(self.target["webSocketDebuggerUrl"], max_size=None, open_timeout=30).__enter__()
        self.send("Page.bringToFront")  # a tab in the background is not painted
        return self

    def __exit__(self, *exc) -> None:
        self.socket.__exit__(*exc)
        urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/close/{self.target['id']}", timeout=30).close()

    def send(self, method: str, **params) -> dict:
        ident = next(self.ids)
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=60))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str):
        return self.send("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not self.evaluate(expression):
            if time.monotonic() > deadline:
                raise TimeoutError(f"not true after {timeout} s: {expression}")
            time.sleep(0.05)

    def timings(self, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        found: dict = {}
        while time.monotonic() < deadline:
            found = json.loads(self.evaluate(TIMINGS) or "{}")
            if found.get("paint") is not None and found.get("shell") is not None:
                return found
            time.sleep(0.05)
        raise TimeoutError(f"the page recorded no first paint or no shell mark: {found}")


def visit(port: int, url: str, rate: int) -> dict:
    with Page(port) as page:
        page.send("Emulation.setCPUThrottlingRate", rate=rate)
        page.send("Emulation.setDeviceMetricsOverride", **PHONE)
        page.send("Page.navigate", url=url)
        found = page.timings()
        page.send("Emulation.setCPUThrottlingRate", rate=1)  # let the service worker's precache go on
        return {"paint": found["paint"] / 1000, "readable": max(found["paint"], found["shell"]) / 1000,
                "shown_before_paint": found["shell"] <= found["paint"]}


def wait_until_controlled(port: int, url: str, timeout: float = 300) -> None:
    with Page(port) as page:
        page.send("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        while not json.loads(page.evaluate(TIMINGS) or "{}").get("controlled"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the service worker did not take control in {timeout:.0f} s")
            time.sleep(0.5)


def chromium(port: int, profile: Path) -> subprocess.Popen:
    from tests.support import CHROMIUM, CHROMIUM_ARGS

    process = subprocess.Popen(
        [CHROMIUM, "--headless=new", f"--remote-debugging-port={port}", f"--user-data-dir={profile}",
         "--no-first-run", "--lang=nl-NL", *CHROMIUM_ARGS, "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise TimeoutError("Chromium's DevTools port did not open")


def bench_shell(site: Path, runs: int, port: int) -> int:
    from tests.web_helpers.static_server import StaticServer

    if not (site / "index.html").is_file():
        from tools import build_web

        print(f"building {site} (tools/build_web.py) ...", flush=True)
        build_web.build(site)
    server = StaticServer(site)
    floor_site = Path(tempfile.mkdtemp(prefix="bench-shell-floor-"))
    (floor_site / "index.html").write_text(FLOOR_PAGE, encoding="utf-8")
    floor = StaticServer(floor_site)
    results: dict[tuple[str, str, int], list[dict]] = {}
    ports = itertools.cycle(range(port, port + 10))  # a fresh port for every browser: the last may linger
    try:
        for run in range(runs):
            for rate in RATES:
                port = next(ports)
                with tempfile.TemporaryDirectory(prefix="bench-shell-", ignore_cleanup_errors=True) as profile:
                    browser = chromium(port, Path(profile))
                    try:
                        with Page(port) as warm:  # the browser's own start-up is not the page's
                            warm.send("Page.navigate", url=server.url + "/manifest.json")
                            warm.wait_for("document.readyState === 'complete' && location.href.endsWith('.json')")
                        results.setdefault(("floor", "plain page", rate), []).append(
                            visit(port, floor.url + "/", rate))
                        for route in ROUTES:
                            results.setdefault(("first visit", route, rate), []).append(
                                visit(port, f"{server.url}/{route}", rate))
                        try:
                            wait_until_controlled(port, server.url + "/")
                        except TimeoutError as exc:  # a loaded machine: the precache can outlast its time
                            print(f"  run {run + 1}, {rate}x: no later start measured ({exc})", flush=True)
                            continue
                        for route in ROUTES:
                            results.setdefault(("later start", route, rate), []).append(
                                visit(port, f"{server.url}/{route}", rate))
                    finally:
                        browser.terminate()
                        browser.wait(timeout=30)
            print(f"  run {run + 1} of {runs} done ({load()})", flush=True)
    finally:
        server.stop()
        floor.stop()
        shutil.rmtree(floor_site, ignore_errors=True)

    print(f"\nstatic shell of {site}, phone screen, {runs} runs (medians; {load()})")
    print(f"  {'':<12} {'page':<10} {'CPU':>4} {'first paint':>12} {'readable':>9}  page chosen before the first paint")
    for (kind, route, rate), found in results.items():
        paint = statistics.median(f["paint"] for f in found)
        readable = statistics.median(f["readable"] for f in found)
        before = sum(f["shown_before_paint"] for f in found)
        print(f"  {kind:<12} {route or '/':<10} {rate:>3}x {paint:>11.3f}s {readable:>8.3f}s  {before} of {len(found)}")
    shell = {key: found for key, found in results.items() if key[0] != "floor"}
    worst = max(statistics.median(f["readable"] for f in found)
                for (_, route, rate), found in shell.items() if rate == 4 and route)
    unthrottled = max(statistics.median(f["paint"] for f in found) for (_, _, rate), found in shell.items() if rate == 1)
    print(f"  the step plan readable at 4x CPU: <= {worst:.2f} s (goal <= 1 s); "
          f"the shell unthrottled: <= {unthrottled:.2f} s (goal <= 0.3 s)")
    for rate in RATES:
        base = statistics.median(f["readable"] for f in results[("floor", "plain page", rate)])
        slowest = max(statistics.median(f["readable"] for f in found) for (_, _, r), found in shell.items() if r == rate)
        print(f"  ratio slowest shell page / plain page at {rate}x: {slowest / base:.2f}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "build" / "web", help="a static build (default build/web)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=9222, help="Chromium's DevTools port (and the nine after it)")
    args = parser.parse_args(argv)
    if shutil.which("node") is None and not (args.site / "index.html").is_file():
        print("bench_shell: no site to measure and no Node.js to build one", file=sys.stderr)
        return 1
    return bench_shell(args.site, args.runs, args.port)


if __name__ == "__main__":
    raise SystemExit(main())
