"""Driving the Flutter web UI through its semantics tree with Playwright.

Flutter paints on a canvas but mirrors buttons, checkboxes and texts as DOM
nodes once semantics are enabled (by clicking the hidden
``flt-semantics-placeholder``).  ``get_by_role`` / ``get_by_text`` then find
them and ``.click()`` reaches the Python handlers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from tests.support import ARTIFACTS

TIMEOUT_MS = 20_000


@dataclass
class Session:
    context: object
    page: object
    base_url: str
    outside_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)  # errors the page logged or raised
    failed_requests: list[str] = field(default_factory=list)  # same-origin requests that failed or got >= 400

    def goto(self, route: str = "/") -> None:
        self.page.goto(self.base_url + route)
        self.enable_semantics()

    def enable_semantics(self) -> None:
        self.page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=TIMEOUT_MS)
        self.page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
        self.page.wait_for_selector("flt-semantics", state="attached", timeout=TIMEOUT_MS)

    def button(self, name: str, exact: bool = False):
        """A button, or another tappable node (an expansion tile) with that name."""
        name_match = name if exact else re.compile(re.escape(name))
        return self.page.get_by_role("button", name=name_match).or_(
            self.page.get_by_role("group", name=name_match)
        )

    def checkbox(self, name: str):
        return self.page.get_by_role("checkbox", name=name)

    def text(self, text: str, exact: bool = False):
        """Text on screen: a text node, or the label Flutter gave a control."""
        label = f'[aria-label="{text}"]' if exact else f'[aria-label*="{text}"]'
        return self.page.get_by_text(text, exact=exact).or_(self.page.locator(label))

    def see(self, text: str, exact: bool = False) -> None:
        self.scroll_to(self.text(text, exact).first)

    def scroll_to(self, locator, max_scrolls: int = 40):
        """Wait for ``locator`` and scroll the screen (as a user would, with the
        mouse wheel) until its middle is inside the viewport.

        Flutter only puts nodes near the visible part of a list in the
        semantics tree, and a click on a node outside the viewport would land
        on whatever Flutter shows there instead.
        """
        viewport = self.page.viewport_size
        height = viewport["height"]
        self.page.mouse.move(viewport["width"] / 2, height / 2)
        for attempt in range(max_scrolls):
            box = locator.bounding_box() if locator.count() else None
            if box is not None:
                middle = box["y"] + box["height"] / 2
                if 0 <= middle <= height:
                    return locator
                self.page.mouse.wheel(0, max(min(middle - height / 2, height * 0.6), -height * 0.6))
            elif attempt >= 8:  # not in the tree after two seconds: look further down
                self.page.mouse.wheel(0, height * 0.6)
            self.page.wait_for_timeout(250)
        locator.wait_for(state="visible", timeout=TIMEOUT_MS)
        return locator

    def tap(self, name: str, exact: bool = False) -> None:
        self.scroll_to(self.button(name, exact).first).click(timeout=TIMEOUT_MS)

    def expand(self, name: str) -> None:
        """Open an expansion tile and wait until the screen stops moving: a tap
        while the tile slides open lands beside the control it was meant for."""
        self.tap(name)
        self.settled("Array.from(document.querySelectorAll('flt-semantics'), e => e.style.transform).join()",
                     quiet_ms=300)

    def settled(self, expression: str, quiet_ms: int = 500):
        """Evaluate ``expression`` until it returns the same non-empty value for
        ``quiet_ms`` (page transitions animate sizes and positions)."""
        deadline = TIMEOUT_MS / 1000
        last, stable_since = None, None
        waited = 0.0
        while waited < deadline:
            value = self.page.evaluate(expression)
            if value and value == last:
                if stable_since is not None and waited - stable_since >= quiet_ms / 1000:
                    return value
            else:
                last, stable_since = value, waited
            self.page.wait_for_timeout(100)
            waited += 0.1
        return last

    def next_frames(self, frames: int = 2) -> None:
        """Wait until the browser has drawn ``frames`` more frames (Flutter has handled
        what happened before: a wheel step, a moved selection)."""
        self.page.evaluate("n => new Promise(done => { const step = k => k ? requestAnimationFrame(() => step(k - 1))"
                           " : done(); step(n); })", frames)

    def type_into(self, label: str, text: str) -> None:
        """Replace the text of the field labelled ``label`` by typing, as a user would."""
        self.scroll_to(self.page.get_by_role("textbox", name=label).first).click(timeout=TIMEOUT_MS)
        # Flutter edits text in a real <input> it puts under the focused field
        self.page.wait_for_function(
            "() => ['INPUT', 'TEXTAREA'].includes(document.activeElement?.tagName)", timeout=TIMEOUT_MS
        )
        self.next_frames(3)  # focus moves from a previously focused field
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)
        self.page.wait_for_function(
            "t => document.activeElement?.value === t", arg=text, timeout=TIMEOUT_MS
        )

    def path(self) -> str:
        return urlparse(self.page.url).path

    def wait_for_path(self, path: str) -> None:
        self.page.wait_for_function("p => location.pathname === p", arg=path, timeout=TIMEOUT_MS)

    def screenshot(self, name: str) -> str:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.next_frames(3)  # let the frame with the last change paint
        self.page.screenshot(path=str(path))
        return str(path)

    def assert_no_app_error(self) -> None:
        """Flet shows 'Error running app' when a Python handler raised."""
        if not self.page.is_closed():
            errors = self.page.get_by_text("Error running app")
            assert errors.count() == 0, "the app showed an error: " + self.page.locator("body").inner_text()[:500]

    def close(self, test_name: str) -> None:
        try:
            self.assert_no_app_error()
        finally:
            self.context.close()


def open_session(browser, base_url: str, viewport: dict, **context_args) -> Session:
    context_args = {"locale": "nl-NL", "timezone_id": "Europe/Amsterdam", **context_args}
    context = browser.new_context(viewport=viewport, **context_args)
    host = urlparse(base_url).netloc
    session = Session(context=context, page=context.new_page(), base_url=base_url)

    def guard(route):
        url = route.request.url
        if urlparse(url).netloc in (host, "") or url.startswith(("blob:", "data:")):
            route.continue_()
        else:
            session.outside_requests.append(url)
            route.abort()

    context.route("**/*", guard)
    def answered(response):
        if response.status >= 400 and urlparse(response.url).netloc == host:
            session.failed_requests.append(f"{response.status} {response.url}")

    def failed(request):
        if urlparse(request.url).netloc == host and not request.url.endswith("/ws"):
            session.failed_requests.append(f"{request.failure} {request.url}")

    context.on("response", answered)
    context.on("requestfailed", failed)
    session.page.on("console", lambda m: session.console_errors.append(m.text) if m.type == "error" else None)
    session.page.on("pageerror", lambda exc: session.console_errors.append(str(exc)))
    return session
