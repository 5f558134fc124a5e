"""The static shell in Chromium: the whole step plan before Python has started, and the handover.

The static build with the example school profile (``school_site``, conftest.py) is served by a
plain static server.  Most tests block the app package, so Python never starts and what the
user reads is the shell alone: every step in full, from the list and back again, by mouse and
by keyboard, in Dutch and in English, with the school's agreement per step.  The handover
tests let the app start and check that it takes over where the user was, without moving the
page the user is reading.  No test lets a request leave the origin.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

from content.loader import load_plan
from report.text import plain
from tests.support import ARTIFACTS, ROOT
from tests.test_web_shell import what_a_block_says
from tests.web_helpers.static_server import StaticServer
from tools.school_yaml import read_profile_source

PHONE = {"width": 412, "height": 915}
CHROMEBOOK = {"width": 1366, "height": 768}
READY_TIMEOUT_MS = 240_000
PROFILE = read_profile_source(ROOT / "docs" / "schoolprofiel.voorbeeld.yaml")
STEP_TITLE = {"nl": "Stap {number}: {title}", "en": "Step {number}: {title}"}
AGREEMENT = {"nl": "Afspraak van OSG De Linde", "en": "Agreement of OSG De Linde"}

pytestmark = pytest.mark.browser

# The shell's scroll position once a wheel scroll has come to rest (unchanged for five frames).
SCROLLED_AND_AT_REST = """() => new Promise((resolve) => {
  let last = -1, same = 0;
  const tick = () => {
    const top = document.getElementById('loading').scrollTop;
    same = top === last && top > 0 ? same + 1 : 0;
    last = top;
    if (same >= 5) resolve(top); else requestAnimationFrame(tick);
  };
  tick();
})"""


@pytest.fixture(scope="module")
def server(school_site):
    out, _ = school_site
    served = StaticServer(out)
    yield served
    served.stop()


@contextmanager
def shell_session(browser, server, name: str, *, python: bool = False, viewport=PHONE, locale: str = "nl-NL"):
    """A fresh browser session on the site; unless ``python``, the app package never arrives."""
    from tests.browser import open_session

    session = open_session(browser, server.url, viewport=viewport, locale=locale)
    if not python:
        session.context.route("**/app.tar.gz*", lambda route: route.abort())
    try:
        yield session
        assert session.outside_requests == []
    finally:
        session.close(name)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def heading(page):
    """The heading of the page of the shell on screen."""
    return page.locator("#shell h1:visible")


def focused(page) -> dict:
    return page.evaluate("({tag: document.activeElement.tagName, text: document.activeElement.textContent.trim(),"
                         " href: document.activeElement.getAttribute('href')})")


def wait_for_hash(page, value: str) -> None:
    """Wait until the address is ``value`` and the shell shows its page.

    The address changes at once; the shell follows at the ``hashchange`` event, a task later (and
    under load, later still), and moves the focus in the same step as it shows the page.
    """
    page.wait_for_function(
        """h => location.hash === h && document.documentElement.dataset.shellView
              === window.stappenplanShell.viewOf(window.stappenplanShell.routeOf(h))""",
        arg=value,
    )


def step_title(language: str, step) -> str:
    return STEP_TITLE[language].format(number=step.number, title=step.title)


def assert_step_in_full(page, language: str, step) -> None:
    """The page shows the step's title, every action's heading and text, and the school's agreement."""
    plan = load_plan(language)
    assert heading(page).inner_text() == step_title(language, step)
    view = page.locator("#shell section.view:visible")
    sections = view.locator("section.action")
    in_order = [*step.checklist, *(a for a in step.actions if not a.checklist)]
    assert sections.count() == len(in_order)
    for index, action in enumerate(in_order):
        section = sections.nth(index)
        title = section.locator("h2, h3").first
        assert title.is_visible() and title.inner_text() == action.title
        said = " ".join(section.inner_text().split())
        for block in action.blocks:
            for text in what_a_block_says(block, plan, language):
                assert text in said, (step.number, action.id, text)
    notes = view.locator(".school-note")
    if PROFILE.note(step.number):
        assert notes.count() == 1 and notes.is_visible()
        assert " ".join(notes.inner_text().split()) == f"{AGREEMENT[language]}: {PROFILE.note(step.number)}"
    else:
        assert notes.count() == 0


def test_before_python_starts_every_step_can_be_read_in_full_and_back_leads_back(browser, server):
    plan = load_plan("nl")
    with shell_session(browser, server, "shell-every-step") as session:
        page = session.page
        page.goto(server.url + "/")
        assert heading(page).inner_text() == "Acuut incident"
        page.get_by_role("link", name="De zeven stappen", exact=True).click()
        wait_for_hash(page, "#/stappen")
        assert heading(page).inner_text() == "De zeven stappen"
        assert focused(page) == {"tag": "H1", "text": "De zeven stappen", "href": None}
        shot(page, "web-shell-steps")
        for step in plan.steps:
            title = step_title("nl", step)
            page.get_by_role("link", name=re.compile("^" + re.escape(title))).click()
            wait_for_hash(page, f"#/stap/{step.number}")
            assert focused(page)["text"] == title  # a screen reader reads the new page's title
            assert_step_in_full(page, "nl", step)
            if step.number == 3:
                shot(page, "web-shell-step-3-school-note")
            page.get_by_role("link", name="Terug naar de zeven stappen").click()
            wait_for_hash(page, "#/stappen")
            assert heading(page).inner_text() == "De zeven stappen"
            assert focused(page)["href"] == f"#/stap/{step.number}"  # back on the step the user opened
        assert page.locator("#loading").count() == 1  # all of it without Python


def test_flutter_starting_behind_the_shell_leaves_the_focus_where_the_user_reads(browser, server):
    """Flutter's engine focuses its own view when it starts, behind the shell; a screen reader
    would leave the step being read. Here the view (or, before the engine has made it, an
    element outside the shell in its place) takes the focus as the engine does."""
    plan = load_plan("nl")
    step = plan.steps[2]
    with shell_session(browser, server, "shell-focus-kept") as session:
        page = session.page
        page.goto(server.url + "/")
        page.get_by_role("link", name="De zeven stappen", exact=True).click()
        wait_for_hash(page, "#/stappen")
        page.get_by_role("link", name=re.compile("^" + re.escape(step_title("nl", step)))).click()
        wait_for_hash(page, f"#/stap/{step.number}")
        assert focused(page)["text"] == step_title("nl", step)
        page.evaluate("""() => {
          let view = document.querySelector('flutter-view');
          if (!view) view = document.body.appendChild(document.createElement('div'));
          view.tabIndex = -1;
          view.focus();
        }""")
        assert focused(page)["text"] == step_title("nl", step)


def test_the_step_plan_works_by_keyboard_and_with_the_browsers_back_button(browser, server):
    with shell_session(browser, server, "shell-keyboard", viewport=CHROMEBOOK) as session:
        page = session.page
        page.goto(server.url + "/")
        for _ in range(40):
            page.keyboard.press("Tab")
            if focused(page)["href"] == "#/stappen":
                break
        else:
            pytest.fail("the link to the seven steps cannot be reached with Tab")
        page.keyboard.press("Enter")
        wait_for_hash(page, "#/stappen")
        assert focused(page)["tag"] == "H1"
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert focused(page)["href"] == "#/stap/2"
        page.keyboard.press("Enter")
        wait_for_hash(page, "#/stap/2")
        assert focused(page)["text"] == "Stap 2: Actieteam"
        entries = page.evaluate("history.length")
        shot(page, "web-shell-step-2-chromebook")
        page.keyboard.press("Shift+Tab")
        assert focused(page)["text"] == "← Terug naar de zeven stappen"
        page.keyboard.press("Enter")
        wait_for_hash(page, "#/stappen")
        assert focused(page)["href"] == "#/stap/2"
        assert page.evaluate("history.length") == entries  # "back" went back, not one page further
        page.go_back()  # the browser's own back button: to the first page, on the link followed from it
        wait_for_hash(page, "")
        assert heading(page).inner_text() == "Acuut incident"
        assert focused(page)["href"] == "#/stappen"
        page.go_forward()
        wait_for_hash(page, "#/stappen")
        assert heading(page).inner_text() == "De zeven stappen"


def test_an_acute_action_opens_at_its_full_text(browser, server):
    plan = load_plan("nl")
    action = plan.acute_actions[1]
    with shell_session(browser, server, "shell-acute-action") as session:
        page = session.page
        page.goto(server.url + "/")
        page.get_by_role("link", name=action.title).click()
        wait_for_hash(page, f"#/stap/1/{action.id}")
        assert heading(page).inner_text() == step_title("nl", plan.step(1))
        assert focused(page) == {"tag": "H2", "text": action.title, "href": None}
        box = page.locator("#shell h2:visible", has_text=action.title).bounding_box()
        assert 0 <= box["y"] < PHONE["height"] / 2  # scrolled to the action


def test_on_an_english_device_the_shell_is_english(browser, server):
    plan = load_plan("en")
    step = plan.step(3)
    with shell_session(browser, server, "shell-english", locale="en-US", viewport=CHROMEBOOK) as session:
        page = session.page
        page.goto(server.url + "/")
        assert heading(page).inner_text() == "Acute incident"
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.get_by_text("Acuut incident").is_hidden()
        assert page.locator("#shell [role=status]:visible").inner_text() == (
            "The app is loading. The step plan and the help lines can already be used.")
        assert page.get_by_role("heading", name="Own school: OSG De Linde", exact=True).is_visible()
        shot(page, "web-shell-english-start")
        page.get_by_role("link", name="The seven steps", exact=True).click()
        page.get_by_role("link", name=re.compile("^" + re.escape(step_title("en", step)))).click()
        wait_for_hash(page, "#/stap/3")
        assert_step_in_full(page, "en", step)
        shot(page, "web-shell-english-step-3")
        page.get_by_role("link", name="Back to the seven steps").click()
        wait_for_hash(page, "#/stappen")
        assert heading(page).inner_text() == "The seven steps"


def test_the_language_chosen_in_the_app_wins_over_the_devices(browser, server):
    with shell_session(browser, server, "shell-chosen-language", locale="en-US") as session:
        # What the app keeps when the user picks "Nederlands" in its settings (Flutter's SharedPreferences).
        session.context.add_init_script("localStorage.setItem('flutter.stappenplan.language', '\"nl\"')")
        session.page.goto(server.url + "/")
        assert heading(session.page).inner_text() == "Acuut incident"


def test_a_reloaded_step_shows_at_once_and_the_untouched_shell_gives_way_to_the_app_there(browser, server):
    plan = load_plan("nl")
    step = plan.step(5)
    with shell_session(browser, server, "shell-handover-untouched", python=True) as session:
        page = session.page
        page.goto(server.url + "/#/stap/5")
        assert heading(page).inner_text() == step_title("nl", step)  # before Flutter, before Python
        page.wait_for_selector("#loading", state="detached", timeout=READY_TIMEOUT_MS)  # nobody touched it
        assert page.evaluate("location.hash") == "#/stap/5"
        session.enable_semantics()
        session.see(step_title("nl", step))
        session.see(step.checklist[0].title)


@pytest.mark.parametrize("links, scroll, route, seen", [
    pytest.param(["De zeven stappen", "Stap 3: Politie en begrenzen"], 300, "#/stap/3/strafbare-feiten",
                 plain(load_plan("nl").action("strafbare-feiten").blocks[0].text), id="reading-a-step"),
    pytest.param([], 1000, "#/hulplijnen", "Adviespunt School & Veiligheid", id="reading-the-help-lines"),
])
def test_when_the_app_is_ready_it_waits_for_the_user_and_opens_where_they_were(browser, server, links, scroll,
                                                                               route, seen):
    with shell_session(browser, server, "shell-handover-" + route.strip("#/").replace("/", "-"),
                       python=True) as session:
        page = session.page
        page.goto(server.url + "/")
        for name in links:
            page.get_by_role("link", name=re.compile("^" + re.escape(name))).first.click()
        title = heading(page).inner_text()
        page.mouse.move(PHONE["width"] / 2, PHONE["height"] / 2)
        page.mouse.wheel(0, scroll)
        where = page.evaluate(SCROLLED_AND_AT_REST)

        bar = page.locator("#shell-bar")
        bar.wait_for(state="visible", timeout=READY_TIMEOUT_MS)
        assert bar.get_attribute("role") == "status"
        assert " ".join(bar.inner_text().split()) == "De volledige app is klaar. App openen"
        # The shell stays, unmoved, until the user says so; the app already follows the place read.
        assert page.locator("#loading").count() == 1 and heading(page).inner_text() == title
        assert page.evaluate("document.getElementById('loading').scrollTop") == where
        assert page.evaluate("location.hash") == route
        shot(page, "web-shell-app-ready-" + route.strip("#/").replace("/", "-"))

        bar.get_by_role("button", name="App openen").click()
        page.wait_for_selector("#loading", state="detached")
        assert page.evaluate("location.hash") == route
        session.enable_semantics()
        session.see(seen)
        shot(page, "web-shell-app-opened-" + route.strip("#/").replace("/", "-"))


@pytest.mark.parametrize("route, title", [
    ("#/stappen", "De zeven stappen"),
    ("#/stap/1", step_title("nl", load_plan("nl").step(1))),  # organisations, a tip, numbered points
    ("#/stap/3", step_title("nl", load_plan("nl").step(3))),  # the school's agreement and contacts
    ("#/stap/7", step_title("nl", load_plan("nl").step(7))),  # prevention themes, questions, sub-headings
])
def test_lighthouse_finds_the_shells_pages_fully_accessible(browser, server, route, title):
    from tools import lighthouse

    with shell_session(browser, server, "shell-lighthouse") as session:  # the page Lighthouse reads
        session.page.goto(f"{server.url}/{route}")
        assert heading(session.page).inner_text() == title
    report = lighthouse.run(f"{server.url}/{route}", ("accessibility",), blocked=("*app.tar.gz*",))
    assert report["finalDisplayedUrl"].endswith(route)
    assert lighthouse.score(report, "accessibility") == 1.0, lighthouse.failing_audits(report, "accessibility")
