"""The page around the app: strict CSP, Dutch, and the acute shell from content/."""

import re
from html.parser import HTMLParser

import pytest

from content.loader import load_organisations, load_plan
from tools import web_shell


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []
        self.csp = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.hrefs.append(attrs.get("href"))
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
            self.csp = attrs["content"]


def parse(page: str) -> _Links:
    parser = _Links()
    parser.feed(page)
    return parser


def test_served_index_is_up_to_date_with_the_content():
    assert web_shell.SERVER_INDEX.read_text(encoding="utf-8") == web_shell.server_index(), (
        "assets/index.html is stale: run python tools/web_shell.py"
    )


def test_shell_shows_the_acute_actions_and_a_tel_link_for_every_help_line():
    shell = web_shell.shell_html()
    for action in load_plan("nl").acute_actions:
        assert action.title in shell
    hrefs = parse(shell).hrefs
    for org in load_organisations("nl").helplines:
        for phone in org.phones:
            assert phone.tel_uri in hrefs, org.name
    assert "tel:112" in hrefs


def test_csp_keeps_every_request_on_the_own_origin():
    csp = parse(web_shell.server_index()).csp
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    for name in ("script-src", "connect-src", "img-src", "font-src", "style-src", "worker-src"):
        sources = directives[name].split()
        assert all(s.startswith("'") or s in ("blob:", "data:") for s in sources), (name, sources)


def test_page_is_dutch():
    page = web_shell.server_index()
    assert '<html lang="nl">' in page and "<title>Stappenplan online incidenten</title>" in page


def test_page_lets_a_teacher_zoom_and_guards_the_client_before_it_starts():
    page = web_shell.server_index()
    assert re.findall(r'<meta name="viewport" content="([^"]*)"', page) == [web_shell.VIEWPORT]
    assert "user-scalable" not in page and "maximum-scale" not in page
    head, body = page.split("</head>")
    assert f'<script src="{web_shell.PAGE_GUARD}"></script>' in head and "flutter_bootstrap.js" in body
    assert (web_shell.SERVER_INDEX.parent / web_shell.PAGE_GUARD).is_file()


@pytest.mark.browser
def test_the_served_app_asks_no_other_origin_logs_no_error_and_stays_zoomable(phone):
    phone.context.add_init_script(
        "window.__blocked = []; document.addEventListener('securitypolicyviolation', (e) => "
        "window.__blocked.push(e.blockedURI));"
    )
    phone.goto("/")
    phone.see("Acuut incident")
    phone.page.wait_for_timeout(1000)  # Flet's client asks for the Rive runtime shortly after start
    assert phone.outside_requests == [] and phone.page.evaluate("window.__blocked") == []
    assert phone.console_errors == []
    viewport = phone.page.evaluate("Array.from(document.querySelectorAll('meta[name=viewport]'), m => m.content)")
    assert viewport == [web_shell.VIEWPORT]  # Flutter's "user-scalable=no" is put back
    assert phone.page.title() == "Stappenplan online incidenten"
