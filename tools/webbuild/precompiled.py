"""The content's checked form and the Dutch public holidays, compiled into the app package.

The app would otherwise parse its YAML files (the pure-Python parser, in the
browser) and import the ``holidays`` library at every start; this does it
once, in the build, and writes the result where ``content.compiled`` finds
it.  Each file is keyed over the staged files it was made from, after they
are byte-compiled: the app refuses it if any of them differs.
"""

from __future__ import annotations

from pathlib import Path

from content import compiled, loader, opening_hours


def compile_content(stage: Path) -> list[str]:
    """Write ``content/compiled/*.pickle`` into the staged package; returns their names."""
    content_dir = stage / "content"
    target = content_dir / compiled.COMPILED_DIR.name
    written = []
    for cls, name in loader.CONTENT.values():
        for path in sorted((content_dir / "data").glob(f"{name}.*.yaml")):
            written.append(compiled.dump(path.stem, loader.sources(path, content_dir), loader.parse(cls, path), target))
    metadata = sorted((stage / "__pypackages__").glob("holidays-*.dist-info/METADATA"))
    written.append(compiled.dump(opening_hours.COMPILED_HOLIDAYS,
                                 opening_hours.holiday_sources(metadata[0] if metadata else None, content_dir),
                                 opening_hours.compiled_holidays(), target))
    return [p.name for p in written]
