"""Every screen's route, declared once: its name, path, parent, the module that draws it,
and whether it shows journal content (pure, no UI).

A new screen is a module with a ``build(app, route, **params) -> ft.View``
function plus one line in ``ROUTES``.  Other screens link to it with
``routes.path(name, **params)``.

The view stack normally follows where the user tapped (so "back" from step 2
returns to the acute flow if that is where the user came from).  When a route
is opened directly (a link, a reload, the browser's address bar) the stack is
rebuilt from the parents below so that "back" still leads somewhere sensible.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Optional

from sync.links import JOIN_ROUTE  # the team protocol's invite links open this screen

#: Path parameters: ``{name:kind}`` in a path matches the pattern and is converted.
PARAMETERS: dict[str, tuple[str, Callable[[str], object]]] = {
    "step": (r"[1-7]", int),
    "slug": (r"[a-z0-9-]+", str),
    "uuid": (r"[0-9a-f-]{36}", str),
    "ident": (r"[A-Za-z0-9_.:-]{1,100}", str),  # a record id in the journal (storage.codec.Ident)
}
_PARAMETER = re.compile(r"\{(?P<name>\w+):(?P<kind>\w+)\}")


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # "/stap/{number:step}": literal text and typed parameters
    parent: Optional[str]  # the name of the route "back" leads to when there is no history
    screen: str  # the module whose ``build`` draws the screen
    needs_journal: bool = False  # shows journal content: the unlock gate while the journal is locked

    @cached_property
    def pattern(self) -> "re.Pattern[str]":
        parts, end = [], 0
        for found in _PARAMETER.finditer(self.path):
            parts += [re.escape(self.path[end:found.start()]),
                      f"(?P<{found['name']}>{PARAMETERS[found['kind']][0]})"]
            end = found.end()
        return re.compile("".join(parts) + re.escape(self.path[end:]))

    @cached_property
    def parameters(self) -> dict[str, Callable[[str], object]]:
        return {m["name"]: PARAMETERS[m["kind"]][1] for m in _PARAMETER.finditer(self.path)}

    def builder(self) -> Callable:
        """The screen's ``build`` (imported when first drawn: routes never import screens)."""
        return importlib.import_module(self.screen).build


ROUTES: tuple[Route, ...] = (
    Route("home", "/", None, "screens.plan.home"),
    Route("acute", "/acuut", "home", "screens.plan.acute"),
    Route("steps", "/stappen", "home", "screens.plan.steps"),
    Route("step", "/stap/{number:step}", "steps", "screens.plan.step_detail"),
    Route("step_action", "/stap/{number:step}/{action_id:slug}", "steps", "screens.plan.step_detail"),
    Route("organisations", "/organisaties", "home", "screens.plan.organisations"),
    Route("helplines", "/hulplijnen", "home", "screens.plan.helplines"),
    Route("about", "/over", "home", "screens.plan.about"),
    Route("settings", "/instellingen", "home", "screens.plan.settings"),
    Route("school_profile", "/instellingen/schoolprofiel", "settings", "screens.plan.school_profile"),
    Route("letter_templates", "/brieven", "steps", "screens.journal.letters"),
    Route("letter_template", "/brieven/{template_id:slug}", "letter_templates", "screens.journal.letter_editor"),
    Route("journal", "/logboek", "home", "screens.journal.home", needs_journal=True),
    Route("incident", "/logboek/incident/{incident_id:uuid}", "journal", "screens.journal.incident",
          needs_journal=True),
    Route("letters", "/logboek/incident/{incident_id:uuid}/brieven", "journal", "screens.journal.letters",
          needs_journal=True),
    Route("letter", "/logboek/incident/{incident_id:uuid}/brief/{template_id:slug}", "journal",
          "screens.journal.letter_editor", needs_journal=True),
    Route("parents_letter", "/logboek/incident/{incident_id:uuid}/brief/{template_id:slug}/{pupil_id:ident}",
          "journal", "screens.journal.letter_editor", needs_journal=True),
    Route("overview", "/logboek/overzicht", "journal", "screens.journal.overview", needs_journal=True),
    Route("deleted", "/logboek/verwijderd", "journal", "screens.journal.deleted", needs_journal=True),
    Route("journal_settings", "/logboek/instellingen", "journal", "screens.journal.settings", needs_journal=True),
    Route("team", "/logboek/team", "journal_settings", "screens.team.members", needs_journal=True),
    Route("team_create", "/logboek/team/aanmaken", "team", "screens.team.create", needs_journal=True),
    Route("team_join", JOIN_ROUTE, "team", "screens.team.join", needs_journal=True),
    Route("policy", "/beleid", "home", "screens.journal.policy", needs_journal=True),
)

BY_NAME: dict[str, Route] = {r.name: r for r in ROUTES}
HOME = BY_NAME["home"].path


@dataclass(frozen=True)
class Match:
    route: Route
    params: dict[str, object] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.route.name


def path(name: str, **params: object) -> str:
    """The path of route ``name`` with ``params`` filled in: ``path("step", number=3)`` -> '/stap/3'."""
    route = BY_NAME[name]
    if set(params) != set(route.parameters):
        raise TypeError(f"route {name!r} takes {sorted(route.parameters)}, not {sorted(params)}")
    filled = _PARAMETER.sub(lambda m: str(params[m["name"]]), route.path)
    if not route.pattern.fullmatch(filled):
        raise ValueError(f"not a valid {name!r} route: {filled!r}")
    return filled


def step(number: int, action_id: str = "") -> str:
    """A step page; with ``action_id`` that action is opened."""
    return path("step_action", number=number, action_id=action_id) if action_id else path("step", number=number)


def normalise(route: str) -> str:
    """Strip query, fragment and trailing slashes: '/stap/3/?x' -> '/stap/3'."""
    path_only = route.split("?", 1)[0].split("#", 1)[0]
    return "/" + path_only.strip("/")


def match(route: str) -> Optional[Match]:
    normalised = normalise(route)
    for candidate in ROUTES:
        found = candidate.pattern.fullmatch(normalised)
        if found:
            convert = candidate.parameters
            return Match(candidate, {k: convert[k](v) for k, v in found.groupdict().items()})
    return None


def needs_journal(route: str) -> bool:
    """Screens that show journal content (and so turn into the unlock form when it locks)."""
    found = match(route)
    return found is not None and found.route.needs_journal


def chain(route: str) -> list[str]:
    """The stack of routes from home to ``route``; unknown routes lead home."""
    found = match(route)
    if found is None:
        return [HOME]
    here = normalise(route)
    parent = found.route.parent
    return [here] if parent is None else chain(path(parent)) + [here]


def next_stack(stack: list[str], route: str) -> list[str]:
    """The view stack after navigating to ``route``.

    Going to a route already in the stack pops back to it (the back button);
    a new route is pushed; an empty stack is built from the hierarchy.
    """
    if match(route) is None:
        return [HOME]
    here = normalise(route)
    if not stack:
        return chain(here)
    if here in stack:
        return stack[: stack.index(here) + 1]
    return stack + [here]
