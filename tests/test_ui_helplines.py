"""Help lines in the browser: open or closed by Amsterdam time, one tap to call."""

import pytest

from tests.browser import open_session

pytestmark = pytest.mark.browser

# Window.open is how Flutter's url_launcher opens tel: and https: links on the web.
RECORD_OPENED = """
window.__opened = [];
window.open = (url, ...rest) => { window.__opened.push(String(url)); return null; };
"""


def session_at(browser, app_server_at, instant, **kwargs):
    server = app_server_at(instant)
    session = open_session(browser, server.url, viewport={"width": 412, "height": 915}, **kwargs)
    session.page.add_init_script(RECORD_OPENED)
    return session


def opened(session):
    return session.page.evaluate("window.__opened")


def test_kindertelefoon_call_button_dials_its_number(phone):
    phone.page.add_init_script(RECORD_OPENED)
    phone.goto("/hulplijnen")
    phone.tap("Bel 0800-0432")
    phone.page.wait_for_function("() => window.__opened.length > 0")
    assert opened(phone) == ["tel:08000432"]


def test_112_is_one_tap_away_on_every_screen(phone):
    phone.page.add_init_script(RECORD_OPENED)
    for route in ("/", "/stap/4", "/organisaties"):
        phone.goto(route)
        phone.tap("112", exact=True)
        phone.page.wait_for_function("() => window.__opened.length > 0")
        assert opened(phone) == ["tel:112"]


def test_late_at_night_closed_lines_say_closed_and_point_to_open_ones(browser, app_server_at):
    session = session_at(browser, app_server_at, "2026-11-24T23:30:00+01:00")
    try:
        session.goto("/hulplijnen")
        session.see("Gesloten · opent morgen om 11:00")  # De Kindertelefoon
        session.see("Nu wel bereikbaar: 113 Zelfmoordpreventie, Veilig Thuis")
        session.see("Dag en nacht bereikbaar")
        session.screenshot("helplines-night")
        # a closed line can still be called
        session.tap("Bel 0800-0432")
        session.page.wait_for_function("() => window.__opened.length > 0")
        assert opened(session) == ["tel:08000432"]
    finally:
        session.close("night")


def test_in_the_afternoon_lines_say_open_until(browser, app_server_at):
    session = session_at(browser, app_server_at, "2026-11-24T14:05:00+01:00")
    try:
        session.goto("/acuut")
        session.see("Nu open · tot 21:00")  # De Kindertelefoon
        session.see("Nu open · tot 22:00")  # In je bol
        session.see("Openingstijden onzeker — bel gerust")  # Offlimits on a Tuesday
        session.screenshot("acute-afternoon")
    finally:
        session.close("afternoon")


def test_status_refreshes_when_the_minute_turns(browser, app_server_at):
    session = session_at(browser, app_server_at, "2026-11-24T20:59:48+01:00")
    try:
        session.goto("/hulplijnen")
        session.see("Nu open · tot 21:00")
        session.see("Gesloten · opent morgen om 11:00")  # after 21:00, without navigating
    finally:
        session.close("refresh")


def test_a_device_in_another_time_zone_gets_amsterdam_hours(browser, app_server_at):
    session = session_at(browser, app_server_at, "2026-11-24T13:05:00+00:00", timezone_id="America/New_York")
    try:
        session.goto("/hulplijnen")
        session.see("Nu open · tot 21:00")
    finally:
        session.close("zone")


def test_number_can_be_copied_on_the_web(browser, app_server):
    session = open_session(browser, app_server.url, viewport={"width": 412, "height": 915},
                           permissions=["clipboard-read", "clipboard-write"])
    try:
        session.goto("/hulplijnen")
        session.tap("Kopieer 0800-0432")
        session.see("Gekopieerd: 0800-0432")
        assert session.page.evaluate("navigator.clipboard.readText()") == "0800-0432"
    finally:
        session.close("copy")


def test_school_police_contact_is_filled_in_and_kept(phone):
    phone.page.add_init_script(RECORD_OPENED)
    phone.goto("/hulplijnen")
    phone.scroll_to(phone.button("Contactpersoon politie van je school invullen").first).click()
    phone.type_into("Naam, bijvoorbeeld de wijkagent", "Wijkagent De Vries")
    phone.type_into("Telefoonnummer", "geen nummer")
    phone.tap("Bewaren")
    phone.see("Vul een telefoonnummer in")
    phone.type_into("Telefoonnummer", "06 12345678")
    phone.tap("Bewaren")
    phone.see("Wijkagent De Vries · 06 12345678")
    phone.screenshot("helplines-police-contact")
    phone.goto("/hulplijnen")  # a new session in the same browser: still there
    phone.scroll_to(phone.button("Bel 06 12345678").first).click()
    phone.page.wait_for_function("() => window.__opened.length > 0")
    assert opened(phone) == ["tel:0612345678"]
