"""The journal's handlers without a browser: the real App and screens on a stand-in page.

A tap is the handler Flet would call (``on_select``, ``on_change``,
``on_click``) called with the event it would get; what is checked is what
the journal stores and what the screen then shows.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import flet as ft
import pytest

import storage
from screens import routes
from screens.app import App
from screens.errors import error_message
from screens.journal import incident as incident_screen
from screens.journal.incident_forms import note_form, pupil_form
from screens.journal.session import JournalSession
from storage import errors
from storage import incidents as inc
from storage.vocabulary import EVALUATION_ACTION, Status
from words import i18n

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 24, 14, 5, tzinfo=AMS)
GOOD = "paars konijn fietst langs zeebrug"
_ = i18n._


class StandInPage:
    """What App uses of ``ft.Page``: the views, dialogs, the route, the platform."""

    def __init__(self) -> None:
        self.views: list[ft.View] = []
        self.dialogs: list[ft.DialogControl] = []
        self.route = "/"
        self.web = True
        self.platform = ft.PagePlatform.LINUX
        self.title = ""
        self.locale_configuration = None

    def update(self, *controls) -> None:
        pass

    def show_dialog(self, dialog: ft.DialogControl) -> None:
        dialog.open = True
        self.dialogs.append(dialog)

    def pop_dialog(self):
        for dialog in reversed(self.dialogs):
            if dialog.open:
                dialog.open = False
                return dialog
        return None

    def navigate(self, route: str) -> None:
        self.route = route

    @property
    def open_dialogs(self) -> list[ft.DialogControl]:
        return [d for d in self.dialogs if d.open and not isinstance(d, ft.SnackBar)]

    @property
    def toasts(self) -> list[str]:
        return [d.content.value for d in self.dialogs if isinstance(d, ft.SnackBar)]


def run(coroutine):
    return asyncio.run(coroutine)


def walk(control, seen=None):
    seen = set() if seen is None else seen
    if id(control) in seen:
        return
    seen.add(id(control))
    yield control
    for name in (f.name for f in dataclasses.fields(control)):
        value = getattr(control, name, None)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, ft.BaseControl):
                yield from walk(item, seen)


def texts(control) -> list[str]:
    return [c.value for c in walk(control) if isinstance(c, ft.Text) and isinstance(c.value, str)]


def find(root, kind, text: str):
    """The control of ``kind`` showing (or labelled with) ``text``."""
    for control in walk(root):
        if isinstance(control, kind) and (
            text in texts(control)
            or text in [getattr(control, a, None) for a in ("content", "label", "semantics_label")]
        ):
            return control
    raise LookupError(f"no {kind.__name__} with {text!r}")


def tap(handler, control, value=None):
    """Call a control's handler as Flet does: sync or async, with an event for it."""
    if value is not None:
        control.value = value
    result = handler(SimpleNamespace(control=control, data=None))
    if asyncio.iscoroutine(result):
        run(result)


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path))
    monkeypatch.setenv("STAPPENPLAN_NOW", NOW.isoformat())
    monkeypatch.setattr(ft.BaseControl, "update", lambda self: None)  # nothing to send to a browser
    i18n.set_language("nl")
    app = App(StandInPage())
    store = storage.open_store(tmp_path, iterations=1000, insecure_min_iterations=1000)
    app.journal = JournalSession(on_lock=app._journal_locked, store=store)
    run(app.journal.create(GOOD, "mentor 3B"))
    return app


@pytest.fixture
def incident(app):
    item = inc.new_incident("Bangalijst in de brugklas", "bangalijst", by="mentor 3B", now=NOW - timedelta(days=1))
    item = inc.put_follow_up(item, inc.FollowUp(inc.new_id(), NOW + timedelta(days=2), "ouders", "nagesprek"))
    saved = run(app.journal.current.save(item))
    app.show(routes.path("incident", incident_id=saved.id))
    return saved


def screen(app):
    return app.page.views[-1]


def stored(app, incident):
    return app.journal.current.get(incident.id)


def assert_stamped_now(when: datetime) -> None:
    assert timedelta(0) <= when - NOW < timedelta(minutes=1)  # the app's clock, not the machine's


def test_a_status_chip_saves_the_status_with_author_and_app_time(app, incident):
    chip = find(screen(app), ft.Chip, "Gesloten")
    tap(chip.on_select, chip)
    change = stored(app, incident).status_history[-1]
    assert change.status == Status.CLOSED and change.by == "mentor 3B"
    assert_stamped_now(change.at)
    assert find(screen(app), ft.Chip, "Gesloten").selected  # the screen was drawn again


def test_the_chip_of_the_current_status_changes_nothing(app, incident):
    chip = find(screen(app), ft.Chip, "Acuut")
    tap(chip.on_select, chip)
    assert stored(app, incident).status_history == incident.status_history
    assert find(screen(app), ft.Chip, "Acuut").selected


def test_ticking_an_action_in_an_incident(app, incident):
    title = app.plan.action("melder").title
    checkbox = find(screen(app), ft.Checkbox, title)
    tap(checkbox.on_change, checkbox, True)
    tick = stored(app, incident).ticked["melder"]
    assert tick.by == "mentor 3B"
    assert_stamped_now(tick.at)
    assert find(screen(app), ft.Checkbox, title).value is True
    checkbox = find(screen(app), ft.Checkbox, title)
    tap(checkbox.on_change, checkbox, False)
    assert "melder" not in stored(app, incident).ticked


def test_a_follow_up_marked_done_gets_the_app_time(app, incident):
    follow_up = incident.active_follow_ups[0]
    run(incident_screen.mark_follow_up(app, incident.id, follow_up, True))
    assert_stamped_now(stored(app, incident).active_follow_ups[0].done_at)
    run(incident_screen.mark_follow_up(app, incident.id, follow_up, False))
    assert stored(app, incident).active_follow_ups[0].done_at is None


def test_finishing_the_evaluation_saves_the_answers_and_the_status(app, incident):
    question = next(q for b in app.plan.action(EVALUATION_ACTION).blocks for q in b.questions)
    field = find(screen(app), ft.TextField, question.text)
    field.value = "  Een foto in de klassenapp  "
    button = find(screen(app), ft.FilledButton, _("Save and mark as evaluated"))
    tap(button.on_click, button)
    saved = stored(app, incident)
    assert saved.evaluation[question.id] == "Een foto in de klassenapp"
    assert saved.status == Status.EVALUATED and saved.status_history[-1].by == "mentor 3B"
    assert app.page.toasts == [_("Evaluation saved.")]
    with pytest.raises(LookupError):  # evaluated: nothing left to mark
        find(screen(app), ft.FilledButton, _("Save and mark as evaluated"))


def test_a_failed_save_is_told_and_the_screen_shows_what_is_stored(app, incident, monkeypatch):
    async def full(*args, **kwargs):
        raise errors.StorageFullError("disk full")

    monkeypatch.setattr(type(app.journal.current), "save", full)
    chip = find(screen(app), ft.Chip, "Gesloten")
    tap(chip.on_select, chip)
    assert app.page.toasts == [error_message(errors.StorageFullError())]
    assert find(screen(app), ft.Chip, "Acuut").selected
    monkeypatch.undo()
    assert stored(app, incident).status == Status.ACUTE


def test_an_edit_on_a_journal_locked_meanwhile_shows_the_unlock_screen(app, incident):
    app.journal.journal.lock()  # e.g. another window removed the journal
    chip = find(screen(app), ft.Chip, "Gesloten")
    tap(chip.on_select, chip)
    assert not app.journal.is_open
    assert _("Unlock the journal") in texts(screen(app))
    assert app.page.toasts == [error_message(errors.JournalLockedError())]


def test_a_form_saves_into_the_journal_and_closes(app, incident):
    pupil_form(app, incident)
    [dialog] = app.page.open_dialogs
    find(dialog, ft.TextField, _("Initials or a pseudonym")).value = "A.B."
    save = find(dialog, ft.FilledButton, _("Save"))
    tap(save.on_click, save)
    [pupil] = stored(app, incident).active_pupils
    assert (pupil.alias, pupil.role) == ("A.B.", "slachtoffer")
    assert not dialog.open
    assert "A.B." in texts(screen(app))


def test_a_form_that_cannot_save_keeps_what_was_typed_and_says_why(app, incident, monkeypatch):
    async def full(*args, **kwargs):
        raise errors.StorageFullError("disk full")

    monkeypatch.setattr(type(app.journal.current), "save", full)
    note_form(app, incident)
    [dialog] = app.page.open_dialogs
    field = find(dialog, ft.TextField, _("Note"))
    field.value = "Gesprek met de melder"
    save = find(dialog, ft.FilledButton, _("Save"))
    tap(save.on_click, save)
    assert dialog.open and field.value == "Gesprek met de melder"
    assert error_message(errors.StorageFullError()) in texts(dialog)
    assert app.page.toasts == []


def test_editing_a_note_keeps_the_earlier_text_with_its_author(app, incident):
    note_form(app, incident)
    [dialog] = app.page.open_dialogs
    find(dialog, ft.TextField, _("Note")).value = "Eerste versie"
    tap(find(dialog, ft.FilledButton, _("Save")).on_click, dialog)
    [note] = stored(app, incident).timeline
    note_form(app, stored(app, incident), note)
    dialog = app.page.open_dialogs[-1]
    find(dialog, ft.TextField, _("Note")).value = "Tweede versie"
    tap(find(dialog, ft.FilledButton, _("Save")).on_click, dialog)
    [note] = stored(app, incident).timeline
    assert [v.text for v in note.versions] == ["Eerste versie", "Tweede versie"]
    assert {v.by for v in note.versions} == {"mentor 3B"}


def test_the_unlock_gate_says_why_and_opens_the_journal(app, incident):
    app.journal.lock()
    assert _("Unlock the journal") in texts(screen(app))
    field = find(screen(app), ft.TextField, _("Passphrase"))
    field.value = "niet de goede zin"
    tap(field.on_submit, field)
    assert field.value == "" and not app.journal.is_open
    assert any(text.startswith("Verkeerde wachtwoordzin") for text in texts(screen(app)))
    field.value = GOOD
    tap(field.on_submit, field)
    assert app.journal.is_open
    assert "Bangalijst in de brugklas" in texts(screen(app))  # back on the incident


# -- values changed in two places ---------------------------------------------------------------


def _second_window(app):
    """The same journal in another window (its own store object, as another tab has)."""
    return run(storage.open_store(app.journal.current._store._blob.path.parent, iterations=1000,
                                  insecure_min_iterations=1000).unlock(GOOD))


def test_a_title_changed_in_another_window_meanwhile_keeps_both_and_the_choice_settles_it(app, incident):
    other = _second_window(app)
    run(other.save(dataclasses.replace(other.get(incident.id), title="Titel uit het andere venster")))
    shown = app.journal.current.get(incident.id)  # this window still shows the version before
    run(incident_screen.update_incident(app, incident.id, lambda i, s: dataclasses.replace(shown, title="Mijn titel")))
    assert app.page.toasts[-1] == _("This was also changed elsewhere in the meantime. Both versions are kept: "
                                    "choose one under 'Changed in two places'.")
    view = screen(app)
    assert _("Changed in two places") in texts(view)
    assert {"Mijn titel", "Titel uit het andere venster"} <= set(texts(view))
    keep_other = [b for b in walk(view) if isinstance(b, ft.OutlinedButton) and b.content == _("Keep this one")][1]
    tap(keep_other.on_click, keep_other)
    settled = stored(app, incident)
    assert settled.title == "Titel uit het andere venster" and settled.conflicts == ()
    assert _("Changed in two places") not in texts(screen(app))
    assert app.page.toasts[-1] == _("Your choice is saved.")
    # the other window takes the choice over with its next save
    run(other.save(inc.add_note(other.get(incident.id), "nog iets")))
    assert other.get(incident.id).title == "Titel uit het andere venster"


def test_a_note_edited_in_two_windows_shows_both_texts(app, incident):
    item = run(app.journal.current.save(inc.add_note(stored(app, incident), "Eerste tekst", by="mentor 3B")))
    note = item.notes[0]
    other = _second_window(app)
    run(other.save(inc.edit_note(other.get(incident.id), note.id, "Tekst uit het andere venster")))
    run(incident_screen.update_incident(app, incident.id, lambda i, s: inc.edit_note(item, note.id, "Mijn tekst")))
    app.show(routes.path("incident", incident_id=incident.id))
    view = screen(app)
    assert {"Mijn tekst", "Tekst uit het andere venster"} <= set(texts(view))
    keep_mine = next(b for b in walk(view) if isinstance(b, ft.OutlinedButton) and b.content == _("Keep this one"))
    tap(keep_mine.on_click, keep_mine)
    settled = stored(app, incident)
    assert settled.conflicts == () and settled.note(note.id).text in {"Mijn tekst", "Tekst uit het andere venster"}


def test_an_import_report_names_conflicts_and_records_left_out(app, incident):
    from screens.journal import backup

    report = storage.ImportReport(
        updated=[incident.id],
        conflicts=[storage.Conflict(incident.id, "title", "backup")],
        skipped_invalid=[("x", "incident.updated")],
    )
    backup._show_report(app, report)
    shown = texts(app.page.open_dialogs[-1])
    assert any("both versions are kept" in t or "beide versies zijn bewaard" in t for t in shown)
    assert any("incident.updated" in t for t in shown)
