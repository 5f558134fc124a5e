"""Generate the app's ``index.html`` from Flet's own page.

Four changes to Flet's template:

* a strict Content-Security-Policy: every request stays on the app's own
  origin;
* ``assets/page-guard.js`` at the end of ``<head>``, which corrects Flet's
  web client before it starts: it would ask a CDN for the Rive runtime, and
  Flutter's engine would forbid zooming;
* Dutch language, title and description;
* a static shell inside Flet's loading screen, generated from ``content/``,
  so it can be read before the Flutter engine (or Python) has started: the
  acute first actions of step 1 and the help lines with ``tel:`` links, and
  the whole step plan (``tools/web_shell_plan.py``), in Dutch and in English.
  ``tools/web/shell.js`` (inlined at the end of the shell, so it runs before
  the first paint) shows it in the device's language, shows the page of the
  address's ``#`` route (``#/stappen``, ``#/stap/3``: the app's own routes),
  and hands over to the full app once it is ready without pulling the page
  from under the user (see docs/web-and-mobile.md).  A build with a school
  profile (``build_web.py --school-profile``) lists the school's own
  contacts ("Eigen school") first among the help lines and shows the
  school's own agreement per step.

``python tools/web_shell.py`` writes ``assets/index.html``, which Flet serves
instead of its default page when the app runs as a web server; a test keeps
that file in sync with the content.  ``tools/build_web.py`` uses the same
functions for the static build.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import json  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from typing import Iterator, Optional  # noqa: E402

import flet_web  # noqa: E402

from content.loader import load_organisations, load_plan  # noqa: E402
from content.model import Organisation  # noqa: E402
from school.placement import acute_split  # noqa: E402
from school.profile import SchoolProfile  # noqa: E402
from screens import routes  # noqa: E402
from screens.preferences import LANGUAGE as LANGUAGE_PREFERENCE  # noqa: E402
from tools import web_shell_plan as plan_html  # noqa: E402
from tools.web_shell_plan import call_link, contact_card, esc, href, own_school_heading  # noqa: E402
from words import i18n  # noqa: E402
from words.i18n import _  # noqa: E402

TEMPLATE = Path(flet_web.__file__).parent / "web" / "index.html"
SERVER_INDEX = ROOT / "assets" / "index.html"
#: Chooses the language and page before the shell is painted; then the shell's behaviour.
SHELL_CHOOSE_SCRIPT = ROOT / "tools" / "web" / "shell-choose.js"
SHELL_SCRIPT = ROOT / "tools" / "web" / "shell.js"
#: Where the app's language setting is on the web: Flutter's SharedPreferences
#: keep ``screens.preferences`` keys in localStorage under this prefix, as JSON.
WEB_PREFERENCE_PREFIX = "flutter."

APP_NAME = "Stappenplan online incidenten"
APP_DESCRIPTION = (
    "Stap voor stap handelen bij een online incident tussen leerlingen, "
    "met hulplijnen en een versleuteld logboek. Werkt offline."
)

# 'unsafe-inline' scripts: Flet writes its configuration into an inline script
# at server start, so its hash is not known here.  The static build, which
# patches the page itself, replaces this with hashes (see build_web.py).
SERVER_CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
])

VIEWPORT = "width=device-width, initial-scale=1"  # no "user-scalable=no": a teacher must be able to zoom
#: Corrections of Flet's web client before it starts (read the file's comment).
PAGE_GUARD = "page-guard.js"

_SHELL_STYLE = """
#loading { position: fixed; inset: 0; overflow: auto; background: #f8f9ff; color: #191c20;
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
#shell { max-width: 40rem; margin: 0 auto; padding: 1rem 1rem 2rem; }
#loading.offering #shell { padding-bottom: 7rem; }
#shell h1 { font-size: 1.5rem; line-height: 1.25; margin: .25rem 0 .75rem; }
#shell .start h1 { color: #ba1a1a; }
#shell h2 { font-size: 1.2rem; line-height: 1.3; margin: 1.5rem 0 .5rem; }
#shell h3 { font-size: 1.05rem; margin: 1.25rem 0 .4rem; }
#shell h4 { font-size: 1rem; margin: 1rem 0 .25rem; }
#shell [tabindex="-1"]:focus { outline: none; }
#shell [data-route-target] { scroll-margin-top: 1rem; }
#shell p, #shell li { margin: .4rem 0; }
#shell ol, #shell ul { padding-left: 1.5rem; margin: .4rem 0; }
#shell a { color: #1f5f8b; }
#shell a:focus-visible { outline: 3px solid #1f5f8b; outline-offset: 2px; border-radius: 4px; }
#shell .cards { list-style: none; padding: 0; }
#shell .cards > li { margin: 0 0 .75rem; padding: .75rem 1rem; border: 1px solid #c2c7cf; border-radius: 12px; }
#shell .cards > li > span { display: block; }
#shell .cards.school > li { background: #dce3ee; border-color: #dce3ee; }
#shell a.call, #shell a.out { display: inline-block; box-sizing: border-box; margin: .5rem .5rem 0 0; padding: 0 1.25rem;
  min-height: 48px; line-height: 48px; border-radius: 24px; font-weight: 600; text-decoration: none; }
#shell a.call { background: #1f5f8b; color: #fff; }
#shell a.out { border: 1px solid #72777f; padding: 0 1rem; line-height: 46px; }
#shell .emergency { background: #ffdad6; color: #410002; border-radius: 12px; padding: .5rem 1rem; }
#shell .emergency a.call { background: #ba1a1a; }
#shell .status, #shell .small { color: #42474e; font-size: .9rem; }
#shell .links { list-style: none; padding: 0; }
#shell .links a, #shell .back a, #shell a.more { display: inline-block; min-height: 48px; line-height: 1.3;
  padding: .75rem 0; box-sizing: border-box; font-weight: 600; }
#shell .links li { margin: 0; }
#shell .back { margin: 0; }
#shell .steps { list-style: none; padding: 0; }
#shell .steps a { display: block; margin: 0 0 .6rem; padding: .75rem 1rem; border: 1px solid #c2c7cf;
  border-radius: 12px; color: inherit; text-decoration: none; }
#shell .steps a strong { display: block; color: #1f5f8b; }
#shell .steps a span { display: block; color: #42474e; }
#shell .action { border-top: 1px solid #c2c7cf; margin-top: 1.25rem; }
#shell .callout { border-radius: 12px; padding: .25rem 1rem; margin: .75rem 0; }
#shell .callout.tip { background: #d3e4f5; color: #0b1d2b; }
#shell .callout.note { background: #e1e2e8; color: #191c20; }
#shell .callout.warning { background: #ffdad6; color: #410002; }
#shell .callout.school-note { background: #d9e7cb; color: #121f0e; }
#shell .pager { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: 1.5rem; }
#shell .pager a { display: inline-block; box-sizing: border-box; min-height: 48px; padding: .75rem 1rem;
  border: 1px solid #72777f; border-radius: 24px; font-weight: 600; text-decoration: none; }
#shell .pager a.next { margin-left: auto; background: #1f5f8b; border-color: #1f5f8b; color: #fff; }
@media (min-width: 64rem) {
  #shell { max-width: 64rem; }
  #shell .view:not(.start) { max-width: 42rem; margin: 0 auto; }
  #shell .columns { display: grid; grid-template-columns: 7fr 5fr; column-gap: 2.5rem; align-items: start; }
}
#shell-bar { position: fixed; left: 50%; bottom: 1rem; transform: translateX(-50%); box-sizing: border-box;
  width: calc(100% - 2rem); max-width: 30rem; display: flex; align-items: center; justify-content: space-between;
  gap: .75rem; padding: .5rem .5rem .5rem 1rem; border-radius: 12px; background: #2e3135; color: #eff0f7;
  box-shadow: 0 2px 8px rgba(0,0,0,.3); }
#shell-bar p { margin: 0; }
#shell-bar button { flex: none; white-space: nowrap; min-height: 48px; padding: 0 1rem; border: 0; border-radius: 24px;
  background: #9ccbfb; color: #003352; font: inherit; font-weight: 600; cursor: pointer; }
#shell-bar button:focus-visible { outline: 3px solid #fff; outline-offset: 2px; }
@media (prefers-color-scheme: dark) {
  #loading { background: #111418; color: #e1e2e8; }
  #shell .start h1 { color: #ffb4ab; }
  #shell a { color: #9ccbfb; }
  #shell a:focus-visible { outline-color: #9ccbfb; }
  #shell .cards > li, #shell .steps a, #shell .action { border-color: #42474e; }
  #shell .cards.school > li { background: #2a3440; border-color: #2a3440; }
  #shell a.call { background: #9ccbfb; color: #003352; }
  #shell a.out, #shell .pager a { border-color: #8c9199; }
  #shell .pager a.next { background: #9ccbfb; border-color: #9ccbfb; color: #003352; }
  #shell .steps a strong { color: #9ccbfb; }
  #shell .emergency { background: #93000a; color: #ffdad6; }
  #shell .emergency a.call { background: #ffb4ab; color: #690005; }
  #shell .status, #shell .small, #shell .steps a span { color: #c2c7cf; }
  #shell .callout.tip { background: #1f3346; color: #d3e4f5; }
  #shell .callout.note { background: #2e3135; color: #e1e2e8; }
  #shell .callout.warning { background: #93000a; color: #ffdad6; }
  #shell .callout.school-note { background: #2b3a22; color: #d9e7cb; }
  #shell .callout a { color: inherit; }
}
""".strip()

#: The languages of the shell, the device's first one shown (as the app chooses: ``words.i18n``).
LANGUAGES = i18n.LANGUAGES


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """The app's gettext catalog of ``language`` for ``_()`` while the shell is written."""
    before = i18n.language()
    i18n.set_language(language)
    try:
        yield
    finally:
        i18n.set_language(before)


def _call_links(org: Organisation) -> str:
    return " ".join(call_link(phone) for phone in org.phones)


def school_html(profile: Optional[SchoolProfile], language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """"Eigen school": the school's first contacts with a phone number (the action team's core),
    which come before the national help lines; or nothing."""
    first, _later = acute_split(profile)
    if profile is None or not first:
        return ""
    cards = "".join(contact_card(c, language) for c in first)
    return f"<h2>{esc(own_school_heading(profile, language))}</h2>\n" f'<ul class="cards school">{cards}</ul>\n'


def more_school_html(profile: Optional[SchoolProfile], language: str) -> str:
    """The school's other contacts, after the national help lines."""
    _first, later = acute_split(profile)
    if profile is None or not later:
        return ""
    heading = _("More of your own school: {school}").format(school=profile.school_name)
    cards = "".join(contact_card(c, language) for c in later)
    return f"<h2>{esc(heading)}</h2>\n" f'<ul class="cards school">{cards}</ul>\n'


def start_view(language: str, profile: Optional[SchoolProfile]) -> str:
    """The first page: the acute first actions, the way on, then the help lines ("Eigen school"
    first, then the national lines, then the school's other contacts), as the app's acute flow."""
    plan = load_plan(language)
    organisations = load_organisations(language)
    first, second = plan.step(1), plan.step(2)
    offences = plan.action("strafbare-feiten")
    acute = "".join(
        f'<li><a href="{esc(href(routes.step(first.number, a.id)))}">{esc(a.title)}</a></li>'
        for a in plan.acute_actions
    )
    onward = "".join(
        f'<li><a href="{esc(href(route))}">{esc(label)}</a></li>'
        for route, label in (
            (routes.step(second.number), plan_html.step_title(second)),
            (routes.step(plan.step_of(offences.id).number, offences.id), offences.title),
            (routes.path("steps"), _("The seven steps")),
        )
    )
    emergency = "".join(
        f'<p class="emergency">{esc(o.audience)}<br>{_call_links(o)}</p>'
        for o in organisations.helplines if o.emergency
    )
    lines = "".join(
        f"<li><strong>{esc(o.name)}</strong> <span>{esc(o.audience)}</span> {_call_links(o)}</li>"
        for o in organisations.helplines if o.phones and not o.emergency
    )
    heading = plan_html.element_id(language, "acuut")
    lines_heading = plan_html.element_id(language, "hulplijnen")
    title, then, help_lines = _("Acute incident"), _("Then"), _("Help lines")
    status = _("The app is loading. The step plan and the help lines can already be used.")
    return (
        f'<section class="view start" data-route="{esc(routes.path("home"))} {esc(routes.path("acute"))}" '
        f'data-app-route="{esc(routes.path("acute"))}" aria-labelledby="{heading}">\n'
        f'<h1 id="{heading}" tabindex="-1">{esc(title)}</h1>\n'
        f'<p class="status" role="status">{esc(status)}</p>\n'
        f"{emergency}\n"
        f'<div class="columns">\n<div>\n'
        f"<h2>{esc(plan_html.step_title(first))}</h2>\n"
        f'<ol class="links">{acute}</ol>\n'
        f"<h2>{esc(then)}</h2>\n"
        f'<ul class="links">{onward}</ul>\n'
        f"</div>\n<div>\n"
        f"{school_html(profile, language)}"
        f'<h2 id="{lines_heading}" tabindex="-1" data-route-target="{esc(routes.path("helplines"))}">'
        f"{esc(help_lines)}</h2>\n"
        f'<ul class="cards">{lines}</ul>\n'
        f"{more_school_html(profile, language)}"
        f"</div>\n</div>\n"
        f"</section>"
    )


def shell_words(language: str) -> dict[str, str]:
    """What ``tools/web/shell.js`` and ``boot.js`` say, in ``language`` (the active catalog)."""
    return {
        "appReady": _("The full app is ready."),
        "openApp": _("Open the app"),
        "failed": _("The app could not start. The step plan and the help lines here stay usable. "
                    "Reload the page to try again."),
        "preparing": _("Getting ready for offline use: {done} of {total} MB"),
        "prepared": _("Ready for offline use. The app is starting…"),
        "newVersion": _("New version available"),
        "reload": _("reload"),
    }


def view_routes() -> tuple[str, ...]:
    """The route of every page of the shell: the first page, then the step plan's."""
    return (routes.path("home"), *plan_html.view_routes())


def choose_script() -> str:
    """``tools/web/shell-choose.js`` with its configuration: the languages, where the app keeps the
    user's choice of language, the pages of the shell, and the words in every language."""
    config = {
        "languages": list(LANGUAGES),
        "defaultLanguage": i18n.DEFAULT_LANGUAGE,
        "languagePreference": WEB_PREFERENCE_PREFIX + LANGUAGE_PREFERENCE,
        "views": list(view_routes()),
        "words": {},
    }
    for language in LANGUAGES:
        with speaking(language):
            config["words"][language] = shell_words(language)
    placeholder = "__SHELL_CONFIG__"
    source = SHELL_CHOOSE_SCRIPT.read_text(encoding="utf-8")
    if source.count(placeholder) != 1:
        raise ValueError(f"{SHELL_CHOOSE_SCRIPT.name} must name {placeholder} once")
    # "<" escaped: the JSON sits inside a <script> element.
    return source.replace(placeholder, json.dumps(config, ensure_ascii=False).replace("<", "\\u003c"))


def choice_style() -> str:
    """Only the language and the page that shell-choose.js marked on <html> show."""
    rules = ["html[data-shell-lang] #shell .language, html[data-shell-view] #shell section.view { display: none; }"]
    rules += [f'html[data-shell-lang="{language}"] #shell .language[data-lang="{language}"] {{ display: block; }}'
              for language in LANGUAGES]
    rules += [f'html[data-shell-view="{route}"] #shell section.view[data-route~="{route}"] {{ display: block; }}'
              for route in view_routes()]
    return "\n".join(rules)


def shell_html(profile: Optional[SchoolProfile] = None) -> str:
    """The static shell: in every language the acute first actions and the help lines (the
    school's own contacts among them when the build has a school profile) and the whole step
    plan, as plain, accessible HTML.  shell-choose.js shows one page in one language; without
    script the Dutch shell shows whole."""
    parts = [f"<style>\n{choice_style()}\n</style>", f"<script>{choose_script()}</script>", '<main id="shell">']
    for language in LANGUAGES:
        hidden = "" if language == i18n.DEFAULT_LANGUAGE else " hidden"
        with speaking(language):
            parts.append(f'<div class="language" lang="{language}" data-lang="{language}"{hidden}>')
            parts.append(start_view(language, profile))
            parts.extend(plan_html.plan_views(language, profile))
            parts.append("</div>")
    with speaking(i18n.DEFAULT_LANGUAGE):
        parts.append("<noscript><p>" + esc(_("Turn on JavaScript to use the whole app.")) + "</p></noscript>")
    parts.append("</main>")
    parts.append(f"<script>{SHELL_SCRIPT.read_text(encoding='utf-8')}</script>")
    return "\n".join(parts)


def render_index(template: str, *, csp: str, shell: str, head_extra: str = "") -> str:
    """Flet's index.html with the CSP, Dutch metadata and the shell in its loading screen.

    ``head_extra`` is inserted at the end of ``<head>``, after the page guard
    (the static build adds its manifest colours and boot script there).
    """
    page = template.replace("<html>", '<html lang="nl">', 1)
    page = page.replace(
        '<meta charset="UTF-8">',
        f'<meta charset="UTF-8">\n  <meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        f'  <meta name="viewport" content="{VIEWPORT}">',
        1,
    )
    page = re.sub(r"<title>.*?</title>", f"<title>{APP_NAME}</title>", page, count=1)
    page = re.sub(
        r'<meta name="description" content="[^"]*">',
        f'<meta name="description" content="{html.escape(APP_DESCRIPTION)}">',
        page,
        count=1,
    )
    page = re.sub(
        r'<meta name="apple-mobile-web-app-title" content="[^"]*">',
        f'<meta name="apple-mobile-web-app-title" content="{APP_NAME}">',
        page,
        count=1,
    )
    loading = re.compile(r'<div id="loading".*?</div>', re.DOTALL)
    if not loading.search(page):
        raise ValueError("Flet's index.html has no loading screen to put the shell in")
    page = loading.sub(
        lambda _: f'<div id="loading">\n<style>\n{_SHELL_STYLE}\n</style>\n{shell}\n</div>', page, count=1
    )
    guard = f'  <script src="{PAGE_GUARD}"></script>'
    page = page.replace("</head>", f"{guard}\n{head_extra}\n</head>" if head_extra else f"{guard}\n</head>", 1)
    return page


def server_index() -> str:
    return render_index(TEMPLATE.read_text(encoding="utf-8"), csp=SERVER_CSP, shell=shell_html())


def main() -> int:
    SERVER_INDEX.parent.mkdir(exist_ok=True)
    SERVER_INDEX.write_text(server_index(), encoding="utf-8")
    print(f"wrote {SERVER_INDEX.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
