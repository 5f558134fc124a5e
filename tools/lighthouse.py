"""Run Lighthouse (npm, pinned in tools/web/package.json) on a page, in Debian's Chromium.

    python tools/lighthouse.py URL [--categories accessibility,best-practices,performance]

Phone emulation, Lighthouse's default (a mid-range phone, 4x CPU slowdown,
simulated slow 4G).  ``tests/test_web_build.py`` runs it on the static build
(accessibility, best practices, console errors); ``tools/bench.py web``
prints its time to interactive and total blocking time beside a Flet
hello-world's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.webbuild.common import WEB_TOOLS  # noqa: E402
from tools.webbuild.node import npm_install  # noqa: E402

LIGHTHOUSE = WEB_TOOLS / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-quic --enable-unsafe-swiftshader --disable-background-networking"


def run(url: str, categories: Sequence[str] = ("accessibility", "best-practices"), timeout: float = 600,
        blocked: Sequence[str] = ()) -> dict:
    """Lighthouse's report (its JSON, as a dict) for ``url``; requests matching a pattern of
    ``blocked`` ("*app.tar.gz*") fail, as if the network had dropped them."""
    npm_install()
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        out = Path(tmp) / "report.json"
        done = subprocess.run(
            [str(LIGHTHOUSE), url, f"--chrome-path={CHROMIUM}", f"--chrome-flags={CHROME_FLAGS}",
             f"--only-categories={','.join(categories)}", "--output=json", f"--output-path={out}", "--quiet",
             "--max-wait-for-load=120000", *(f"--blocked-url-patterns={pattern}" for pattern in blocked)],
            capture_output=True, text=True, timeout=timeout,
        )
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"lighthouse failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def score(report: dict, category: str) -> Optional[float]:
    return report["categories"][category]["score"]


def failing_audits(report: dict, category: str) -> dict[str, str]:
    """Audit id -> title, for every audit of ``category`` that counts and did not pass."""
    audits = report["audits"]
    failing = {}
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref.get("weight", 0) > 0 and audit["score"] is not None and audit["score"] < 1:
            failing[ref["id"]] = audit["title"]
    return failing


def console_errors(report: dict) -> list[str]:
    """What the page logged as errors while it loaded (Lighthouse's "errors-in-console")."""
    return [item.get("description", "") for item in report["audits"]["errors-in-console"]["details"]["items"]]


def metric_seconds(report: dict, audit: str) -> float:
    return report["audits"][audit]["numericValue"] / 1000


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--categories", default="accessibility,best-practices,performance")
    args = parser.parse_args(argv)
    categories = args.categories.split(",")
    report = run(args.url, categories)
    for category in categories:
        print(f"{category:<16} {score(report, category)}")
        for audit_id, title in failing_audits(report, category).items():
            print(f"  failing: {audit_id}: {title}")
    if "performance" in categories:
        print(f"time to interactive {metric_seconds(report, 'interactive'):.1f} s, "
              f"total blocking time {metric_seconds(report, 'total-blocking-time'):.1f} s")
    print("console errors:", console_errors(report) or "none")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
