"""Generate the app's ``index.html`` from Flet's own page.

Four changes to Flet's template:

* a strict Content-Security-Policy: every request stays on the app's own
  origin;
* ``assets/page-guard.js`` at the end of ``<head>``, which corrects Flet's
  web client before it starts: it would ask a CDN for the Rive runtime, and
  Flutter's engine would forbid zooming;
* Dutch language, title and description;
* a static shell inside Flet's loading screen: the acute first actions of
  step 1 and the help lines with ``tel:`` links, generated from ``content/``,
  so they are on screen before the Flutter engine (or Python) has started;
  a build with a school profile (``build_web.py --school-profile``) lists the
  school's own contacts there first ("Eigen school").

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

import flet_web  # noqa: E402

from typing import Optional  # noqa: E402

from content.loader import load_organisations, load_plan, load_school_roles  # noqa: E402
from content.model import Organisation, Phone  # noqa: E402
from school.placement import acute_contacts  # noqa: E402
from school.profile import SchoolProfile  # noqa: E402

TEMPLATE = Path(flet_web.__file__).parent / "web" / "index.html"
SERVER_INDEX = ROOT / "assets" / "index.html"

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
#shell { max-width: 40rem; margin: 0 auto; padding: 1rem; }
#shell h1 { font-size: 1.5rem; margin: .25rem 0 .75rem; color: #ba1a1a; }
#shell h2 { font-size: 1.15rem; margin: 1.25rem 0 .5rem; }
#shell ol { padding-left: 1.25rem; margin: 0; }
#shell ol li { margin: .35rem 0; }
#shell ul { list-style: none; padding: 0; margin: 0; }
#shell ul li { margin: 0 0 .75rem; padding: .75rem 1rem; border: 1px solid #c2c7cf; border-radius: 12px; }
#shell ul li span { display: block; }
#shell a.call { display: inline-block; margin-top: .5rem; margin-right: .5rem; padding: 0 1.25rem;
  min-height: 48px; line-height: 48px; border-radius: 24px; background: #1f5f8b; color: #fff;
  font-weight: 600; text-decoration: none; }
#shell .emergency { background: #ffdad6; color: #410002; border-radius: 12px; padding: .5rem 1rem; }
#shell .emergency a.call { background: #ba1a1a; }
#shell .status { color: #42474e; font-size: .9rem; }
@media (prefers-color-scheme: dark) {
  #loading { background: #111418; color: #e1e2e8; }
  #shell h1 { color: #ffb4ab; }
  #shell ul li { border-color: #42474e; }
  #shell a.call { background: #9ccbfb; color: #003352; }
  #shell .emergency { background: #93000a; color: #ffdad6; }
  #shell .emergency a.call { background: #ffb4ab; color: #690005; }
  #shell .status { color: #c2c7cf; }
}
""".strip()


def _call_link(phone: Phone) -> str:
    return f'<a class="call" href="{html.escape(phone.tel_uri)}">Bel {html.escape(phone.display)}</a>'


def _call_links(org: Organisation) -> str:
    return "".join(_call_link(phone) for phone in org.phones)


def school_html(profile: Optional[SchoolProfile]) -> str:
    """The school's own contacts with a phone number ("Eigen school"), or nothing."""
    contacts = acute_contacts(profile)
    if profile is None or not contacts:
        return ""
    roles = load_school_roles("nl")
    items = []
    for contact in contacts:
        who = " · ".join(html.escape(part) for part in (contact.name, contact.reachable) if part.strip())
        items.append(
            f"<li><strong>{html.escape(roles.get(contact.role).label)}</strong>"
            + (f"<span>{who}</span>" if who else "")
            + f"{_call_link(Phone(contact.phone))}</li>"
        )
    return (
        f'<h2>{html.escape(roles.heading)}: {html.escape(profile.school_name)}</h2>\n'
        f'<ul class="school">\n' + "\n".join(items) + "\n</ul>\n"
    )


def shell_html(profile: Optional[SchoolProfile] = None) -> str:
    """The acute first actions and the help lines as plain, accessible HTML (Dutch),
    with the school's own contacts first when the build has a school profile."""
    plan = load_plan("nl")
    organisations = load_organisations("nl")
    step = plan.step(1)
    actions = "\n".join(f"<li>{html.escape(a.title)}</li>" for a in plan.acute_actions)
    emergency = [o for o in organisations.helplines if o.emergency]
    lines = [o for o in organisations.helplines if o.phones and not o.emergency]
    emergency_html = "".join(
        f'<p class="emergency">{html.escape(o.audience)}<br>{_call_links(o)}</p>' for o in emergency
    )
    lines_html = "\n".join(
        f"<li><strong>{html.escape(o.name)}</strong><span>{html.escape(o.audience)}</span>"
        f"{_call_links(o)}</li>"
        for o in lines
    )
    return (
        f'<main id="shell" lang="nl">\n'
        f"<h1>Acuut incident</h1>\n"
        f'<p class="status" role="status">De app wordt geladen. Deze eerste acties en '
        f"hulplijnen kun je al gebruiken.</p>\n"
        f"{emergency_html}\n"
        f"{school_html(profile)}"
        f"<h2>Stap {step.number}: {html.escape(step.title)}</h2>\n<ol>\n{actions}\n</ol>\n"
        f"<h2>Hulplijnen</h2>\n<ul>\n{lines_html}\n</ul>\n"
        f"<noscript><p>Zet JavaScript aan om de hele app te gebruiken.</p></noscript>\n"
        f"</main>"
    )


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
