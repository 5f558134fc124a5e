"""What a screen may use of the app: the user's session, its journal, and the way around.

Screens, dialogs and widgets take an ``AppContext`` (``screens.app.App`` is
the one implementation), so they never import the app, and a test can hand
them a stand-in.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Awaitable, Callable, Optional, Protocol, TypeVar

if TYPE_CHECKING:
    import flet as ft

    from content.letter_model import Letters
    from content.model import Organisations, Phone, Plan, SchoolRoles
    from content.progress import Progress
    from school.store import ProfileStore
    from screens.journal.session import JournalSession
    from screens.preferences import Preferences
    from screens.team.syncing import TeamSync
    from screens.ui.live_status import LiveStatuses
    from storage.errors import StorageError

_T = TypeVar("_T")


class AppContext(Protocol):
    page: "ft.Page"
    file_picker: "ft.FilePicker"
    language: str
    plan: "Plan"
    organisations: "Organisations"
    live_statuses: "LiveStatuses"
    preferences: "Preferences"
    #: The school's own profile (device settings, no passphrase): ``app.school.profile``.
    school: "ProfileStore"
    #: The words of the school profile's roles, in the user's language.
    school_roles: "SchoolRoles"
    #: The acute flow's checklist, for this session only.
    progress: "Progress"
    #: When the acute flow was first opened (saved as the report time of a new incident).
    report_time: Optional[datetime]
    journal: "JournalSession"
    #: The journal's team: syncing while it is open, and the team operations.
    team_sync: "TeamSync"
    #: The routes of the view stack; the screen shown is the last.
    stack: list[str]
    #: How many times a screen was drawn (``show``, ``refresh``): a redraw that waited can tell whether
    #: the screen has been drawn since.
    draws: int
    #: The incident list's filter: {"status": "", "type": ""} ("" is all).
    journal_filter: dict[str, str]

    def now(self) -> datetime:
        """The app's clock (``STAPPENPLAN_NOW`` may set it elsewhere)."""

    # --- getting around ---------------------------------------------------------------

    def go(self, route: str) -> None: ...

    def refresh(self, in_place: bool = True) -> None:
        """Draw the screen that is shown again (after a change)."""

    def toast(self, message: str) -> None: ...

    def open_link(self, url: str) -> None:
        """An in-app route, or a web address handed to the browser."""

    def call(self, phone: "Phone") -> None: ...

    @property
    def letters(self) -> "Letters":
        """The letter templates in the user's language."""

    def copy(self, text: str, confirmation: Optional[str] = None) -> None:
        """Put ``text`` on the clipboard; ``confirmation`` is said instead of the text itself."""

    def share_text(self, text: str, subject: str = "") -> None:
        """The system's share sheet with ``text``."""

    def share_file(self, name: str, data: bytes, mime_type: str) -> None:
        """The system's share sheet with a file."""

    @property
    def can_copy_numbers(self) -> bool: ...

    async def switch_language(self, language: Optional[str]) -> None: ...

    async def run_blocking(self, work: Callable[[], _T]) -> _T:
        """Heavy work (a PDF) off the event loop where threads exist."""

    # --- the acute flow and the journal -------------------------------------------------

    def set_ticked(self, action_id: str, ticked: bool) -> None: ...

    def mark_report_time(self) -> None: ...

    def save_session(self) -> None:
        """'Bewaar in logboek': the acute flow as a new incident (after unlocking if needed)."""

    def session_saved(self) -> None: ...

    def journal_opened(self) -> None:
        """After unlocking or creating the journal: continue where the user was."""

    async def storage_action(
        self, action: Awaitable[object], *, on_error: Optional[Callable[["StorageError"], None]] = None
    ) -> bool:
        """Run a journal read or write; the one place storage errors are caught (see ``App``)."""
