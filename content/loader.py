"""Load and validate the content files.

Each concern has one YAML file per language under ``content/data/``
(``stappenplan.nl.yaml``, ``organisaties.nl.yaml``, ``schoolrollen.nl.yaml``,
``brieven.nl.yaml``).  They are parsed with
PyYAML's C loader when it is available and checked against the dataclasses of
``content.model`` by dacite in strict mode, so a typo in a key or a missing
field fails loudly at start-up instead of showing an empty screen.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import dacite
import yaml

from content.letter_model import Letters
from content.model import Organisations, Plan, SchoolRoles

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_LANGUAGE = "nl"

try:  # the C parser is ~10x faster; the pure-Python one is the fallback (Pyodide)
    _YamlLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _YamlLoader = yaml.SafeLoader

_T = TypeVar("_T")


class ContentError(ValueError):
    """A content file is missing, malformed, or does not match the schema."""


_DACITE_CONFIG = dacite.Config(strict=True, cast=[tuple])


def _load(cls: type[_T], name: str, language: str) -> _T:
    path = DATA_DIR / f"{name}.{language}.yaml"
    if not path.exists() and language != DEFAULT_LANGUAGE:
        path = DATA_DIR / f"{name}.{DEFAULT_LANGUAGE}.yaml"
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path.name}: {exc}") from exc
    try:
        return dacite.from_dict(cls, raw, config=_DACITE_CONFIG)
    except (dacite.DaciteError, ValueError) as exc:  # ValueError: a __post_init__ check
        raise ContentError(f"{path.name}: {exc}") from exc


@lru_cache(maxsize=None)
def load_plan(language: str = DEFAULT_LANGUAGE) -> Plan:
    return _load(Plan, "stappenplan", language)


@lru_cache(maxsize=None)
def load_organisations(language: str = DEFAULT_LANGUAGE) -> Organisations:
    return _load(Organisations, "organisaties", language)


@lru_cache(maxsize=None)
def load_school_roles(language: str = DEFAULT_LANGUAGE) -> SchoolRoles:
    return _load(SchoolRoles, "schoolrollen", language)


@lru_cache(maxsize=None)
def load_letter_data(language: str = DEFAULT_LANGUAGE) -> Letters:
    """The letter templates as data; ``letters.templates.load_letters`` checks their placeholders."""
    return _load(Letters, "brieven", language)
