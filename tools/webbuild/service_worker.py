"""Step 6: the offline service worker (Workbox, ``tools/web/sw-src.js``) and the gzip twins it downloads."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

from tools.webbuild.common import WEB_TOOLS, BuildError, files_under, log
from tools.webbuild.node import npm_install

NOT_PRECACHED = ["assets/NOTICES"]  # licences of the bundled software: on the site, never needed offline
GZIP_MIN_BYTES = 16 * 1024
GZIP_MIN_SAVING = 0.15
ALREADY_COMPRESSED = {".gz", ".zip", ".woff2", ".png", ".otf"}


def write_gzip_twins(out: Path) -> dict:
    """``FILE.gz`` next to every large file that compresses well.

    The service worker downloads these and unpacks them itself
    (``DecompressionStream``), so the first visit transfers about half the
    bytes even from a server that does not compress.  The plain files stay:
    browsers without a service worker (plain http) load those.
    """
    saved = 0
    twins = []
    for path in files_under(out):
        rel = path.relative_to(out).as_posix()
        if path.suffix in ALREADY_COMPRESSED or rel in NOT_PRECACHED or path.stat().st_size < GZIP_MIN_BYTES:
            continue
        data = path.read_bytes()
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        if len(packed) > len(data) * (1 - GZIP_MIN_SAVING):
            continue
        path.with_name(path.name + ".gz").write_bytes(packed)
        saved += len(data) - len(packed)
        twins.append(rel)
    return {"files": twins, "bytes_saved": saved}


def build_service_worker(out: Path, build_id: str, twins: list[str]) -> dict:
    npm_install()
    # The .gz twins are not entries of their own: the worker fetches them in place of the plain files.
    config = {"outDir": str(out), "buildId": build_id, "globIgnores": NOT_PRECACHED + [f"{t}.gz" for t in twins]}
    done = subprocess.run(
        ["node", str(WEB_TOOLS / "build-sw.mjs"), json.dumps(config)], capture_output=True, text=True, cwd=WEB_TOOLS
    )
    if done.returncode != 0:
        raise BuildError(f"building the service worker failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result.get("warnings"):
        log("  workbox: " + "; ".join(result["warnings"]))
    return result
