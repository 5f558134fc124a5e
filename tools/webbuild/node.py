"""Node.js tools of the build (``tools/web``, npm packages pinned in ``package-lock.json``)."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
from pathlib import Path

from tools.webbuild.common import FLET_WEB, WEB_TOOLS, BuildError, log


def require_node() -> None:
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise BuildError(f"{tool} not found: install Node.js >= 18 with npm (Debian: apt-get install nodejs npm)")


def npm_install() -> None:
    """Install tools/web's pinned packages when node_modules does not match package-lock.json.

    ``npm install --no-save`` rather than ``npm ci``: npm 11 writes lock files
    without the optional native Rollup builds of other platforms, which
    ``npm ci`` then refuses; the versions still come from package-lock.json.
    """
    require_node()
    lock = WEB_TOOLS / "package-lock.json"
    stamp = WEB_TOOLS / "node_modules" / ".stappenplan-lock.sha256"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    # One install at a time (parallel test workers build too).
    stamp.parent.mkdir(exist_ok=True)
    with open(stamp.parent / ".stappenplan-install.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == digest:
            return
        log("  npm install (tools/web, versions from package-lock.json)")
        subprocess.run(
            ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WEB_TOOLS, check=True,
            stdout=subprocess.DEVNULL,
        )
        stamp.write_text(digest)


def run_pyodide(script: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``script`` in the site's own Pyodide under Node (tools/web/run-pyodide.mjs)."""
    return subprocess.run(
        ["node", str(WEB_TOOLS / "run-pyodide.mjs"), str(FLET_WEB / "pyodide"), str(script), *args],
        capture_output=True, text=True, timeout=timeout,
    )
