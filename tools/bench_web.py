"""Benchmark of the static web build's start, phase by phase: this app vs a Flet hello-world.

    python tools/bench.py web [--runs 5]
    python tools/bench_web.py [--runs 5] [--app DIR] [--site NAME=DIR ...] [--port N] [--json FILE]

The app is built with ``tools/build_web.py`` (or taken from ``--app DIR``);
the floor is a Flet hello-world built as ``flet publish --no-cdn`` lays it
out (``tools/webbuild/hello_world.py``).  ``--site before=DIR`` adds another
build (e.g. an older version) as a column of its own, measured in the same
alternating runs.  Every site is served by the same plain static server
(Python's http.server, no compression).

Headless Chromium is driven over a bare DevTools connection
(``tools/cdp.py``) that only sets the CPU throttle and the viewport (412x915,
a phone), navigates, and reads at the end what the page recorded itself:
the start-up marks of ``tools/web/start-marks.js`` and
``tools/web/start_marks.py`` (the same in both builds).  Per run and site:

* first visit: a fresh browser context (empty caches, no service worker),
  CPU slowed 4x, until the first button can be clicked; bytes counted by the
  server (the service worker's precache included); then until the app is
  installed completely (the Python start snapshot the first start makes in
  the background is stored);
* warm start: a new tab in the same context (installed: the app's service
  worker is active and Python starts from its snapshot; the hello-world has
  the HTTP cache), CPU slowed 4x;
* the shell without throttling: another fresh context, until the first
  contentful paint.

Chromium slows only the page's main thread: a Web Worker cannot be throttled
(``tools/cdp.py``), so the Python worker runs at full speed and on a phone the
Python side is slower than here.  After the timed runs, one warm start per site
with ``?profile-imports`` lists the ten slowest Python imports (self time, as
``-X importtime``).  The 1-minute load average is printed beside every figure.
Figures are printed, never asserted.  Goals (issue 17): warm start at 4x,
app clickable <= 0.6x the hello-world; first-visit bytes <= 0.6x; shell <= 0.3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.cdp import Chromium, Tab  # noqa: E402

CPU_SLOWDOWN = 4
VIEWPORT = (412, 915)
START_TIMEOUT = 300  # seconds until a start counts as failed
HELLO = "hello-world"

# (mark, what it means), in the order of a start; times from navigation.
PHASES = [
    ("shell", "shell visible (first contentful paint)"),
    ("flutter-start", "Flutter started (app: after the service worker)"),
    ("flutter-entrypoint-loaded", "Flutter: main.dart.js evaluated"),
    ("flutter-engine-ready", "Flutter engine and CanvasKit ready"),
    ("flutter-first-frame", "Flutter's first frame"),
    ("python-worker-start", "Python worker started"),
    ("pyodide-script-loaded", "Pyodide: pyodide.asm.mjs loaded"),
    ("pyodide-wasm-loaded", "Pyodide: pyodide.asm.wasm loaded"),
    ("pyodide-stdlib-loaded", "Pyodide: python_stdlib.zip loaded"),
    ("python-snapshot-restored", "Python start snapshot restored (app: warm start)"),
    ("pyodide-ready", "Pyodide ready"),
    ("app-package-loaded", "app package loaded"),
    ("python-entry", "app package unpacked, entry module runs"),
    ("flet-imported", "flet imported"),
    ("app-imported", "app imported"),
    ("python-session", "Flet session begins (Flutter connected)"),
    ("python-rendered", "first page sent to Flutter"),
    ("app-shown", "first button clickable"),
    ("later-package-loaded", "later package unpacked (in the background)"),
]
# Durations between two marks.
SPANS = [
    ("Python imports (entry runs -> app imported)", "python-entry", "app-imported"),
    ("Flutter builds the first page (sent -> clickable)", "python-rendered", "app-shown"),
]
CLICKABLE = "app-shown"
# A first start without the Python start snapshot makes it in the background
# (tools/web/python-snapshot.js): the app is installed once it is stored.
INSTALLED = ("performance.getEntriesByName('python-snapshot-missing').length === 0"
             " || performance.getEntriesByName('python-snapshot-stored').length > 0")

READ_MARKS = """JSON.stringify({
  marks: Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])),
  imports: (performance.getEntriesByName('python-rendered')[0] || {}).detail || null,
  shell: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null,
})"""


def has_entry(name: str) -> str:
    return f"performance.getEntriesByName({name!r}).length > 0"


def load_average() -> float:
    return os.getloadavg()[0]


def _read(tab: Tab) -> dict:
    raw = json.loads(tab.evaluate(READ_MARKS))
    figures = {name: at / 1000 for name, at in raw["marks"].items()}
    if raw["shell"] is not None:
        figures["shell"] = raw["shell"] / 1000
    return {"phases": figures, "imports": raw["imports"]}


def start(browser: Chromium, context: str, url: str, rate: float, until: str = CLICKABLE,
          installed: bool = False) -> dict:
    """One start in a new tab of ``context``: navigate, wait for the mark ``until``
    (and, with ``installed``, until the app is installed completely), read the marks."""
    tab = browser.open_tab(context, *VIEWPORT, cpu_rate=rate)
    load = load_average()
    try:
        tab.navigate(url)
        tab.wait_for(has_entry(until) if until != "shell" else has_entry("first-contentful-paint"), START_TIMEOUT)
        if installed:
            tab.wait_for(INSTALLED, START_TIMEOUT)
        return {**_read(tab), "load": load}
    finally:
        tab.close()


def run_site(browser: Chromium, server, url: str) -> dict:
    """First visit and warm start at 4x, then the shell without throttling."""
    context = browser.new_context()
    try:
        server.reset_counts()
        first = start(browser, context, url, CPU_SLOWDOWN, installed=True)
        first["bytes"] = server.bytes_sent()
        warm = start(browser, context, url, CPU_SLOWDOWN)
    finally:
        browser.close_context(context)
    context = browser.new_context()
    try:
        shell = start(browser, context, url, 1, until="shell")
    finally:
        browser.close_context(context)
    return {"first": first, "warm": warm, "shell": shell}


def profile_imports(browser: Chromium, url: str) -> Optional[list]:
    """The slowest imports of a warm start (``?profile-imports``), at 4x."""
    context = browser.new_context()
    try:
        start(browser, context, url, CPU_SLOWDOWN, installed=True)
        return start(browser, context, url + "?profile-imports", CPU_SLOWDOWN)["imports"]
    finally:
        browser.close_context(context)


# --- printing --------------------------------------------------------------------------------


def _median(values: list[float]) -> Optional[float]:
    return statistics.median(values) if values else None


def _cell(value: Optional[float], load: Optional[float], unit: str = "s") -> str:
    if value is None:
        return f"{'–':>15}"
    figure = f"{value:.2f} s" if unit == "s" else f"{value / 1e6:.1f} MB"
    return f"{figure:>9} @{load:4.1f}" if load is not None else f"{figure:>15}"


def summarize(results: dict[str, list[dict]], visit: str) -> dict[str, dict]:
    """Per site: the median of every phase (and span) over the runs, and the median load average."""
    out = {}
    for site, runs in results.items():
        visits = [r[visit] for r in runs]
        phases = {}
        for mark, _ in PHASES:
            phases[mark] = _median([v["phases"][mark] for v in visits if mark in v["phases"]])
        for label, begin, end in SPANS:
            phases[label] = _median([v["phases"][end] - v["phases"][begin] for v in visits
                                     if begin in v["phases"] and end in v["phases"]])
        out[site] = {"phases": phases, "load": _median([v["load"] for v in visits]),
                     "bytes": _median([v["bytes"] for v in visits if "bytes" in v])}
    return out


def print_table(title: str, summary: dict[str, dict]) -> None:
    sites = list(summary)
    others = [s for s in sites if s != HELLO]
    print(f"\n{title}")
    header = f"  {'':<52}" + "".join(f"{s:>16}" for s in sites) + "".join(f"{s + '/hw':>14}" for s in others)
    print(header)
    rows = [(label, mark) for mark, label in PHASES] + [(label, label) for label, _, _ in SPANS]
    for label, key in rows:
        values = [summary[s]["phases"].get(key) for s in sites]
        if all(v is None for v in values):
            continue
        line = f"  {label:<52}" + "".join(f" {_cell(v, summary[s]['load'])}" for s, v in zip(sites, values))
        hello = summary.get(HELLO, {}).get("phases", {}).get(key)
        for s in others:
            v = summary[s]["phases"].get(key)
            line += f"{v / hello:>14.2f}" if v is not None and hello else f"{'':>14}"
        print(line)


def print_report(results: dict[str, list[dict]], imports: dict[str, Optional[list]], runs: int) -> dict:
    warm = summarize(results, "warm")
    first = summarize(results, "first")
    shell = summarize(results, "shell")
    print(f"\nstatic web build, {runs} alternating runs, medians; '@' = 1-minute load average of the machine")
    print_table(f"warm start (installed, started again), CPU {CPU_SLOWDOWN}x slower (page only), seconds "
                "from navigation", warm)
    print_table(f"first visit (fresh browser context), CPU {CPU_SLOWDOWN}x slower (page only)", first)
    print("\n  bytes of the first visit (counted by the server)")
    for site, figures in first.items():
        print(f"  {site:<52} {_cell(figures['bytes'], figures['load'], unit='MB')}")
    print("\n  shell without throttling (first contentful paint, fresh context)")
    for site, figures in shell.items():
        print(f"  {site:<52} {_cell(figures['phases']['shell'], figures['load'])}")
    for site, top in imports.items():
        if top:
            print(f"\n  {site}: the ten slowest Python imports of a warm start (self ms, cumulative ms)")
            for name, own, cumulative in top:
                print(f"    {name:<48} {own:>8.1f} {cumulative:>9.1f}")
    if HELLO in warm:
        hello = warm[HELLO]
        for site in [s for s in warm if s != HELLO]:
            ratio = _ratio(warm[site]["phases"][CLICKABLE], hello["phases"][CLICKABLE])
            bytes_ratio = _ratio(first[site]["bytes"], first[HELLO]["bytes"])
            print(f"\n  {site}: warm start at {CPU_SLOWDOWN}x, clickable, ratio to the hello-world: {ratio} (goal <= 0.6)"
                  f"  [load {warm[site]['load']:.1f} / {hello['load']:.1f}]")
            print(f"  {site}: first-visit bytes, ratio to the hello-world: {bytes_ratio} (goal <= 0.6)")
            print(f"  {site}: shell without throttling: {shell[site]['phases']['shell']:.2f} s (goal <= 0.3 s)"
                  f"  [load {shell[site]['load']:.1f}]")
    print("\n  The Python worker ran at full speed: Chromium cannot throttle a Web Worker.")
    return {"warm": warm, "first": first, "shell": shell, "imports": imports}


def _ratio(value: Optional[float], floor: Optional[float]) -> str:
    return f"{value / floor:.2f}" if value is not None and floor else "–"


# --- main ---------------------------------------------------------------------------------------


def bench_web(runs: int, app: Optional[Path] = None, extra: Optional[dict[str, Path]] = None, port: int = 0,
              json_out: Optional[Path] = None, lighthouse: bool = False) -> int:
    from tests.support import CHROMIUM
    from tests.web_helpers.static_server import StaticServer
    from tools.webbuild.hello_world import build_hello_world

    work = Path(tempfile.mkdtemp(prefix="bench-web-"))
    servers = []
    browser = None
    try:
        sites: dict[str, Path] = {}
        if app is None:
            from tools.webbuild.pipeline import build
            from tools.webbuild.site_report import print_report as print_build

            print("building this app (tools/build_web.py) ...", flush=True)
            app = work / "app"
            print_build(build(app), app)
        sites["app"] = app
        sites.update(extra or {})
        print("building the Flet hello-world (flet publish --no-cdn layout) ...", flush=True)
        build_hello_world(work / "hello")
        sites[HELLO] = work / "hello"
        served = {}
        for index, (name, folder) in enumerate(sites.items()):
            server = StaticServer(folder, port=port + 1 + index if port else 0)
            servers.append(server)
            served[name] = (server, server.url + "/")
        browser = Chromium(CHROMIUM, port)
        print(f"warming up (each site once), then {runs} alternating runs ...", flush=True)
        for server, url in served.values():
            run_site(browser, server, url)
        results: dict[str, list[dict]] = {name: [] for name in sites}
        names = list(sites)
        for run in range(runs):
            order = names[run % len(names):] + names[:run % len(names)]
            for name in order:
                figures = run_site(browser, *served[name])
                results[name].append(figures)
                warm, first = figures["warm"], figures["first"]
                print(f"  run {run + 1} {name:<12} warm clickable {warm['phases'].get(CLICKABLE, float('nan')):6.2f} s "
                      f"@{warm['load']:.1f}; first visit {first['phases'].get(CLICKABLE, float('nan')):6.2f} s, "
                      f"{first['bytes'] / 1e6:.1f} MB @{first['load']:.1f}; "
                      f"shell {figures['shell']['phases'].get('shell', float('nan')):.2f} s", flush=True)
        imports = {name: profile_imports(browser, url) for name, (_, url) in served.items()}
        summary = print_report(results, imports, runs)
        if json_out:
            json_out.write_text(json.dumps({"summary": summary, "runs": results}, indent=1), encoding="utf-8")
        if lighthouse:
            print_lighthouse({name: url for name, (_, url) in served.items()})
    finally:
        if browser is not None:
            browser.close()
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def print_lighthouse(urls: dict[str, str]) -> None:
    """Lighthouse's own view (phone emulation, first visit): time to interactive, total blocking time."""
    from tools import lighthouse as lh

    print("\nLighthouse, phone emulation (4x CPU slowdown, simulated slow 4G), first visit")
    print(f"  {'':<12} {'interactive':>12} {'total blocking':>15} {'performance':>12}")
    for name, url in urls.items():
        report = lh.run(url, ("performance",))
        print(f"  {name:<12} {lh.metric_seconds(report, 'interactive'):>11.1f}s "
              f"{lh.metric_seconds(report, 'total-blocking-time'):>14.1f}s {lh.score(report, 'performance'):>12.2f}"
              f"  @{load_average():.1f}")


def _site(text: str) -> tuple[str, Path]:
    name, _, folder = text.partition("=")
    if not folder or not (Path(folder) / "index.html").is_file():
        raise argparse.ArgumentTypeError(f"expected NAME=DIR with a built site in DIR, got {text!r}")
    return name, Path(folder).resolve()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="alternating runs per site")
    parser.add_argument("--app", type=Path, help="a built site of this app to measure (default: build one)")
    parser.add_argument("--site", type=_site, action="append", default=[], metavar="NAME=DIR",
                        help="another built site to measure alongside (e.g. before=build-of-an-older-version)")
    parser.add_argument("--port", type=int, default=0,
                        help="first of the ports to use (DevTools, then one per site); default: free ones")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--lighthouse", action="store_true", help="also run Lighthouse on each site once")
    args = parser.parse_args(argv)
    return bench_web(args.runs, args.app.resolve() if args.app else None, dict(args.site), args.port, args.json,
                     args.lighthouse)


if __name__ == "__main__":
    raise SystemExit(main())
