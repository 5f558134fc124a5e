"""Step 4: ``index.html``: Flet's page patched by Flet (Pyodide mode, no CDN, base
path, hash routing) and by ``tools/web_shell`` (Dutch, the static shell), with a
Content-Security-Policy whose inline scripts are allowed by their SHA-256 hashes."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Optional

import flet_web
from flet.controls.types import RouteUrlStrategy, WebRenderer

from school.profile import SchoolProfile
from tools import web_shell
from tools.webbuild.app_package import ENTRY_MODULE
from tools.webbuild.common import FLET_WEB, BuildError, replace_once, sha256_b64
from tools.webbuild.runtime import START_MARKS_SCRIPT

THEME_COLOR = "#1f5f8b"

CSP_TEMPLATE = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval' {hashes}",
    # Flutter writes <style> elements and style attributes at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
])
CSP_PLACEHOLDER = "__STAPPENPLAN_CSP__"

HEAD_EXTRA = f"""  <meta name="theme-color" content="{THEME_COLOR}">
  <style>
    #loading {{ z-index: 2147483000; }}
    #update-banner {{ position: fixed; left: 50%; bottom: 1rem; transform: translateX(-50%); z-index: 2147483001;
      box-sizing: border-box; width: calc(100% - 2rem); max-width: 30rem; display: flex; align-items: center;
      justify-content: space-between; gap: .75rem; padding: .5rem .5rem .5rem 1rem; border-radius: 12px;
      background: #2e3135; color: #eff0f7; box-shadow: 0 2px 8px rgba(0,0,0,.3);
      font: 16px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }}
    #update-banner button {{ flex: none; white-space: nowrap; min-height: 48px; padding: 0 1rem; border: 0;
      border-radius: 24px; background: #9ccbfb; color: #003352; font: inherit; font-weight: 600; cursor: pointer; }}
    #update-banner button:focus-visible {{ outline: 3px solid #fff; outline-offset: 2px; }}
  </style>
  <script src="{START_MARKS_SCRIPT}" defer></script>
  <script src="boot.js" defer></script>"""


def write_index(out: Path, base_path: str, app_url: str, pyodide_version: str,
                school: Optional[SchoolProfile] = None) -> str:
    index = out / "index.html"
    shutil.copy2(FLET_WEB / "index.html", index)
    flet_web.patch_index_html(
        str(index),
        base_href=base_path,
        app_name=web_shell.APP_NAME,
        app_description=web_shell.APP_DESCRIPTION,
        pyodide=True,
        pyodide_script_path=f"{ENTRY_MODULE}.py",
        pyodide_version=pyodide_version,
        app_package_url=app_url,
        web_renderer=WebRenderer.CANVAS_KIT,
        route_url_strategy=RouteUrlStrategy.HASH,
        no_cdn=True,
    )
    page = index.read_text(encoding="utf-8")
    # Flet 1.0.5 writes a bare "pyodide/pyodide.mjs", which the module worker
    # cannot import ("Failed to resolve module specifier"): make it absolute.
    page, n = re.subn(
        r'flet\.pyodideUrl="(?![./]|https?:)([^"]*)"', lambda m: f'flet.pyodideUrl="{base_path}{m[1]}"', page
    )
    if n != 1 and f'flet.pyodideUrl="{base_path}pyodide/pyodide.mjs"' not in page:
        raise BuildError("cannot find flet.pyodideUrl in the patched index.html")
    # boot.js starts Flutter (after the service worker is ready on a first visit).
    page = replace_once(page, '<script src="flutter_bootstrap.js" async></script>', "", "index.html (bootstrap)")
    page = web_shell.render_index(page, csp=CSP_PLACEHOLDER, shell=web_shell.shell_html(school), head_extra=HEAD_EXTRA)
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    hashes = " ".join(f"'sha256-{sha256_b64(s)}'" for s in scripts)
    csp = CSP_TEMPLATE.format(hashes=hashes)
    page = replace_once(page, CSP_PLACEHOLDER, html.escape(csp, quote=True), "index.html (CSP)")
    index.write_text(page, encoding="utf-8")
    return csp
