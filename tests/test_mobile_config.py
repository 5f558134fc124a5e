"""The `flet build apk/aab/ipa` configuration ([tool.flet] in pyproject.toml).

The Flutter SDK cannot be downloaded on these machines, so no phone build is
made here.  These tests check what `flet build` (flet-cli 1.0.5, see
flet_cli/commands/build_base.py) reads: keys present and well-formed, the
icon source there and the right size, no permissions beyond what the app
needs, tests and tools kept out of the package.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
FLET = PYPROJECT["tool"]["flet"]
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Android application ids and iOS bundle ids: dot-separated, each part a letter then [A-Za-z0-9_].
BUNDLE_ID = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+$")


def test_identity_of_the_app():
    assert FLET["product"] == "Stappenplan online incidenten"  # the name under the icon
    assert FLET["company"] and FLET["copyright"].startswith("Copyright ©")
    assert BUNDLE_ID.match(FLET["org"]) and BUNDLE_ID.match(FLET["bundle_id"])
    assert FLET["bundle_id"].startswith(FLET["org"] + ".")
    assert "-" not in FLET["bundle_id"]  # not allowed in an Android application id
    assert re.fullmatch(r"[a-z0-9-]+", FLET["artifact"])


def test_version_and_description():
    project = PYPROJECT["project"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", project["version"])  # flet build --build-name
    assert isinstance(FLET["build_number"], int) and FLET["build_number"] >= 1  # --build-number
    assert "leerlingen" in project["description"]  # Dutch; shown by the stores' listings


def test_entry_point_and_package_contents():
    app = FLET["app"]
    assert (ROOT / app["path"] / f"{app['module']}.py").is_file()
    for excluded in ("tests", "tools", "docs", "build", "test-artifacts"):
        assert excluded in app["exclude"], excluded
    # Every package the app imports at run time stays in; the team server is a service of its own.
    for package in PYPROJECT["tool"]["setuptools"]["packages"]:
        assert (package in app["exclude"]) == (package == "server"), package
    assert "locale" not in app["exclude"] and "assets" not in app["exclude"]
    assert "flet_web/web/**" in FLET["cleanup"]["package_files"]  # the browser runtime, not on phones


def test_icon_source_is_there_and_right():
    from PIL import Image

    icon = ROOT / "assets" / "icon.png"  # flet build: assets/icon.png for every platform
    with Image.open(icon) as image:
        assert image.format == "PNG" and image.size == (1024, 1024)
        assert image.mode == "RGBA"
        # Opaque centre (the artwork), transparent corners (platforms mask their own shape).
        assert image.getpixel((512, 512))[3] == 255 and image.getpixel((0, 0))[3] == 0
    assert not list((ROOT / "assets").glob("icon.svg"))  # an .svg would be skipped by flet build


def test_colours_of_icons_and_splash():
    for value in (FLET["icon_background"], FLET["android"]["adaptive_icon_background"], *FLET["splash"].values()):
        assert HEX_COLOUR.match(value), value
    # The splash falls back to assets/icon.png when there is no assets/splash.png.
    splash = ROOT / "assets" / "splash.png"
    if splash.exists():
        from PIL import Image

        with Image.open(splash) as image:
            assert min(image.size) >= 512


def test_no_permissions_beyond_calling_and_opening_links():
    assert FLET["permissions"] == []
    android = FLET["android"]["permission"]
    assert android == {"android.permission.INTERNET": False}
    for key in ("CALL_PHONE", "READ_CONTACTS", "CAMERA", "RECORD_AUDIO", "ACCESS_FINE_LOCATION"):
        assert not android.get(f"android.permission.{key}")
    ios = FLET["ios"]["info"]
    assert set(ios["LSApplicationQueriesSchemes"]) == {"tel", "https"}
    assert not [k for k in ios if k.startswith("NS") and k.endswith("UsageDescription")]  # no iOS permission prompts


@pytest.mark.parametrize("key", ["org", "bundle_id", "product", "company", "copyright", "build_number"])
def test_keys_flet_build_reads_are_at_the_place_it_reads_them(key):
    # flet-cli reads tool.flet.<key> (or tool.flet.<platform>.<key>); a typo in a
    # table name would silently fall back to defaults ("com.flet", the project name).
    assert key in FLET
