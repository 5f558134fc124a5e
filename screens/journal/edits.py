"""The one way a screen changes an incident: ``update_incident(app, id, edit)``.

Every handler that changes an incident (a status chip, a tick, a form) says
only *what* changes, as an ``edit`` from the stored incident to the new one;
this module adds the rest the same way each time: the latest stored version
(another window may have saved since the screen was drawn), who and when
(the journal's author, the app's clock), saving, the message when saving
fails, and drawing the screen again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Optional

from storage.incidents import Incident
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


@dataclass(frozen=True)
class Stamp:
    """Who makes an edit, and when."""

    by: str
    at: datetime


Edit = Callable[[Incident, Stamp], Incident]


async def update_incident(
    app: "AppContext", incident_id: str, edit: Edit, *, saved: Optional[str] = None, in_form: bool = False
) -> Optional[Incident]:
    """Apply ``edit`` to the stored incident, save it and show the result.

    Returns the saved incident, or None when saving failed: the user was told
    why (a toast, and the screen shows what is stored) and a locked journal
    shows the unlock screen.  ``saved`` is said after a successful save.

    ``in_form``: called from a form's save (``screens.ui.forms.form_dialog``),
    which catches the storage error itself, shows it in the form and keeps
    what the user typed.
    """
    result: list[Incident] = []
    before: list[tuple[str, ...]] = []

    async def save() -> None:
        journal = app.journal.current
        app.journal.touch()
        stamp = Stamp(app.journal.author, app.now())
        shown = journal.get(incident_id)
        before.append(shown.conflicts)
        result.append(await journal.save(edit(shown, stamp)))

    if in_form:
        await save()
    elif not await app.storage_action(save()):
        return None
    app.refresh()
    if set(result[0].conflicts) - set(before[0]):
        # Another window saved the same value meanwhile: the journal kept both.
        app.toast(_("This was also changed elsewhere in the meantime. Both versions are kept: choose one "
                    "under 'Changed in two places'."))
    elif saved:
        app.toast(saved)
    return result[0]


async def add_incident(app: "AppContext", incident: Incident) -> Incident:
    """Save a new incident (from the new-incident form, which reports a storage error)."""
    app.journal.touch()
    return await app.journal.current.save(incident)
