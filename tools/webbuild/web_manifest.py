"""Step 5: the web app manifest and its icons, made from ``assets/icon.png``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import flet_web

from tools import web_shell
from tools.webbuild.common import FLET_WEB, ROOT, BuildError
from tools.webbuild.index_page import THEME_COLOR

ICON_SOURCE = ROOT / "assets" / "icon.png"
APP_SHORT_NAME = "Stappenplan"
BACKGROUND_COLOR = "#f8f9ff"  # the shell's background (tools/web_shell.py)


def write_icons(out: Path) -> list[dict]:
    from PIL import Image

    source = Image.open(ICON_SOURCE).convert("RGBA")
    if source.size != (1024, 1024):
        raise BuildError(f"{ICON_SOURCE.relative_to(ROOT)} must be 1024×1024, is {source.size}")
    icons = out / "icons"
    icons.mkdir(parents=True, exist_ok=True)

    def plain(size: int) -> Image.Image:
        return source.resize((size, size), Image.LANCZOS)

    def maskable(size: int) -> Image.Image:
        # Full bleed: the platform cuts its own shape; the motif sits in the safe zone.
        tile = Image.new("RGBA", (size, size), THEME_COLOR)
        tile.alpha_composite(plain(size))
        return tile

    def opaque(size: int) -> Image.Image:  # iOS shows transparency as black
        return maskable(size).convert("RGB")

    images = {
        "icons/icon-192.png": plain(192),
        "icons/icon-512.png": plain(512),
        "icons/icon-maskable-192.png": maskable(192),
        "icons/icon-maskable-512.png": maskable(512),
        "icons/apple-touch-icon-192.png": opaque(192),
        "favicon.png": plain(64),
    }
    for rel, image in images.items():
        image.save(out / rel, optimize=True)
    return [
        {"src": "icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": "icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {"src": "icons/icon-maskable-192.png", "sizes": "192x192", "type": "image/png", "purpose": "maskable"},
        {"src": "icons/icon-maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
    ]


def write_manifest(out: Path, icons: list[dict], version: str) -> None:
    path = out / "manifest.json"
    shutil.copy2(FLET_WEB / "manifest.json", path)
    flet_web.patch_manifest_json(
        str(path),
        app_name=web_shell.APP_NAME,
        app_short_name=APP_SHORT_NAME,
        app_description=web_shell.APP_DESCRIPTION,
        background_color=BACKGROUND_COLOR,
        theme_color=THEME_COLOR,
    )
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(
        {
            "lang": "nl-NL",
            "dir": "ltr",
            "start_url": ".",
            "scope": ".",
            "display": "standalone",
            "orientation": "any",
            "categories": ["education", "productivity"],
            "icons": icons,
            "version": version,
        }
    )
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
