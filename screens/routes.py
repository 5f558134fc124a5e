"""The app's routes and their place in the navigation hierarchy (pure, no UI).

The view stack normally follows where the user tapped (so "back" from step 2
returns to the acute flow if that is where the user came from).  When a route
is opened directly (a link, a reload, the browser's address bar) the stack is
rebuilt from the hierarchy below so that "back" still leads somewhere sensible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

HOME = "/"
ACUTE = "/acuut"
STEPS = "/stappen"
ORGANISATIONS = "/organisaties"
HELPLINES = "/hulplijnen"
ABOUT = "/over"
SETTINGS = "/instellingen"
POLICY = "/beleid"
OVERVIEW = "/logboek/overzicht"
JOURNAL = "/logboek"
JOURNAL_SETTINGS = "/logboek/instellingen"


def step(number: int, action_id: str = "") -> str:
    """A step page; with ``action_id`` that action is opened."""
    return f"/stap/{number}/{action_id}" if action_id else f"/stap/{number}"


def incident(incident_id: str) -> str:
    return f"/logboek/incident/{incident_id}"


@dataclass(frozen=True)
class Match:
    name: str
    params: dict[str, object] = field(default_factory=dict)


_PATTERNS: tuple[tuple[str, "re.Pattern[str]"], ...] = (
    ("home", re.compile(r"/")),
    ("acute", re.compile(r"/acuut")),
    ("steps", re.compile(r"/stappen")),
    ("step", re.compile(r"/stap/(?P<number>[1-7])")),
    ("step_action", re.compile(r"/stap/(?P<number>[1-7])/(?P<action_id>[a-z0-9-]+)")),
    ("organisations", re.compile(r"/organisaties")),
    ("helplines", re.compile(r"/hulplijnen")),
    ("settings", re.compile(r"/instellingen")),
    ("policy", re.compile(r"/beleid")),
    ("overview", re.compile(r"/logboek/overzicht")),
    ("journal", re.compile(r"/logboek")),
    ("journal_settings", re.compile(r"/logboek/instellingen")),
    ("incident", re.compile(r"/logboek/incident/(?P<incident_id>[0-9a-f-]{36})")),
    ("about", re.compile(r"/over")),
)

_PARENTS = {
    "acute": HOME,
    "steps": HOME,
    "step": STEPS,
    "step_action": STEPS,
    "organisations": HOME,
    "helplines": HOME,
    "settings": HOME,
    "policy": HOME,
    "overview": JOURNAL,
    "journal": HOME,
    "journal_settings": JOURNAL,
    "incident": JOURNAL,
    "about": HOME,
}


def is_journal(route: str) -> bool:
    """Screens that show journal content (and so turn into the unlock form when it locks)."""
    path = normalise(route)
    return path.startswith(JOURNAL) or path == POLICY


def normalise(route: str) -> str:
    """Strip query, fragment and trailing slashes: '/stap/3/?x' -> '/stap/3'."""
    path = route.split("?", 1)[0].split("#", 1)[0]
    path = "/" + path.strip("/")
    return path


def match(route: str) -> Optional[Match]:
    path = normalise(route)
    for name, pattern in _PATTERNS:
        found = pattern.fullmatch(path)
        if found:
            params = found.groupdict()
            return Match(name, {k: int(v) if k == "number" else v for k, v in params.items()})
    return None


def chain(route: str) -> list[str]:
    """The stack of routes from home to ``route``; unknown routes lead home."""
    found = match(route)
    if found is None:
        return [HOME]
    path = normalise(route)
    parent = _PARENTS.get(found.name)
    return [path] if parent is None else chain(parent) + [path]


def next_stack(stack: list[str], route: str) -> list[str]:
    """The view stack after navigating to ``route``.

    Going to a route already in the stack pops back to it (the back button);
    a new route is pushed; an empty stack is built from the hierarchy.
    """
    if match(route) is None:
        return [HOME]
    path = normalise(route)
    if not stack:
        return chain(path)
    if path in stack:
        return stack[: stack.index(path) + 1]
    return stack + [path]
