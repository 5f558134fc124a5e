"""The letter templates, loaded and checked beyond their schema.

``content.loader.load_letter_data`` checks the shape of ``brieven.<lang>.yaml``;
this module checks what the shape cannot say: every ``{placeholder}`` is
known, a pupil's name (``{pupil}``) can only be asked for in a letter to
that pupil's own parents or to that pupil (18 or older), the classes
(``{groups}``) only in a message to the team and the melder's name
(``{reporter}``) only in the message to the melder, every role, organisation
and action exists, the conditions about a pupil's role are used only where
there is one pupil, and the words cover every incident type and pupil role.  A mistake raises TemplateError with the
file and the letter named, like the other content files (load them at start).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator, NamedTuple

from content.letter_model import Letters, LetterTemplate
from content.loader import ContentError, load_letter_data, load_organisations, load_plan
from school.profile import SchoolRole
from storage.incidents import INCIDENT_TYPES, PUPIL_ROLES

# {name} or {name:argument}; the argument of contact is "role" or "role|role|...".
PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::([a-z0-9|-]+))?\}")
SIMPLE_PLACEHOLDERS = frozenset(
    {"school", "incident", "what_happened", "date", "today", "pupil", "groups", "action_team",
     "sanction_policy", "sender", "reporter"}
)
ARGUMENT_PLACEHOLDERS = frozenset({"contact", "org", "web"})
# placeholder -> the only letter kinds that may use it
ONLY_IN = {"pupil": ("parents", "pupil"), "groups": ("team",), "reporter": ("melder",)}
ROLE_CONDITIONS = {"victim": "slachtoffer", "instigator": "aanstichter", "bystander": "omstander"}
MARKER_OPEN, MARKER_CLOSE = "[[", "]]"  # reserved for fill-in markers (letters.render)
HINT_KEYS = frozenset({"school", "incident", "what_happened", "date", "pupil", "groups", "action_team",
                       "contact", "sanction_policy", "sender", "reporter"})


class TemplateError(ContentError):
    """A letter template uses an unknown or misplaced placeholder."""


class Placeholder(NamedTuple):
    name: str
    argument: str  # "" for simple placeholders


def placeholders(text: str) -> Iterator[Placeholder]:
    for match in PLACEHOLDER.finditer(text):
        yield Placeholder(match[1], match[2] or "")


def _texts(template: LetterTemplate) -> Iterator[str]:
    yield template.subject
    for paragraph in template.paragraphs:
        yield paragraph.text


def check_letters(letters: Letters) -> None:
    """Raise TemplateError for anything a letter could not be filled with."""
    name = f"brieven.{letters.language}.yaml"
    organisations = load_organisations(letters.language)
    plan = load_plan(letters.language)
    words = letters.words
    if set(words.incident_words) != set(INCIDENT_TYPES):
        raise TemplateError(f"{name}: incident_words must cover exactly {', '.join(INCIDENT_TYPES)}")
    if set(words.pupil_roles) != set(PUPIL_ROLES):
        raise TemplateError(f"{name}: pupil_roles must cover exactly {', '.join(PUPIL_ROLES)}")
    if set(words.hints) != HINT_KEYS:
        raise TemplateError(f"{name}: hints must cover exactly {', '.join(sorted(HINT_KEYS))}")
    for key, fields in (("fill_in", {"what"}), ("contact_named", {"name", "role"}), ("phone", {"phone"}),
                        ("email", {"email"}), ("pupil_label", {"role", "number"})):
        if {p.name for p in placeholders(getattr(words, key))} != fields:
            raise TemplateError(f"{name}: words.{key} must use {', '.join('{' + f + '}' for f in sorted(fields))}")
    record = words.record
    for key, fields in (("parents", {"pupil"}), ("pupil", {"pupil"}), ("all_parents", set()), ("team", set()),
                        ("media", set()), ("melder", set()), ("summary", {"time"}),
                        ("note", {"whom", "time", "subject"}), ("released", set()),
                        ("release", {"found", "context", "reason"})):
        if {p.name for p in placeholders(getattr(record, key))} != fields:
            raise TemplateError(f"{name}: words.record.{key} must use exactly {sorted(fields)}")
    if {p.name for p in placeholders(words.hints["contact"])} != {"noun"}:
        raise TemplateError(f"{name}: words.hints.contact must use {{noun}}")
    if {p.name for p in placeholders(words.hints["what_happened"])} != {"incident"}:
        raise TemplateError(f"{name}: words.hints.what_happened must use {{incident}}")
    if not words.fill_in.startswith(MARKER_OPEN) or not words.fill_in.endswith(MARKER_CLOSE):
        raise TemplateError(f"{name}: words.fill_in must start with [[ and end with ]]")
    seen = set()
    for template in letters.templates:
        where = f"{name}: {template.id}"
        if template.id in seen:
            raise TemplateError(f"{where}: id used twice")
        seen.add(template.id)
        if (template.kind == "parents") != (template.role in PUPIL_ROLES):
            raise TemplateError(f"{where}: a parents letter needs a pupil role, other letters none")
        for paragraph in template.paragraphs:
            if set(ROLE_CONDITIONS) & {*paragraph.when, *paragraph.unless} and template.kind != "pupil":
                raise TemplateError(f"{where}: conditions on the pupil's role are for the letter to a pupil")
        try:
            step = plan.step_of(template.action)
        except KeyError:
            raise TemplateError(f"{where}: unknown action {template.action!r}") from None
        if step.number != template.step:
            raise TemplateError(f"{where}: action {template.action} is in step {step.number}")
        for text in _texts(template):
            _check_text(text, template, where, organisations)


def _check_text(text, template: LetterTemplate, where: str, organisations) -> None:
    if MARKER_OPEN in text or MARKER_CLOSE in text:
        raise TemplateError(f"{where}: [[ and ]] are kept for fill-in markers")
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        raise TemplateError(f"{where}: a {{ or }} that is not a placeholder in {text[:60]!r}")
    for p in placeholders(text):
        if p.name in SIMPLE_PLACEHOLDERS:
            if p.argument:
                raise TemplateError(f"{where}: {{{p.name}}} takes no argument")
            if p.name in ONLY_IN and template.kind not in ONLY_IN[p.name]:
                raise TemplateError(f"{where}: {{{p.name}}} is only allowed in {' and '.join(ONLY_IN[p.name])} "
                                    "letters")
        elif p.name in ARGUMENT_PLACEHOLDERS:
            if p.name == "contact":
                for role in p.argument.split("|"):
                    if role not in set(SchoolRole):
                        raise TemplateError(f"{where}: unknown role {role!r} in {{contact:{p.argument}}}")
            else:
                try:
                    org = organisations.get(p.argument)
                except KeyError:
                    raise TemplateError(f"{where}: unknown organisation {p.argument!r}") from None
                if p.name == "web" and not org.website:
                    raise TemplateError(f"{where}: {org.id} has no website")
        else:
            raise TemplateError(f"{where}: unknown placeholder {{{p.name}}}")


@lru_cache(maxsize=None)
def load_letters(language: str) -> Letters:
    """The checked letter templates of ``language`` (Dutch if there is no such file)."""
    letters = load_letter_data(language)
    check_letters(letters)
    return letters


__all__ = ["PLACEHOLDER", "ROLE_CONDITIONS", "Placeholder", "TemplateError", "check_letters", "load_letters",
           "placeholders"]
