"""The app: one user's session, the view stack of its routes, links and calls.

``App`` is what screens know as ``screens.context.AppContext``.  It draws the
screen of a route with the builder that ``screens.routes`` declares for it,
and the journal's unlock gate instead while a journal route is locked.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Awaitable, Callable, Optional, TypeVar

import flet as ft

from content.loader import load_organisations, load_plan, load_school_roles
from content.model import Phone
from content.progress import Progress
from school.store import ProfileStore, bundled_profile
from screens import routes
from screens.errors import error_message
from screens.journal.session import JournalSession
from screens.preferences import Preferences
from screens.ui import theme
from screens.ui.live_status import LiveStatuses
from storage.errors import JournalLockedError, StorageError
from words.i18n import LANGUAGES, _, device_language, set_language

if TYPE_CHECKING:
    from content.letter_model import Letters
    from screens.team.syncing import TeamSync

# The journal's forms, its unlock screen and the team's sync are imported when
# first used (they load the journal's code, the letters and the sync protocol):
# the first screen does not wait for them.

log = logging.getLogger(__name__)

_T = TypeVar("_T")

_LOCALES = {"nl": ft.Locale("nl", "NL"), "en": ft.Locale("en", "GB")}

#: How often the idle lock is checked.
_IDLE_CHECK_SECONDS = 15

#: Long enough for a dialog's closing animation (Material: 150 ms).
_DIALOG_CLOSE_SECONDS = 0.5


_DESKTOPS = {ft.PagePlatform.WINDOWS, ft.PagePlatform.MACOS, ft.PagePlatform.LINUX}


def _clock_offset() -> timedelta:
    """``STAPPENPLAN_NOW`` (an ISO instant) lets the app's clock start there.

    For demonstrations and tests of opening hours ("what does the app say on
    Sunday night?"); the clock keeps running from that moment.
    """
    start = os.environ.get("STAPPENPLAN_NOW")
    if not start:
        return timedelta(0)
    return datetime.fromisoformat(start) - datetime.now(timezone.utc)


class App:
    """One user session: what is ticked, where the user is, and how to get around."""

    language: str

    def __init__(self, page: ft.Page) -> None:
        self.page = page
        self.progress = Progress()
        self.stack: list[str] = []
        self.draws = 0
        self._clock_offset = _clock_offset()
        self._use_language("nl")
        self.preferences = Preferences()
        # The school's own profile: device settings, there before any passphrase.
        self.school = ProfileStore(ft.SharedPreferences(), bundled=bundled_profile())
        self.journal = JournalSession(on_lock=self._journal_locked)
        self._team_sync: Optional["TeamSync"] = None
        self.journal_filter = {"status": "", "type": ""}
        self.report_time: Optional[datetime] = None  # when the acute flow was first opened
        self._save_session_after_unlock = False
        self._background: list = []  # the session's timers, stopped when it closes
        self._tasks: set[asyncio.Task] = set()  # short background work (see _spawn)
        self._launcher = ft.UrlLauncher()
        self._clipboard = ft.Clipboard()
        self._share = ft.Share()
        self.file_picker = ft.FilePicker()

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self._clock_offset

    @property
    def team_sync(self) -> "TeamSync":
        """The journal's team in this session (made when first needed)."""
        if self._team_sync is None:
            from screens.team.syncing import TeamSync

            self._team_sync = TeamSync(self)
        return self._team_sync

    @team_sync.setter
    def team_sync(self, team_sync: "TeamSync") -> None:
        self._team_sync = team_sync

    def _stop_team_sync(self) -> None:
        if self._team_sync is not None:  # never made: nothing runs
            self._team_sync.stop()

    # --- start-up and routing ---------------------------------------------------

    async def start(self) -> None:
        page = self.page
        theme.apply(page)
        page.on_route_change = self._on_route_change
        page.on_view_pop = self._on_view_pop
        page.on_app_lifecycle_state_change = self._on_lifecycle
        page.on_close = self._on_close
        first = page.route or routes.path("home")
        # Whether a journal exists decides only the journal's screens: any other
        # first screen does not wait for the check (a read of the device's storage).
        journal_exists = asyncio.ensure_future(self.journal.exists())
        if any(routes.needs_journal(route) for route in routes.chain(first)):
            await journal_exists
        # Nothing else stands between launch and the first screen: it is drawn in
        # Dutch while the stored settings and the device's language are asked
        # for (one round trip), and redrawn only if they change anything.
        self.show(first)
        self._background = [page.run_task(self._minute_ticker), page.run_task(self._idle_lock)]
        _, device, school, _ = await asyncio.gather(self.preferences.load(), self._device_language(),
                                                    self._load_school(), journal_exists)
        language = self.preferences.language or device
        if language != self.language:
            self._use_language(language)
            self._redraw_all()
        elif self.preferences.police_contact is not None or school:
            self.refresh()

    async def _load_school(self) -> bool:
        """Read the device's school profile; True if the first screen must show it."""
        await self.school.load()
        return self.school.stored is not None or self.school.stored_error is not None

    def show(self, route: str, in_place: bool = True) -> None:
        """Render the view stack for ``route`` (the top view is always rebuilt).

        ``in_place``: when the top screen stays the same, update its content
        instead of replacing it (keeps the scroll position and open dialogs).
        """
        self.stack = routes.next_stack(self.stack, route)
        cached = {view.route: view for view in self.page.views}
        views = [cached.get(r) or self._build(r) for r in self.stack[:-1]]
        self.live_statuses.clear()  # only the top view's statuses need to stay fresh
        top = self._build(self.stack[-1])
        shown = cached.get(top.route)
        if in_place and shown is not None and self.page.views and self.page.views[-1] is shown:
            # The same screen again (after a change): update it in place, so the
            # scroll position stays and an open dialog is not orphaned.
            shown.controls, shown.appbar = top.controls, top.appbar
            top = shown
        views.append(top)
        self.page.views.clear()
        self.page.views.extend(views)
        self.draws += 1
        if routes.normalise(route) != self.stack[-1]:
            # An unknown route: correct the address bar too.
            self.go(self.stack[-1])
        self.page.update()

    # --- language -------------------------------------------------------------------------

    async def _device_language(self) -> str:
        try:
            info = await self.page.get_device_info()
        except Exception:  # not every platform reports it; Dutch is the default anyway
            log.exception("device info unavailable")
            return "nl"
        return device_language([locale.language_code for locale in (info.locales if info else [])])

    def _use_language(self, language: str) -> None:
        self.language = set_language(language)
        self.plan = load_plan(self.language)
        self.organisations = load_organisations(self.language)
        self.school_roles = load_school_roles(self.language)
        self.live_statuses = LiveStatuses(self.organisations, self.now)
        self.page.title = _("Online incidents step plan")
        self.page.locale_configuration = ft.LocaleConfiguration(
            supported_locales=[_LOCALES[code] for code in LANGUAGES], current_locale=_LOCALES[self.language]
        )

    @property
    def letters(self) -> "Letters":
        """The letter templates in the user's language (loaded and checked when first needed:
        the first screen is not held back by them; tests keep every template valid)."""
        from letters.templates import load_letters

        return load_letters(self.language)

    async def switch_language(self, language: Optional[str]) -> None:
        """Remember the choice (None: follow the device) and show every screen in it."""
        await self.preferences.set_language(language)
        self._use_language(language or await self._device_language())
        self._redraw_all()

    def _redraw_all(self) -> None:
        self.page.views.clear()  # every cached screen is in the old language
        self.show(self.stack[-1])

    def refresh(self, in_place: bool = True) -> None:
        """Rebuild the screen that is shown (after a change)."""
        self.show(self.stack[-1], in_place)

    def _build(self, route: str) -> ft.View:
        found = routes.match(route)
        assert found is not None, route  # next_stack only yields known routes
        if found.route.needs_journal and not self.journal.is_open:
            from screens.journal import gate

            return gate.build(self, route)
        return found.route.builder()(self, route, **found.params)

    def _unsaved_letter(self, target: str) -> Optional[str]:
        """The route of the letter with unkept edits that going to ``target`` would leave, if any."""
        here = self.stack[-1] if self.stack else None
        if here is None or routes.normalise(target) == here or not self.journal.drafts.unsaved(here):
            return None
        return here

    def _on_route_change(self, e: ft.RouteChangeEvent) -> None:
        """A link, or the browser's back button or address bar (which have already changed the address)."""
        letter = self._unsaved_letter(e.route)
        if letter is None:
            self.show(e.route)
        else:
            from screens.journal.leave_letter import ask_before_leaving

            ask_before_leaving(self, letter, leave=lambda: self.show(e.route), stay=lambda: self.page.navigate(letter))

    async def _on_view_pop(self, e: ft.ViewPopEvent) -> None:
        """The Android back gesture and the app bar's back arrow."""
        if len(self.stack) > 1:
            back = self.stack[-2]
            letter = self._unsaved_letter(back)
            if letter is None:
                await self.page.push_route(back)
            else:
                from screens.journal.leave_letter import ask_before_leaving

                # the view asks before it pops (leave_letter.confirm_before_pop); should it not have:
                ask_before_leaving(self, letter, leave=lambda: self.page.navigate(back),
                                   stay=lambda: self.show(letter, in_place=False))

    def go(self, route: str) -> None:
        """Go to ``route``; leaving a letter with unkept edits asks first."""
        self.journal.touch()
        letter = self._unsaved_letter(route)
        if letter is None:
            self.page.navigate(route)
        else:
            from screens.journal.leave_letter import ask_before_leaving

            ask_before_leaving(self, letter, leave=lambda: self.page.navigate(route))

    # --- time ---------------------------------------------------------------------

    async def _minute_ticker(self) -> None:
        """Refresh the help-line statuses at the start of every minute."""
        while True:
            now = self.now()
            await asyncio.sleep(60 - now.second - now.microsecond / 1e6 + 0.05)
            self.live_statuses.refresh()

    async def _idle_lock(self) -> None:
        while True:
            await asyncio.sleep(_IDLE_CHECK_SECONDS)
            self.journal.lock_if_idle()

    def _on_close(self, e) -> None:
        """The session expired (the browser tab is long gone): stop its timers, drop the key and the drafts."""
        for task in [*self._background, *self._tasks]:
            task.cancel()
        self.journal.lock(quietly=True)
        self.journal.drafts.clear()  # letters being written live in this session only
        self._stop_team_sync()

    def _on_lifecycle(self, e: ft.AppLifecycleStateChangeEvent) -> None:
        if e.state in (ft.AppLifecycleState.SHOW, ft.AppLifecycleState.RESUME):
            self.live_statuses.refresh()
            if self._team_sync is not None:
                self._team_sync.resume()
        elif e.state is ft.AppLifecycleState.HIDE:
            self.journal.lock()

    # --- the journal ------------------------------------------------------------------

    def _journal_locked(self) -> None:
        """Whatever journal screen is shown turns into the unlock form."""
        self._stop_team_sync()
        forms_closed = False
        while (dialog := self.page.pop_dialog()) is not None:  # a form may show journal content
            forms_closed = forms_closed or not isinstance(dialog, ft.SnackBar)
        if not (self.stack and routes.needs_journal(self.stack[-1])):
            return
        if forms_closed:
            # Flutter keeps a dialog on screen if its view is replaced while it
            # closes: update the view in place now, renew it once they are gone.
            self.refresh()
            self._spawn(self._renew_unlock_screen())
        else:
            self.refresh(in_place=False)  # a different screen now: start at its top

    async def _renew_unlock_screen(self) -> None:
        await asyncio.sleep(_DIALOG_CLOSE_SECONDS)
        if not self.journal.is_open and routes.needs_journal(self.stack[-1]):
            self.refresh(in_place=False)

    def journal_opened(self) -> None:
        """After unlocking or creating: continue where the user was, or save the acute flow."""
        self.team_sync.start()
        self.refresh(in_place=False)
        if self._save_session_after_unlock:
            from screens.journal.incident_forms import incident_form

            incident_form(self, from_session=True)

    def save_session(self) -> None:
        """'Bewaar in logboek' from the acute flow: asks for the passphrase first if needed."""
        if self.journal.is_open:
            from screens.journal.incident_forms import incident_form

            incident_form(self, from_session=True)
        else:
            self._save_session_after_unlock = True
            self.go(routes.path("journal"))

    def session_saved(self) -> None:
        self._save_session_after_unlock = False

    def mark_report_time(self) -> None:
        if self.report_time is None:
            self.report_time = self.now()

    async def storage_action(
        self, action: Awaitable[object], *, on_error: Optional[Callable[[StorageError], None]] = None
    ) -> bool:
        """Run a journal read or write; the one place storage errors are caught.

        A journal found locked (idle, or removed in another window) closes any
        form and shows the unlock or set-up screen.  Any other storage error
        goes to ``on_error`` (a form shows it in place and keeps what was
        typed), or else is told in a toast over the screen drawn again with
        what is stored.  True if the action succeeded; then the team sync
        sends what changed (if the journal is in a team) a moment later.
        """
        try:
            await action
            self.team_sync.changed()
            return True
        except JournalLockedError as exc:
            await self.journal_lost(exc)
        except StorageError as exc:
            if on_error is not None:
                on_error(exc)
            else:
                self.refresh()
                self.toast(error_message(exc))
        return False

    async def journal_lost(self, exc: JournalLockedError) -> None:
        """A write found the journal locked (idle, or another window removed it):
        close any form, show the unlock or set-up screen, and say why."""
        await self.journal.locked_itself()
        self.toast(error_message(exc))

    # --- session state --------------------------------------------------------

    def set_ticked(self, action_id: str, ticked: bool) -> None:
        now = self.now()
        self.progress = (
            self.progress.tick(action_id, now) if ticked else self.progress.untick(action_id)
        )

    # --- leaving the app: links and calls -----------------------------------------

    def open_link(self, url: str) -> None:
        if url.startswith("/"):
            self.go(url)
        else:
            self._launch(url)

    def call(self, phone: Phone) -> None:
        self._launch(phone.tel_uri)

    @property
    def can_copy_numbers(self) -> bool:
        """On the web and on desktops a call may not be placed: offer the number to copy."""
        return self.page.web or self.page.platform in _DESKTOPS

    def copy(self, text: str, confirmation: Optional[str] = None) -> None:
        async def copy() -> None:
            await self._clipboard.set(text)
            self.toast(confirmation or _("Copied: {text}").format(text=text))

        self._spawn(copy())

    def share_text(self, text: str, subject: str = "") -> None:
        async def share() -> None:
            try:
                await self._share.share_text(text, subject=subject or None)
            except Exception:  # no share sheet here (e.g. a desktop browser without Web Share)
                log.exception("share sheet unavailable")
                self.toast(_("Sharing is not available here: copy the text instead."))

        self._spawn(share())

    def share_file(self, name: str, data: bytes, mime_type: str) -> None:
        async def share() -> None:
            try:
                await self._share.share_files([ft.ShareFile.from_bytes(data, mime_type=mime_type, name=name)])
            except Exception:  # no share sheet here
                log.exception("share sheet unavailable")
                self.toast(_("Sharing is not available here: save the file instead."))

        self._spawn(share())

    def _launch(self, url: str) -> None:
        async def launch() -> None:
            try:
                await self._launcher.launch_url(url)
            except Exception:  # the platform refused (e.g. no dialer); tell the user
                log.exception("could not open %s", url)
                self.toast(_("Could not open {url}").format(url=url))

        self._spawn(launch())

    def _spawn(self, work: Awaitable[None]) -> None:
        """Run ``work`` in the background; the event loop keeps only a weak
        reference to a task, so the session keeps one until it is done."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run_blocking(self, work: Callable[[], _T]) -> _T:
        """Heavy work off the event loop where threads exist (not in the browser's Pyodide)."""
        if sys.platform == "emscripten":
            return work()
        return await asyncio.to_thread(work)

    def toast(self, message: str) -> None:
        self.page.show_dialog(ft.SnackBar(ft.Text(message)))
