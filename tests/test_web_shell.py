"""The page around the app: strict CSP, Dutch, and the acute shell from content/."""

import dataclasses
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


# -- the step plan in the shell (read before Python has started) ----------------------------------

import lxml.html  # noqa: E402

from content.loader import load_school_roles  # noqa: E402
from content.model import ListItem  # noqa: E402
from report.text import plain  # noqa: E402
from screens import routes  # noqa: E402
from tests.support import ROOT  # noqa: E402
from tools.school_yaml import read_profile_source  # noqa: E402
from words.i18n import LANGUAGES  # noqa: E402

PROFILE = read_profile_source(ROOT / "docs" / "schoolprofiel.voorbeeld.yaml")
STEP_TITLE = {"nl": "Stap {number}: {title}", "en": "Step {number}: {title}"}
AGREEMENT = {"nl": "Afspraak van {school}", "en": "Agreement of {school}"}
MARKUP_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def words(element) -> str:
    return " ".join(element.text_content().split())


def shell_in(language: str, profile=None):
    tree = lxml.html.fragment_fromstring(web_shell.shell_html(profile), create_parent="div")
    [root] = tree.xpath(f'.//*[@data-lang="{language}"]')
    return root


def view(root, route: str):
    found = [v for v in root.xpath(".//section[@data-route]") if route in v.get("data-route").split()]
    assert len(found) == 1, route
    return found[0]


def what_a_block_says(block, plan, language) -> list[str]:
    """The texts a reader must find for a block of content/ (markup removed)."""
    if block.kind in ("paragraph", "heading", "tip", "note", "warning"):
        return [plain(block.text)]
    if block.kind in ("numbered", "bullets"):
        texts = []
        for item in block.items:
            texts.append(plain(item.text if isinstance(item, ListItem) else item))
            texts.extend(plain(sub) for sub in (item.items if isinstance(item, ListItem) else ()))
        return texts
    if block.kind == "questions":
        return [plain(q.text) for q in block.questions]
    if block.kind == "organisations":
        organisations = load_organisations(language)
        return [text for org_id in block.organisations for text in
                (organisations.get(org_id).name, *(p.display for p in organisations.get(org_id).phones))]
    if block.kind == "incident_types":
        return [plain(t.text) for t in plan.incident_types]
    if block.kind == "roles":
        return [text for r in plan.roles for text in (r.name, plain(r.text))]
    raise AssertionError(block.kind)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_shell_has_every_action_of_every_step_in_full(language):
    root = shell_in(language)
    plan = load_plan(language)
    steps = view(root, routes.path("steps"))
    assert [words(a) for a in steps.xpath(".//ol//a")] == [
        STEP_TITLE[language].format(number=s.number, title=s.title) + " " + plain(s.summary) for s in plan.steps
    ]
    for step in plan.steps:
        page = view(root, routes.step(step.number))
        assert words(page.xpath(".//h1")[0]) == STEP_TITLE[language].format(number=step.number, title=step.title)
        actions = page.xpath('.//section[@class="action"]')
        in_order = [*step.checklist, *(a for a in step.actions if not a.checklist)]
        assert [words(s.xpath("./*[1]")[0]) for s in actions] == [a.title for a in in_order]
        for action, section in zip(in_order, actions):
            heading = section.xpath("./*[1]")[0]
            assert heading.tag in ("h2", "h3") and heading.get("data-route-target") == routes.step(step.number, action.id)
            said = words(section)
            for block in action.blocks:
                for text in what_a_block_says(block, plan, language):
                    assert text in said, (step.number, action.id, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_link_of_the_texts_is_a_link_and_every_page_link_leads_to_a_page_of_the_shell(language):
    root = shell_in(language, PROFILE)
    anchors = root.xpath(".//a")
    plan = load_plan(language)
    texts = [b.text for s in plan.steps for a in s.actions for b in a.blocks if b.text]
    texts += [i if isinstance(i, str) else i.text for s in plan.steps for a in s.actions for b in a.blocks
              for i in b.items]
    for label, url in {m for t in texts for m in MARKUP_LINK.findall(t)}:
        href = "#" + url if url.startswith("/") else url
        assert any(a.get("href") == href and words(a) == plain(label) for a in anchors), (label, url)
    places = {r for v in root.xpath(".//section[@data-route]") for r in v.get("data-route").split()}
    places |= {t.get("data-route-target") for t in root.xpath(".//*[@data-route-target]")}
    internal = {a.get("href")[1:] for a in anchors if a.get("href", "").startswith("#/")}
    assert internal and internal <= places, internal - places
    for a in anchors:
        if a.get("href", "").startswith("http"):
            assert a.get("target") == "_blank" and "noopener" in a.get("rel")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_schools_own_agreement_is_on_its_step(language):
    root = shell_in(language, PROFILE)
    for step in load_plan(language).steps:
        notes = view(root, routes.step(step.number)).xpath('.//*[contains(@class, "school-note")]')
        if PROFILE.note(step.number):
            heading = AGREEMENT[language].format(school=PROFILE.school_name)
            assert [words(n) for n in notes] == [f"{heading}: {PROFILE.note(step.number)}"]
        else:
            assert notes == []
    assert not shell_in(language).xpath('.//*[contains(@class, "school-note")]')


def test_a_hostile_step_note_stays_text():
    hostile = dataclasses.replace(PROFILE, step_notes={3: '<script>alert(1)</script><a href="x">'})
    shell = web_shell.shell_html(hostile)
    assert "<script>alert(1)" not in shell and "&lt;script&gt;alert(1)&lt;/script&gt;" in shell


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_first_page_keeps_the_acute_order_of_a_phone(language):
    """Acute actions first, then "Eigen school" (the first contacts), the national help lines,
    the school's other contacts: as the app's acute flow (issue 18, item 5)."""
    start = view(shell_in(language, PROFILE), routes.path("home"))
    headings = [words(h) for h in start.xpath(".//h2")]
    own = load_school_roles(language).heading
    first_step = STEP_TITLE[language].format(number=1, title=load_plan(language).step(1).title)
    assert headings[0] == first_step
    assert headings[-3:] == [f"{own}: OSG De Linde", {"nl": "Hulplijnen", "en": "Help lines"}[language],
                             {"nl": "Meer van de eigen school", "en": "More of your own school"}[language]
                             + ": OSG De Linde"]
    calls = [a.get("href") for a in start.xpath('.//a[starts-with(@href, "tel:")]')]
    national = [p.tel_uri for o in load_organisations(language).helplines if not o.emergency for p in o.phones]
    assert calls[:3] == ["tel:112", "tel:0301234568", "tel:0301234560"]  # 112, zorg, directie
    assert calls[3:3 + len(national)] == national
    assert calls[3 + len(national):] == ["tel:0301234567", "tel:09008844", "tel:0301234569", "tel:08002000"]
    acute = [words(a) for a in start.xpath(".//ol//a")]
    assert acute == [a.title for a in load_plan(language).acute_actions]
