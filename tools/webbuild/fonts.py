"""Step 3: the fonts the page draws with.

Material Icons cut down to the icons the app uses (plus those Flutter and
Flet draw themselves); Roboto, the one text font, registered in
``FontManifest.json`` with Flet's ``patch_font_manifest_json`` and completed
with the few glyphs the app's texts need beyond it (``complete_text_font``,
also used for the server mode's fonts).  Flet's KaTeX and Cupertino fonts
are left out when the app does not use them.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from typing import Iterable, Optional

import flet_web

from school import profile_file
from school.profile import SchoolProfile
from tools.webbuild.common import FLET_WEB, ROOT, BuildError, log

KATEX_PREFIX = "packages/flutter_math_fork/"
CUPERTINO_FAMILY = "packages/cupertino_icons/CupertinoIcons"

# Material icons that Flutter's and Flet's own widgets draw (back arrow,
# close, expansion tiles, dropdowns, menus, pickers, search, error screens).
FRAMEWORK_ICONS = """
arrow_back arrow_back_ios arrow_back_ios_new arrow_forward arrow_forward_ios close cancel clear
expand_more expand_less arrow_drop_down arrow_drop_up more_vert more_horiz menu search check
check_box check_box_outline_blank radio_button_checked radio_button_unchecked edit calendar_today
chevron_left chevron_right keyboard keyboard_arrow_up keyboard_arrow_down keyboard_arrow_left
keyboard_arrow_right access_time schedule visibility visibility_off arrow_upward arrow_downward
drag_handle error error_outline warning info info_outline done add remove navigate_next
navigate_before first_page last_page date_range content_copy content_cut content_paste select_all
refresh open_in_new
""".split()
ICON_STYLES = ("baseline", "outlined", "rounded", "sharp")


def used_icon_names(sources: Iterable[Path]) -> set[str]:
    names = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"(?<![A-Za-z])Icons\.([A-Z][A-Z0-9_]*)", text))
    return names


def subset_material_icons(font_path: Path, flet_names: set[str]) -> dict:
    """Keep only the glyphs the app (and Flutter/Flet themselves) use.

    Flet's icon names map to the font's glyph names: ``PHONE`` ->
    ``phone_baseline``, ``PHONE_OUTLINED`` -> ``phone_outlined``.  If one
    cannot be mapped, the font is left whole (and a warning printed).
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(font_path))
    cmap = font.getBestCmap()
    by_glyph: dict[str, int] = {glyph: code for code, glyph in cmap.items()}
    wanted: set[str] = set()
    missing = []
    for name in sorted(flet_names):
        lower = name.lower()
        glyph = lower if lower.rsplit("_", 1)[-1] in ICON_STYLES[1:] else f"{lower}_baseline"
        if glyph in by_glyph:
            wanted.add(glyph)
        else:
            missing.append(name)
    for base in FRAMEWORK_ICONS:
        wanted |= {f"{base}_{style}" for style in ICON_STYLES if f"{base}_{style}" in by_glyph}
    before = font_path.stat().st_size
    if missing:
        log(f"  warning: icons not found in the font, kept it whole: {', '.join(missing)}")
        return {"icons": len(flet_names), "glyphs": len(cmap), "bytes_before": before, "bytes": before, "missing": missing}
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.glyph_names = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({by_glyph[g] for g in wanted} | {0x20}))
    subsetter.subset(font)
    font.save(str(font_path))
    return {"icons": len(flet_names), "glyphs": len(wanted), "bytes_before": before, "bytes": font_path.stat().st_size}


# Fonts to take glyphs from that Roboto lacks (the reports' DejaVu Sans; same 2048 units per em).
GLYPH_SOURCES = [ROOT / "assets" / "fonts" / "DejaVuSans.ttf"]


def app_texts(school: Optional[SchoolProfile] = None) -> str:
    """Every text the app can show: content (all languages), translations, UI code,
    the school profile built in."""
    parts = []
    for pattern in ("content/data/*.yaml", "locale/*/LC_MESSAGES/*.po", "screens/**/*.py", "words/**/*.py",
                    "report/**/*.py", "main.py", "storage/errors.py"):
        parts += [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob(pattern))]
    if school is not None:
        parts.append(profile_file.canonical_json(school).decode("utf-8"))
    return "".join(parts)


def complete_text_font(font_path: Path, texts: str, glyph_sources: list[Path]) -> dict:
    """Add the glyphs the app's texts need and Roboto lacks (e.g. "⇒").

    Flutter would otherwise fetch a Noto fallback font from
    ``assets/fonts/`` (a 404 here, and offline), again on every frame, and
    draw a box.  The glyphs are copied from a fallback source font into
    Roboto (fontTools), so the page keeps one text font.
    """
    from fontTools import subset
    from fontTools.merge import Merger
    from fontTools.merge import Options as MergeOptions
    from fontTools.ttLib import TTFont

    font = TTFont(str(font_path))
    have = set(font.getBestCmap())
    missing = sorted({ord(c) for c in texts if ord(c) >= 0x20 and ord(c) not in (0x7F,)} - have)
    missing = [c for c in missing if not (0xD800 <= c <= 0xDFFF) and c not in (0xFEFF,)]
    if not missing:
        return {"added": []}
    source = next((p for p in glyph_sources if p.exists()), None)
    if source is None:
        log(f"  warning: no font to take {''.join(map(chr, missing))!r} from; restore assets/fonts/DejaVuSans.ttf")
        return {"added": [], "missing": [f"U+{c:04X}" for c in missing]}
    extra = TTFont(str(source))
    available = [c for c in missing if c in extra.getBestCmap()]
    if extra["head"].unitsPerEm != font["head"].unitsPerEm or "glyf" not in extra:
        raise BuildError(f"{source} cannot be merged into Roboto (units per em / outlines differ)")
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = []
    options.notdef_outline = False
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "MATH", "kern", "hdmx", "VDMX", "LTSH", "vhea", "vmtx", "FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=available)
    subsetter.subset(extra)
    font.flavor = None
    base, addition = io.BytesIO(), io.BytesIO()
    font.save(base)
    extra.save(addition)
    base.seek(0)
    addition.seek(0)
    merged = Merger(MergeOptions(drop_tables=["MATH"])).merge([base, addition])
    merged.flavor = "woff2"
    merged.save(str(font_path))
    still = [c for c in missing if c not in available]
    if still:
        log(f"  warning: no glyph anywhere for {''.join(map(chr, still))!r}")
    return {"added": [f"U+{c:04X}" for c in available], "from": source.name, "missing": [f"U+{c:04X}" for c in still]}


def write_font_manifest(out: Path, app_sources: list[Path], prune: bool, school: Optional[SchoolProfile] = None) -> dict:
    manifest_path = out / "assets" / "FontManifest.json"
    report: dict = {}
    if prune:
        text = "\n".join(p.read_text(encoding="utf-8") for p in app_sources)
        families = json.loads(manifest_path.read_text(encoding="utf-8"))
        keep = []
        for family in families:
            name = family["family"]
            if name.startswith(KATEX_PREFIX):
                continue  # math fonts of ft.Markdown's LaTeX; the app shows no formulas
            if name == CUPERTINO_FAMILY and "CupertinoIcons." not in text:
                continue
            keep.append(family)
        manifest_path.write_text(json.dumps(keep), encoding="utf-8")
        for family in keep:
            for font in family["fonts"]:
                if not (out / "assets" / font["asset"]).exists():
                    shutil.copy2(FLET_WEB / "assets" / font["asset"], out / "assets" / font["asset"])
        report["material_icons"] = subset_material_icons(
            out / "assets" / "fonts" / "MaterialIcons-Regular.otf", used_icon_names(app_sources)
        )
    # Roboto, the one text font, registered the way Flet's server does it (no_cdn),
    # completed with the few glyphs the app's texts need beyond it.
    flet_web.patch_font_manifest_json(str(manifest_path))
    report["text_font"] = complete_text_font(out / "assets" / "fonts" / "roboto.woff2", app_texts(school), GLYPH_SOURCES)
    report["families"] = [f["family"] for f in json.loads(manifest_path.read_text(encoding="utf-8"))]
    return report
