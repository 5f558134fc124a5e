"""The step plan in the static shell: every step as plain HTML, from ``content/``.

``tools/web_shell.py`` puts these views into the page beside the acute
actions and help lines, so a teacher can read the whole step plan before
Python has started: the list of the seven steps (``#/stappen``), each step
with every action in full — its text, tips, NB and LET OP, lists, the
organisations it names with ``tel:`` links, the links of the text — and the
school's own agreement for the step and the school's people an action points
to when the build has a school profile, and the organisations page the texts
link to (``#/organisaties``).

Every view is a ``<section data-route="...">`` named by the app's own route
(``screens.routes``), and every action heading carries the route that opens
it in the app (``data-route-target="/stap/3/strafbare-feiten"``):
``tools/web/shell.js`` shows the view of the address's ``#`` route, and when
the full app takes over it opens at that same route.  The texts are Dutch or
English; the words around them come from the app's gettext catalogs.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Iterable, Optional, Sequence, Union

from content.loader import load_organisations, load_plan, load_school_roles
from content.model import Action, Block, ListItem, Organisation, Phone, Plan, Step
from school.placement import SANCTION_POLICY_ACTIONS, contacts_for_action
from school.profile import SchoolContact, SchoolProfile
from screens import routes
from words.i18n import _

esc = html.escape

#: Inline markup of the content (``content/model.py``): **bold** and [label](url).
_INLINE = re.compile(r"\*\*(?P<bold>.+?)\*\*|\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]+)\)")


class ShellError(ValueError):
    """The content links to a page of the app that the shell cannot show."""


def href(route: str) -> str:
    """The shell's (and the static app's) address of an app route: hash routing."""
    return "#" + route


def element_id(language: str, *parts: object) -> str:
    return "-".join([language, *(str(p) for p in parts)])


# --- text --------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def shell_routes() -> frozenset[str]:
    """The app routes the shell has a page or a place for (links in the texts must be among them)."""
    plan = load_plan()
    fixed = {routes.path(name) for name in ("home", "acute", "helplines", "steps", "organisations")}
    steps = {routes.step(s.number) for s in plan.steps}
    actions = {routes.step(s.number, a.id) for s in plan.steps for a in s.actions}
    return frozenset(fixed | steps | actions)


def link(label_html: str, url: str) -> str:
    if url.startswith("/"):
        route = routes.normalise(url)
        if route not in shell_routes():
            raise ShellError(f"the content links to {url}, a page the static shell does not have")
        return f'<a href="{esc(href(route))}">{label_html}</a>'
    return external_link(label_html, url)


def external_link(label_html: str, url: str, css_class: str = "") -> str:
    """A link out of the app: opened in a new tab (the installed app stays where it was)."""
    attribute = f' class="{css_class}"' if css_class else ""
    return f'<a{attribute} href="{esc(url)}" target="_blank" rel="noopener noreferrer">{label_html}</a>'


def inline(text: str) -> str:
    """Content text as HTML: escaped, with **bold** and [label](url) made into tags."""
    out, position = [], 0
    for found in _INLINE.finditer(text):
        out.append(esc(text[position:found.start()]))
        if found["bold"] is not None:
            out.append(f"<strong>{inline(found['bold'])}</strong>")
        else:
            out.append(link(inline(found["label"]), found["url"]))
        position = found.end()
    out.append(esc(text[position:]))
    return "".join(out)


def _items(items: Sequence[Union[str, ListItem]], tag: str) -> str:
    lines = []
    for item in items:
        if isinstance(item, ListItem):
            nested = "".join(f"<li>{inline(sub)}</li>" for sub in item.items)
            lines.append(f"<li>{inline(item.text)}" + (f"<ul>{nested}</ul>" if nested else "") + "</li>")
        else:
            lines.append(f"<li>{inline(item)}</li>")
    return f"<{tag}>" + "".join(lines) + f"</{tag}>"


# --- contacts ----------------------------------------------------------------------------------


def call_link(phone: Phone) -> str:
    label = _("Call {number}").format(number=phone.display)
    return f'<a class="call" href="{esc(phone.tel_uri)}">{esc(label)}</a>'


def organisation_card(org: Organisation, *, full: bool = False) -> str:
    """A help line or organisation: name, for whom, one tap to call; ``full`` adds the
    description and the source's wording of reach and hours."""
    about = " ".join(p for p in (org.audience, org.description if full else "") if p)
    lines = [f"<strong>{esc(org.name)}</strong>", f"<span>{esc(about)}</span>" if about else ""]
    if full:
        lines += [f"<span>{esc(line)}</span>" for line in (org.reach_as_written, org.hours_as_written) if line]
    links = [call_link(phone) for phone in org.phones]
    if org.chat:
        links.append(external_link(esc(_("Chat")), org.chat, "out"))
    if org.website:
        links.append(external_link(esc(_("Website")), org.website, "out"))
    return "<li>" + " ".join(line for line in lines if line) + " " + " ".join(links) + "</li>"


def contact_card(contact: SchoolContact, language: str) -> str:
    """One of the school's own people: role, name and when reachable, one tap to call."""
    role = load_school_roles(language).get(contact.role).label
    who = " · ".join(esc(part) for part in (contact.name, contact.reachable) if part.strip())
    call = call_link(Phone(contact.phone)) if contact.phone.strip() else ""
    mail = ""
    if contact.email:
        noun = load_school_roles(language).get(contact.role).noun
        label = _("E-mail {role}").format(role=noun)
        mail = f'<a class="out" href="mailto:{esc(contact.email)}">{esc(label)}</a>'
    parts = [f"<strong>{esc(role)}</strong>", f"<span>{who}</span>" if who else "", call, mail]
    return "<li>" + " ".join(p for p in parts if p) + "</li>"


def own_school_heading(profile: SchoolProfile, language: str) -> str:
    return _("{heading}: {school}").format(heading=load_school_roles(language).heading, school=profile.school_name)


# --- blocks, actions, steps --------------------------------------------------------------------


def block_html(block: Block, plan: Plan, heading_level: int) -> str:
    kind = block.kind
    if kind == "paragraph":
        return f"<p>{inline(block.text)}</p>"
    if kind == "heading":
        return f"<h{heading_level}>{inline(block.text)}</h{heading_level}>"
    if kind in ("tip", "note", "warning"):
        label = {"tip": _("Tip"), "note": _("N.B."), "warning": _("Warning")}[kind]
        return f'<div class="callout {kind}" role="note"><p><strong>{esc(label)}:</strong> {inline(block.text)}</p></div>'
    if kind in ("numbered", "bullets"):
        return _items(block.items, "ol" if kind == "numbered" else "ul")
    if kind == "questions":
        return _items([q.text for q in block.questions], "ol")
    if kind == "organisations":
        organisations = load_organisations(plan.language)
        cards = "".join(organisation_card(organisations.get(org_id)) for org_id in block.organisations)
        return f'<ul class="cards">{cards}</ul>'
    if kind == "incident_types":
        return _items([t.text for t in plan.incident_types], "ul")
    if kind == "roles":
        return "<ul>" + "".join(f"<li><strong>{esc(r.name)}</strong> – {inline(r.text)}</li>" for r in plan.roles) + "</ul>"
    raise ValueError(f"unknown block kind {kind!r}")


def action_html(step: Step, action: Action, plan: Plan, profile: Optional[SchoolProfile], level: int) -> str:
    """An action in full, under a heading that names its route in the app."""
    ident = element_id(plan.language, "actie", action.id)
    parts = [
        f'<section class="action" aria-labelledby="{ident}">',
        f'<h{level} id="{ident}" tabindex="-1" data-route-target="{esc(routes.step(step.number, action.id))}">'
        f"{esc(action.title)}</h{level}>",
        *(block_html(b, plan, level + 1) for b in action.blocks),
    ]
    contacts = contacts_for_action(profile, action.id)
    if profile is not None and contacts:
        parts.append(f'<p class="own"><strong>{esc(own_school_heading(profile, plan.language))}</strong></p>')
        parts.append('<ul class="cards school">' + "".join(contact_card(c, plan.language) for c in contacts) + "</ul>")
    if profile is not None and profile.sanction_policy_url and action.id in SANCTION_POLICY_ACTIONS:
        label = _("The school's sanction policy")
        parts.append(f"<p>{external_link(esc(label), profile.sanction_policy_url)}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def back_link(route: str, label: str, *, to_any: bool = False) -> str:
    """"Back": to the page the user came from when that is ``route`` (or any page, ``to_any``),
    else to ``route`` itself (tools/web/shell.js; without script a plain link to ``route``)."""
    kind = "any" if to_any else "parent"
    return (f'<p class="back"><a href="{esc(href(route))}" data-back="{kind}">'
            f'<span aria-hidden="true">← </span>{esc(label)}</a></p>')


def step_title(step: Step) -> str:
    return _("Step {number}: {title}").format(number=step.number, title=step.title)


def step_view(step: Step, plan: Plan, profile: Optional[SchoolProfile]) -> str:
    language = plan.language
    heading = element_id(language, "stap", step.number)
    parts = [
        f'<section class="view" data-route="{esc(routes.step(step.number))}" aria-labelledby="{heading}">',
        back_link(routes.path("steps"), _("Back to the seven steps")),
        f'<h1 id="{heading}" tabindex="-1">{esc(step_title(step))}</h1>',
        f'<p class="summary">{inline(step.summary)}</p>',
    ]
    note = profile.note(step.number) if profile else ""
    if note:
        label = _("Agreement of {school}").format(school=profile.school_name)
        parts.append(f'<div class="callout school-note" role="note"><p><strong>{esc(label)}:</strong> '
                     f"{esc(note)}</p></div>")
    parts.extend(action_html(step, a, plan, profile, 2) for a in step.checklist)
    themes = [a for a in step.actions if not a.checklist]
    if themes:
        parts.append("<h2>" + esc(_("Prevention")) + "</h2>")
        parts.extend(action_html(step, a, plan, profile, 3) for a in themes)
    pager = []
    if step.number > 1:
        previous = plan.step(step.number - 1)
        pager.append(f'<a class="previous" href="{esc(href(routes.step(previous.number)))}">'
                     f'<span aria-hidden="true">← </span>{esc(step_title(previous))}</a>')
    if step.number < len(plan.steps):
        following = plan.step(step.number + 1)
        pager.append(f'<a class="next" href="{esc(href(routes.step(following.number)))}">'
                     f'{esc(step_title(following))}<span aria-hidden="true"> →</span></a>')
    parts.append('<nav class="pager" aria-label="' + esc(_("The seven steps")) + '">' + "".join(pager) + "</nav>")
    parts.append("</section>")
    return "\n".join(parts)


def steps_view(plan: Plan) -> str:
    """The list of the seven steps, each a link to its page."""
    heading = element_id(plan.language, "stappen")
    title, organisations = _("The seven steps"), _("Organisations for support")
    items = "".join(
        f'<li><a href="{esc(href(routes.step(s.number)))}"><strong>{esc(step_title(s))}</strong> '
        f"<span>{inline(s.summary)}</span></a></li>"
        for s in plan.steps
    )
    return "\n".join([
        f'<section class="view" data-route="{esc(routes.path("steps"))}" aria-labelledby="{heading}">',
        back_link(routes.path("home"), _("Back to the first actions and help lines")),
        f'<h1 id="{heading}" tabindex="-1">{esc(title)}</h1>',
        f'<ol class="steps">{items}</ol>',
        f'<p class="small">{inline(plan.derived_titles_note)}</p>',
        f'<p><a class="more" href="{esc(href(routes.path("organisations")))}">'
        f"{esc(organisations)}</a></p>",
        "</section>",
    ])


def organisations_view(language: str) -> str:
    """The source's organisations for support (the step texts link here)."""
    organisations = load_organisations(language)
    heading = element_id(language, "organisaties")
    title, all_lines = _("Organisations for support"), _("All help lines, including 112")
    cards = "".join(organisation_card(o, full=True) for o in organisations.from_source)
    return "\n".join([
        f'<section class="view" data-route="{esc(routes.path("organisations"))}" aria-labelledby="{heading}">',
        back_link(routes.path("home"), _("Back"), to_any=True),
        f'<h1 id="{heading}" tabindex="-1">{esc(title)}</h1>',
        f"<p>{inline(organisations.intro)}</p>",
        f'<ul class="cards">{cards}</ul>',
        f'<p><a class="more" href="{esc(href(routes.path("helplines")))}">'
        f"{esc(all_lines)}</a></p>",
        "</section>",
    ])


def view_routes() -> tuple[str, ...]:
    """The route of every page of the step plan in the shell, in the order of :func:`plan_views`."""
    plan = load_plan()
    return (routes.path("steps"), *(routes.step(s.number) for s in plan.steps), routes.path("organisations"))


def plan_views(language: str, profile: Optional[SchoolProfile]) -> Iterable[str]:
    """Every view of the step plan in ``language`` (the active gettext language must be the same)."""
    plan = load_plan(language)
    yield steps_view(plan)
    for step in plan.steps:
        yield step_view(step, plan, profile)
    yield organisations_view(language)
