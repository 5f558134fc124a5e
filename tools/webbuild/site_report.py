"""Step 7: what the built site weighs, and what a first visit downloads."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tools import web_shell
from tools.webbuild.common import files_under, log
from tools.webbuild.runtime import START_MARKS_SCRIPT
from tools.webbuild.service_worker import NOT_PRECACHED

# What the page itself loads before its service worker takes over (first visit).
PAGE_BEFORE_SW = ["index.html", web_shell.PAGE_GUARD, "python.js", START_MARKS_SCRIPT, "boot.js", "manifest.json",
                  "favicon.png", "sw.js"]


def first_load(out: Path, variant: str, compressed: bool = True) -> int:
    """Bytes a first visit downloads: the page, then the service worker's
    precache for this browser's CanvasKit build (the .gz twins where there
    are some).  Without a service worker (``compressed=False``, plain
    files) it is what the page loads itself."""
    other = "canvaskit/canvaskit." if variant == "chromium" else "canvaskit/chromium/"
    total = sum((out / rel).stat().st_size for rel in PAGE_BEFORE_SW if (out / rel).exists())
    for path in files_under(out):
        rel = path.relative_to(out).as_posix()
        is_twin = rel.endswith(".gz") and (out / rel[:-3]).is_file()
        if rel in NOT_PRECACHED or rel.startswith(other) or rel == "sw.js" or is_twin:
            continue
        twin = path.with_name(path.name + ".gz")
        total += (twin if compressed and twin.exists() else path).stat().st_size
    return total


def first_load_bytes(out: Path, service_worker: bool) -> dict:
    return {
        "chromium": first_load(out, "chromium", service_worker),
        "other_browsers": first_load(out, "full", service_worker),
        "chromium_uncompressed": first_load(out, "chromium", False),
    }


def print_report(report: dict, out: Path) -> None:
    mb = lambda n: f"{n / 1e6:.1f} MB"  # noqa: E731
    fl = report["first_load_bytes"]
    log(textwrap.dedent(f"""
        Built {out} ({report['site_files']} files, {mb(report['site_bytes'])}) in {report['seconds']} s
          base path            {report['base_path']}
          first visit loads    {mb(fl['chromium'])} (Chrome/Chromebook), {mb(fl['other_browsers'])} (other browsers)
          without a service worker (plain http): {mb(fl['chromium_uncompressed'])} (Chrome)
          app package          {mb(report['app_package_bytes'])} (unpacked {mb(report['app_package_unpacked_bytes'])})
          Flet's web client    {mb(report['flet_web_bytes'])} as shipped
          school profile       {report['school'] or '(none)'}
    """).rstrip())
    icons = report.get("fonts", {}).get("material_icons")
    if icons:
        log(f"  Material Icons       {icons['bytes_before'] // 1000} kB -> {icons['bytes'] // 1000} kB "
            f"({icons['glyphs']} glyphs for {icons['icons']} icons in the app)")
