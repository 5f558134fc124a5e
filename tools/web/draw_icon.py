"""Draw the app icon, ``assets/icon.png`` (1024×1024), with Pillow.

    python tools/web/draw_icon.py

The ONE source image of every icon: ``tools/build_web.py`` makes the web
icons (192/512, maskable, favicon, Apple touch icon) from it, and
``flet build apk/aab/ipa`` makes the Android and iOS launcher icons and the
splash from it.  A white shield with a check mark on the app's blue
(``#1f5f8b``), with a red (``#ba1a1a``) badge: "act now, step by step".
Kept as code so the icon can be redrawn (and reviewed) instead of being an
opaque binary.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "assets" / "icon.png"

BLUE = (0x1F, 0x5F, 0x8B, 255)
RED = (0xBA, 0x1A, 0x1A, 255)
WHITE = (255, 255, 255, 255)
SIZE = 1024
SCALE = 4  # draw at 4x and scale down: smooth edges


def _bezier(p0, p1, p2, steps=64):
    return [
        (
            (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t**2 * p2[0],
            (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t**2 * p2[1],
        )
        for t in (i / steps for i in range(steps + 1))
    ]


def _shield(cx, top, width, height):
    """A shield outline: flat top with rounded shoulders, sides curving to a point."""
    left, right = cx - width / 2, cx + width / 2
    shoulder = height * 0.08
    side_end = top + height * 0.45
    bottom = top + height
    points = []
    points += _bezier((left, top + shoulder), (left, top), (left + shoulder, top))
    points += _bezier((right - shoulder, top), (right, top), (right, top + shoulder))
    points.append((right, side_end))
    points += _bezier((right, side_end), (right, top + height * 0.82), (cx, bottom))
    points += _bezier((cx, bottom), (left, top + height * 0.82), (left, side_end))
    return points


def draw(size: int = SIZE) -> Image.Image:
    s = size * SCALE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    # The tile: full size, rounded corners (platforms mask it further).
    d.rounded_rectangle((0, 0, s - 1, s - 1), radius=int(s * 0.22), fill=BLUE)
    # The shield, inside the maskable safe zone (the central 80 % circle).
    cx = s / 2
    d.polygon(_shield(cx, s * 0.24, s * 0.46, s * 0.54), fill=WHITE)
    # A bold check mark on the shield.
    w = int(s * 0.055)
    check = [(s * 0.395, s * 0.50), (s * 0.475, s * 0.58), (s * 0.625, s * 0.415)]
    for a, b in zip(check, check[1:], strict=False):
        d.line((a, b), fill=BLUE, width=w)
    for x, y in check:  # round caps and joint
        d.ellipse((x - w / 2, y - w / 2, x + w / 2, y + w / 2), fill=BLUE)
    # The red badge at the shield's shoulder, with a white exclamation mark.
    bx, by, br = s * 0.665, s * 0.285, s * 0.105
    d.ellipse((bx - br - s * 0.018, by - br - s * 0.018, bx + br + s * 0.018, by + br + s * 0.018), fill=BLUE)
    d.ellipse((bx - br, by - br, bx + br, by + br), fill=RED)
    bar = s * 0.022
    d.rounded_rectangle((bx - bar, by - br * 0.62, bx + bar, by + br * 0.22), radius=int(bar), fill=WHITE)
    d.ellipse((bx - bar * 1.1, by + br * 0.38, bx + bar * 1.1, by + br * 0.38 + bar * 2.2), fill=WHITE)
    return img.resize((size, size), Image.LANCZOS)


def main() -> int:
    OUT.parent.mkdir(exist_ok=True)
    draw().save(OUT, optimize=True)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
