"""Load and validate the content files.

Each concern has one YAML file per language under ``content/data/``
(``stappenplan.nl.yaml``, ``organisaties.nl.yaml``, ``schoolrollen.nl.yaml``,
``brieven.nl.yaml``).  They are parsed with
PyYAML's C loader when it is available and checked against the dataclasses of
``content.model`` by dacite in strict mode, so a typo in a key or a missing
field fails loudly at start-up instead of showing an empty screen.

The web build does that once and ships the result (``content.compiled``):
then the app loads it as it is, and imports neither PyYAML nor dacite,
unless a content file or the model changed after the build.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, TypeVar

from content import compiled, letter_model, model
from content.letter_model import Letters
from content.model import Organisations, Plan, SchoolRoles

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_LANGUAGE = "nl"
#: Each file's checked form depends on the file and on the code of the model (next to this module).
MODEL_FILES = (Path(model.__file__).name, Path(letter_model.__file__).name)

_T = TypeVar("_T")


class ContentError(ValueError):
    """A content file is missing, malformed, or does not match the schema."""


def content_path(name: str, language: str) -> Path:
    path = DATA_DIR / f"{name}.{language}.yaml"
    if not path.exists() and language != DEFAULT_LANGUAGE:
        path = DATA_DIR / f"{name}.{DEFAULT_LANGUAGE}.yaml"
    return path


def sources(path: Path, root: Optional[Path] = None) -> list[Path]:
    """What the checked form of the content file ``path`` is made from: the file and
    the model's code (in ``root``, the ``content`` package; the build passes the staged copy)."""
    return [path, *((root or DATA_DIR.parent) / name for name in MODEL_FILES)]


def parse(cls: type[_T], path: Path) -> _T:
    """The content file at ``path``, parsed and checked against ``cls``."""
    import dacite
    import yaml

    try:  # the C parser is ~10x faster; the pure-Python one is the fallback (Pyodide)
        loader: Any = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - depends on how PyYAML was built
        loader = yaml.SafeLoader
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path.name}: {exc}") from exc
    try:
        return dacite.from_dict(cls, raw, config=dacite.Config(strict=True, cast=[tuple]))
    except (dacite.DaciteError, ValueError) as exc:  # ValueError: a __post_init__ check
        raise ContentError(f"{path.name}: {exc}") from exc


def _load(cls: type[_T], name: str, language: str) -> _T:
    path = content_path(name, language)
    ready = compiled.load(path.stem, sources(path))
    return ready if isinstance(ready, cls) else parse(cls, path)


#: What each ``load_*`` reads: (its dataclass, the file's name before ``.LANG.yaml``).
CONTENT = {"plan": (Plan, "stappenplan"), "organisations": (Organisations, "organisaties"),
           "school_roles": (SchoolRoles, "schoolrollen"), "letters": (Letters, "brieven")}


@lru_cache(maxsize=None)
def load_plan(language: str = DEFAULT_LANGUAGE) -> Plan:
    return _load(*CONTENT["plan"], language)


@lru_cache(maxsize=None)
def load_organisations(language: str = DEFAULT_LANGUAGE) -> Organisations:
    return _load(*CONTENT["organisations"], language)


@lru_cache(maxsize=None)
def load_school_roles(language: str = DEFAULT_LANGUAGE) -> SchoolRoles:
    return _load(*CONTENT["school_roles"], language)


@lru_cache(maxsize=None)
def load_letter_data(language: str = DEFAULT_LANGUAGE) -> Letters:
    """The letter templates as data; ``letters.templates.load_letters`` checks their placeholders."""
    return _load(*CONTENT["letters"], language)
