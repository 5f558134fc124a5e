"""Build the installable, offline web app: a folder of static files.

    python tools/build_web.py [--out build/web] [--base-path /stappenplan/] [--school-profile school.yaml]

The command line of ``tools/webbuild`` (read its docstring for the steps):
the result runs entirely in the browser and asks nothing of any other origin;
put the folder on any static web server (sub-path: ``--base-path``).  It
prints what the first visit downloads; ``--report FILE`` writes the same
figures as JSON.  Needs Node.js (>= 18) and npm for the service worker.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.webbuild.common import DEFAULT_OUT, FLET_WEB, BuildError  # noqa: E402
from tools.webbuild.fonts import app_texts, complete_text_font  # noqa: E402
from tools.webbuild.pipeline import build, is_stale  # noqa: E402
from tools.webbuild.site_report import print_report  # noqa: E402

# For other tools (the server mode's fonts, benchmarks): the build's public names.
__all__ = ["BuildError", "DEFAULT_OUT", "FLET_WEB", "app_texts", "build", "complete_text_font", "is_stale", "main",
           "print_report"]


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: build/web)")
    parser.add_argument("--base-path", default="/", help="URL path the site is served under, e.g. /stappenplan/")
    parser.add_argument("--no-prune", dest="prune", action="store_false",
                        help="keep everything Flet and the packages ship (for comparison)")
    parser.add_argument("--no-service-worker", dest="service_worker", action="store_false",
                        help="skip the Workbox service worker (no offline use, no npm needed)")
    parser.add_argument("--no-compile", dest="compile_python", action="store_false",
                        help="ship Python sources only (Pyodide then compiles them at every start)")
    parser.add_argument("--report", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument("--school-profile", type=Path, metavar="FILE",
                        help="build the school's profile in (YAML, or a .stappenplan-school file from the app)")
    parser.add_argument("--if-stale", action="store_true",
                        help="build only if the output is missing or older than a source file (tools/serve)")
    parser.add_argument("--hello-world", action="store_true",
                        help="build instead the Flet hello-world the start is measured against (tools/bench.py web)")
    args = parser.parse_args(argv)
    if args.hello_world:
        from tools.webbuild.hello_world import build_hello_world

        print(f"build_web: hello-world in {args.out}: {build_hello_world(args.out.resolve())}")
        return 0
    if args.if_stale and not is_stale(args.out):
        print(f"build_web: {args.out} is up to date")
        return 0
    try:
        report = build(args.out, args.base_path, args.prune, args.service_worker, args.compile_python,
                       args.school_profile)
    except (BuildError, subprocess.CalledProcessError) as exc:
        print(f"build_web: {exc}", file=sys.stderr)
        return 1
    print_report(report, args.out)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
