"""The part of the app package the first screen does not need, loaded after it.

``tools/webbuild/app_package.py`` splits the package: ``app.tar.gz`` holds
what the app needs to draw its first screen, ``app-later.tar.gz`` the rest
(the PDF writers and their fonts, the passphrase checker, the QR codes, the
YAML parser, ...).  The build lists the later package's address (with its
content hash, so a new build is never mixed with an old one) and the
top-level modules in it in ``later_package.json``, next to this file.

* ``install()`` (called by the entry module first) puts a finder in front of
  the import system: importing one of the later modules before the package
  is there fetches and unpacks it at once, synchronously (a worker may), so
  the import simply succeeds;
* ``load_in_background()`` (called once the first page is drawn) fetches and
  unpacks it without holding up the app (about 0.1 s of unpacking, in
  ``tools/web/untar.js``).

Both read the package through the site's service worker (precached: works
offline).  Outside Pyodide nothing here is used.
"""

from __future__ import annotations

import importlib
import json
import sys
import zlib
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "later_package.json"


class _State:
    manifest: Optional[dict] = None
    done = False


def _manifest() -> dict:
    if _State.manifest is None:
        _State.manifest = json.loads(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.exists() else {"modules": []}
    return _State.manifest


def _finish() -> None:
    _State.done = True
    importlib.invalidate_caches()


def load_now() -> None:
    """Fetch and unpack the later package synchronously (an import needs it now)."""
    if _State.done:
        return
    import flet_js
    import js
    from pyodide.ffi import to_js

    request = js.XMLHttpRequest.new()
    request.open("GET", _manifest()["url"], False)  # synchronous: allowed in a worker
    request.responseType = "arraybuffer"
    request.send(None)
    if request.status != 200:
        raise ImportError(f"the app's later package could not be loaded (HTTP {request.status})")
    packed = js.Uint8Array.new(request.response).to_bytes()
    flet_js.untar(to_js(zlib.decompress(packed, wbits=31)), str(HERE))
    _finish()


async def load_in_background() -> None:
    """Fetch and unpack the later package (once the first page is drawn)."""
    if _State.done or not _manifest()["modules"]:
        return
    import flet_js
    from pyodide.http import pyfetch

    response = await pyfetch(_manifest()["url"])
    if not response.ok or _State.done:
        return  # the finder tries again when a module is needed
    await flet_js.unpackTarGz(response.js_response, str(HERE))
    _finish()


class _LaterFinder:
    """Before the later package is unpacked, importing one of its modules unpacks it first."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        if not _State.done and fullname.partition(".")[0] in _manifest()["modules"]:
            load_now()
        return None  # the usual finders take it from here


def install() -> None:
    if _manifest()["modules"] and _LaterFinder not in sys.meta_path:
        sys.meta_path.insert(0, _LaterFinder)
