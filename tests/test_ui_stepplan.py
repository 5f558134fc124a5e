"""The step plan in the browser: home, the acute flow, the steps and the organisations.

Each test taps through the real UI in headless Chromium (see tests/browser.py).
"""

import re

import pytest

from content.loader import load_organisations, load_plan

pytestmark = pytest.mark.browser

PLAN = load_plan("nl")
ACUTE_TITLES = [a.title for a in PLAN.acute_actions]


def in_viewport(session, locator) -> bool:
    box = locator.bounding_box()
    viewport = session.page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


def test_home_shows_acute_button_seven_steps_and_help_lines_without_scrolling(phone):
    phone.goto("/")
    acute = phone.button("Acuut incident").first
    acute.wait_for()
    assert in_viewport(phone, acute)
    for step in PLAN.steps:
        tile = phone.button(step.title).first
        assert in_viewport(phone, tile), f"step {step.number} needs scrolling"
    assert in_viewport(phone, phone.button("Hulplijnen").first)
    assert phone.outside_requests == [], "nothing may leave the device"
    phone.screenshot("home-phone")


def test_one_tap_opens_the_acute_flow_and_ticks_survive_a_detour_to_step_two(phone):
    phone.goto("/")
    phone.tap("Acuut incident")
    phone.wait_for_path("/acuut")
    for title in ACUTE_TITLES:
        phone.checkbox(title).wait_for()
    first = phone.checkbox(ACUTE_TITLES[0])
    first.click()
    phone.page.wait_for_function(
        "name => [...document.querySelectorAll('[role=checkbox]')]"
        ".some(e => e.getAttribute('aria-label') === name && e.getAttribute('aria-checked') === 'true')",
        arg=ACUTE_TITLES[0],
    )
    phone.screenshot("acute-ticked")
    phone.tap("Stap 2: Actieteam")
    phone.wait_for_path("/stap/2")
    phone.see("Stel een actieteam samen")
    phone.page.go_back()
    phone.wait_for_path("/acuut")
    phone.checkbox(ACUTE_TITLES[0]).wait_for()
    assert phone.checkbox(ACUTE_TITLES[0]).get_attribute("aria-checked") == "true"


def test_acute_flow_offers_help_lines_with_call_buttons_and_the_way_to_criminal_offences(phone):
    phone.goto("/acuut")
    phone.see("Hulplijnen")
    for org in ("De Kindertelefoon", "In je bol", "Offlimits"):
        phone.see(org)
    phone.button("Bel 0800-0432").first.wait_for()
    phone.tap("Acties bij mogelijk strafbare feiten")
    phone.wait_for_path("/stap/3/strafbare-feiten")
    # the action is opened: its full text is visible
    phone.see("Overleg met de contactpersoon van de politie")
    phone.screenshot("step3-offences")


def test_home_shows_the_next_step_once_something_is_ticked(phone):
    phone.goto("/acuut")
    phone.checkbox(ACUTE_TITLES[0]).click()
    phone.tap("Terug")
    phone.wait_for_path("/")
    phone.see("Volgende stap")
    phone.see(ACUTE_TITLES[1])
    phone.screenshot("home-next-step")
    phone.tap(ACUTE_TITLES[1])
    phone.wait_for_path("/stap/1/betrokken-leerlingen")


@pytest.mark.parametrize("step", PLAN.steps, ids=lambda s: f"stap-{s.number}")
def test_every_step_is_reachable_by_route_with_its_checklist(phone, step):
    phone.goto(f"/stap/{step.number}")
    phone.see(f"Stap {step.number}: {step.title}")
    for action in step.checklist:
        phone.checkbox(action.title).wait_for()
    if step.number in (1, 7):
        phone.screenshot(f"step{step.number}-phone")


def test_an_action_expands_to_its_full_text_and_the_pager_moves_between_steps(phone):
    phone.goto("/stap/2")
    phone.tap("Beschrijf met het actieteam de situatie en de vervolgstappen")
    phone.see("Welke betrokkenen kennen we?")
    phone.screenshot("step2-expanded")
    phone.tap("Stap 3: Politie en begrenzen")
    phone.wait_for_path("/stap/3")
    phone.tap("Stap 2: Actieteam")
    phone.wait_for_path("/stap/2")


def test_the_app_bar_back_arrow_pops_the_view(phone):
    phone.goto("/")
    phone.tap("Acuut incident")
    phone.wait_for_path("/acuut")
    phone.tap("Terug")
    phone.wait_for_path("/")
    phone.button("Acuut incident").first.wait_for()


def test_a_deep_link_has_a_sensible_back_stack(phone):
    phone.goto("/stap/5")
    phone.see("Stap 5")
    phone.tap("Terug")
    phone.wait_for_path("/stappen")
    phone.see("De zeven stappen")


def test_an_unknown_route_leads_home(phone):
    phone.goto("/bestaat-niet")
    phone.wait_for_path("/")
    phone.button("Acuut incident").first.wait_for()


def test_organisations_overview_lists_the_source_organisations_with_numbers(phone):
    phone.goto("/organisaties")
    for org in load_organisations("nl").from_source:
        phone.see(org.name)
        for number in org.phones:
            phone.scroll_to(phone.button(f"Bel {number.display}").first)
    phone.screenshot("organisations-phone")


def test_chromebook_uses_the_width_for_a_steps_pane(chromebook):
    chromebook.goto("/stap/4")
    chromebook.see("Stap 4: Informeren en hulp")
    for step in PLAN.steps:
        chromebook.button(step.title).first.wait_for()
    chromebook.screenshot("step4-chromebook")


def test_text_reflows_at_double_text_size(phone):
    phone.goto("/")
    phone.page.evaluate("document.documentElement.style.fontSize = '200%'")
    phone.settled("Array.from(document.querySelectorAll('flt-semantics'), e => e.style.transform).join()")
    acute = phone.button("Acuut incident").first
    box = acute.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 412
    phone.screenshot("home-text-200")
    assert re.search("Acuut", acute.get_attribute("aria-label") or acute.inner_text())


@pytest.mark.parametrize("route", ["/", "/acuut", "/stap/1", "/stappen", "/organisaties", "/over"])
def test_every_tappable_element_has_a_name_and_a_48px_target(phone, route):
    phone.goto(route)
    tappables = phone.settled(
        """() => [...document.querySelectorAll('[flt-tappable]')].map(e => {
            const b = e.getBoundingClientRect();
            return {name: (e.getAttribute('aria-label') || e.textContent || '').trim(),
                    top: b.top, bottom: b.bottom, width: b.width, height: b.height};
        })"""
    )
    assert tappables, "no tappable elements found"
    height = phone.page.viewport_size["height"]
    for t in tappables:
        assert t["name"], f"unnamed tappable element on {route}: {t}"
        # nodes at the bottom edge are clipped by the scroll view: judge the others
        if t["top"] >= 0 and t["bottom"] <= height - 16:
            assert t["width"] >= 48 and t["height"] >= 48, f"small target on {route}: {t}"


def test_dark_mode_follows_the_system(browser, app_server):

    from PIL import Image

    from tests.browser import open_session

    session = open_session(browser, app_server.url, viewport={"width": 412, "height": 915},
                           color_scheme="dark")
    try:
        session.goto("/")
        session.button("Acuut incident").first.wait_for()
        path = session.screenshot("home-dark")
        background = Image.open(path).convert("L").getpixel((400, 900))
        assert background < 60, f"background luminance {background}: not dark"
    finally:
        session.close("dark")


def test_the_arrow_in_the_step_texts_draws_from_the_apps_font_and_no_request_fails(phone):
    """Step 1's "Zie ⇒ Overzicht organisaties": Roboto lacks "⇒", so Flutter drew a box and
    fetched a Noto fallback font, which the server answers with 404 (and offline nothing)."""
    phone.goto("/stap/1")
    phone.expand("Vang de betrokken leerlingen op")
    phone.see("Overzicht organisaties voor ondersteuning")
    phone.screenshot("step1-arrow-glyph")
    phone.page.wait_for_load_state("networkidle")
    assert phone.failed_requests == []
    fonts = phone.page.evaluate("performance.getEntriesByType('resource').map(e => e.name)"
                                ".filter(n => /\\.(woff2?|ttf|otf)$/.test(n))")
    assert not [f for f in fonts if "noto" in f.lower()], fonts
