"""Dutch first, English second: the language switch in the browser."""

import pytest

from tests.browser import open_session

pytestmark = pytest.mark.browser


def test_switch_to_english_and_back(browser, app_server_at):
    server = app_server_at("2026-11-24T14:05:00+01:00")
    s = open_session(browser, server.url, viewport={"width": 412, "height": 915})
    try:
        s.goto("/")
        s.button("Acuut incident").first.wait_for()
        s.tap("Instellingen")
        s.page.get_by_role("radio", name="English").click()
        s.see("Language")
        s.tap("Back")  # Flutter's own labels follow the language too
        s.tap("Acute incident")
        s.see("Step 1: Initial support and care")
        s.checkbox("Support the person reporting, if any").wait_for()
        s.see("Open now · until 21:00")  # De Kindertelefoon, in English
        s.see("Opening hours uncertain — call anyway")  # Offlimits on a Tuesday
        s.screenshot("acute-english")
        # the choice is remembered: a new session in the same browser starts in English
        s.goto("/acuut")
        s.see("Open now · until 21:00")
        s.goto("/instellingen")
        s.page.get_by_role("radio", name="Nederlands").click()
        s.see("Taal")
        s.goto("/acuut")
        s.see("Nu open · tot 21:00")
    finally:
        s.close("language")
    assert server.new_errors() == []


def test_an_english_device_gets_english(browser, app_server):
    s = open_session(browser, app_server.url, viewport={"width": 412, "height": 915}, locale="en-GB")
    try:
        s.goto("/")
        s.button("Acute incident").first.wait_for()
        s.see("The seven steps")
    finally:
        s.close("english-device")


def test_another_language_device_gets_dutch(browser, app_server):
    s = open_session(browser, app_server.url, viewport={"width": 412, "height": 915}, locale="fr-FR")
    try:
        s.goto("/")
        s.button("Acuut incident").first.wait_for()
    finally:
        s.close("french-device")
