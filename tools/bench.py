"""Benchmarks: figures are printed, never asserted (machines are noisy; compare ratios).

    python tools/bench.py ui [--runs 9]      time to a clickable acute button, vs a Flet hello-world
    python tools/bench.py journal [...]      encrypted journal: unlock, save latency, file size
    python tools/bench.py web [--runs 9]     static web build: the start phase by phase (warm and first
                                             visit, CPU 4x slower), bytes, vs hello-world (tools/bench_web.py)
    python tools/bench.py sync [...]         team server: capacity, CPU per sync vs a floor app, 1,000 teams x 5 devices
    python tools/bench.py                    all of the above

``ui`` starts this app and a Flet hello-world the same way (``python file.py`` in
web-server mode, CanvasKit, no CDN), then alternates between them: each run opens
a fresh browser context, navigates, and stops the clock when the button can be
clicked.  Goal: median ratio app / hello-world <= 1.15.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HELLO_WORLD = '''
import flet as ft

def main(page: ft.Page):
    page.add(ft.FilledButton("Hello", on_click=lambda e: None))

ft.run(main, no_cdn=True, web_renderer=ft.WebRenderer.CANVAS_KIT)
'''


def _time_to_clickable(browser, url: str, button: str) -> tuple[float, float]:
    """Seconds from navigation until ``button`` is clicked, and the 1-minute load average then."""
    from tests.browser import open_session

    session = open_session(browser, url, viewport={"width": 412, "height": 915})
    try:
        load = os.getloadavg()[0]
        start = time.perf_counter()
        session.goto("/")
        session.page.get_by_role("button", name=button).first.click(timeout=60_000)
        return time.perf_counter() - start, load
    finally:
        session.close("bench")


def bench_ui(runs: int) -> int:
    from playwright.sync_api import sync_playwright

    from tests.support import CHROMIUM, CHROMIUM_ARGS, AppServer

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        hello_dir = tmp_path / "hello"
        hello_dir.mkdir()
        (hello_dir / "main.py").write_text(HELLO_WORLD)
        (tmp_path / "data").mkdir()
        app = AppServer(tmp_path / "data")
        hello = AppServer(tmp_path / "data", cwd=hello_dir)
        targets = {"app": (app.url, "Acuut incident"), "hello-world": (hello.url, "Hello")}
        times: dict[str, list[float]] = {name: [] for name in targets}
        loads: dict[str, list[float]] = {name: [] for name in targets}
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for url, button in targets.values():  # warm-up: first sessions compile
                    _time_to_clickable(browser, url, button)
                for run in range(runs):
                    order = list(targets) if run % 2 == 0 else list(reversed(targets))
                    for name in order:
                        seconds, load = _time_to_clickable(browser, *targets[name])
                        times[name].append(seconds)
                        loads[name].append(load)
                browser.close()
        finally:
            app.stop()
            hello.stop()
    print(f"time from navigation to a clickable button, {runs} alternating runs (seconds; "
          "@ = 1-minute load average)")
    for name, values in times.items():
        print(f"  {name:<12} median {statistics.median(values):.3f}  "
              f"min {min(values):.3f}  max {max(values):.3f}  @{statistics.median(loads[name]):.1f}")
    ratio = statistics.median(times["app"]) / statistics.median(times["hello-world"])
    print(f"  ratio app / hello-world: {ratio:.2f}  (goal <= 1.15)  @{statistics.median(loads['app']):.1f}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", nargs="?", choices=["ui", "journal", "web", "sync", "all"], default="all")
    parser.add_argument("--runs", type=int, default=9, help="alternating runs for 'ui'")
    args, rest = parser.parse_known_args(argv)
    if args.what in ("ui", "all"):
        bench_ui(args.runs)
    if args.what in ("journal", "all"):
        from tools import bench_journal

        bench_journal.main(rest)
    if args.what in ("web", "all"):
        from tools import bench_web

        bench_web.main(["--runs", str(args.runs), *(rest if args.what == "web" else [])])
    if args.what in ("sync", "all"):
        from tools import bench_sync

        bench_sync.main(rest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
