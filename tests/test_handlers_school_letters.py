"""The school profile, its import and the letters, without a browser: the real App and screens
on a stand-in page (see ``tests/test_handlers.py``).

What is checked is what the user would notice: what the device keeps, what
the journal keeps, what the screen then says, and that a letter with a
pupil's name in it does not leave the app.
"""

from __future__ import annotations

import dataclasses
import io
import re
from types import SimpleNamespace

import docx
import flet as ft
import pytest

import storage
from letters import review
from letters.privacy import check_letter
from school import profile_file
from school.profile import profile_from_dict
from school.store import PROFILE_KEY, ProfileStore
from screens import routes
from screens.app import App
from screens.journal.session import JournalSession
from screens.plan import school_profile
from storage import incidents as inc
from tests.letters_helpers import SCHOOL, with_contact
from tests.letters_helpers import incident as sample_incident
from tests.test_handlers import GOOD, NOW, StandInPage, find, run, tap, texts, walk
from tests.test_school_profile_file import FakePreferences
from words import i18n

_ = i18n._


class FakePicker:
    """The file picker: what was saved, and the file the user picks."""

    def __init__(self) -> None:
        self.saved: list[dict] = []
        self.to_pick: list = []

    async def save_file(self, **kwargs):
        self.saved.append(kwargs)
        return "/tmp/" + kwargs["file_name"]

    async def pick_files(self, **kwargs):
        return self.to_pick


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path))
    monkeypatch.setenv("STAPPENPLAN_NOW", NOW.isoformat())
    monkeypatch.setattr(ft.BaseControl, "update", lambda self: None)
    i18n.set_language("nl")
    app = App(StandInPage())
    app.preferences_store = FakePreferences()
    app.school = ProfileStore(app.preferences_store)
    app.file_picker = FakePicker()
    app.calls, app.copied, app.shared = [], [], []
    monkeypatch.setattr(app, "call", lambda phone: app.calls.append(phone.tel_uri))
    monkeypatch.setattr(app, "open_link", lambda url: app.calls.append(url))
    monkeypatch.setattr(app, "copy", lambda text, confirmation=None: app.copied.append(text))
    monkeypatch.setattr(app, "share_text", lambda text, subject="": app.shared.append(text))
    store = storage.open_store(tmp_path, iterations=1000, insecure_min_iterations=1000)
    app.journal = JournalSession(on_lock=app._journal_locked, store=store)
    run(app.journal.create(GOOD, "mentor 3B"))
    return app


def screen(app):
    return app.page.views[-1]


def dialog(app):
    return app.page.open_dialogs[-1]


def choose(root, label: str) -> None:
    """Tap the radio button ``label`` of a choice."""
    for group in walk(root):
        if isinstance(group, ft.RadioGroup) and any(
                isinstance(r, ft.Radio) and r.label == label for r in walk(group)):
            value = next(r.value for r in walk(group) if isinstance(r, ft.Radio) and r.label == label)
            tap(group.on_change, group, value)
            return
    raise LookupError(label)


def field(root, label: str) -> ft.TextField:
    return next(c for c in walk(root) if isinstance(c, ft.TextField) and c.label == label)


def error(root, label: str) -> str:
    """What the field ``label`` says is wrong ("" if nothing)."""
    shown = field(root, label).error
    return shown.value if shown is not None else ""


def stored_file(app) -> bytes:
    return app.preferences_store.values[PROFILE_KEY].encode("utf-8")


# -- the school profile editor ---------------------------------------------------------------------


def add_contact(app, role: str, **values: str) -> ft.AlertDialog:
    button = find(screen(app), ft.TextButton, _("Add a contact person"))
    tap(button.on_click, button)
    form = dialog(app)
    choose(form, role)
    for label, value in values.items():
        field(form, label).value = value
    save = find(form, ft.FilledButton, _("Save"))
    tap(save.on_click, save)
    return form


def test_a_coordinator_fills_in_the_profile_and_it_is_kept_as_a_checked_file(app):
    app.show(routes.path("school_profile"))
    field(screen(app), _("Name of the school")).value = "  OSG De Linde "
    form = add_contact(app, "Zorgcoördinator / intern begeleider", **{
        _("Name (optional)"): "Marieke Jansen", _("Phone number"): "030 123 45 68",
        _("When reachable"): "ma t/m do"})
    assert not form.open
    profile = profile_file.decode(stored_file(app))  # kept as an intact .stappenplan-school file
    assert profile.school_name == "OSG De Linde"
    [contact] = profile.contacts
    assert (contact.role, contact.name, contact.phone, contact.reachable) == (
        "zorgcoordinator", "Marieke Jansen", "030 123 45 68", "ma t/m do")
    assert profile.updated is not None and abs(profile.updated - NOW).total_seconds() < 60
    shown = texts(screen(app))
    assert "Marieke Jansen · 030 123 45 68 · ma t/m do" in shown
    assert _("School profile saved on this device.") in app.page.toasts
    assert "Controlecode: " + profile_file.fingerprint(profile) in shown


def test_fixed_hours_are_saved_in_the_help_lines_model_and_say_reachable_now(app):
    app.show(routes.path("school_profile"))
    field(screen(app), _("Name of the school")).value = "OSG De Linde"
    button = find(screen(app), ft.TextButton, _("Add a contact person"))
    tap(button.on_click, button)
    form = dialog(app)
    choose(form, "Vertrouwenspersoon")
    field(form, _("Phone number")).value = "030 123 45 67"
    choose(form, _("At set times"))
    field(form, _("from (hh:mm)")).value = "8.30"
    field(form, _("until (hh:mm)")).value = "16:00"
    tap(find(form, ft.FilledButton, _("Save")).on_click, form)
    [contact] = app.school.profile.contacts
    assert contact.hours.kind == "weekly" and contact.hours.school_days_only
    assert [(r.days, r.opens, r.closes) for r in contact.hours.rules] == [
        (("ma", "di", "wo", "do", "vr"), "08:30", "16:00")]
    app.show(routes.path("acute"))  # Tuesday 14:05
    assert "Nu bereikbaar · tot 16:00" in texts(screen(app))


def test_wrong_input_is_named_in_dutch_at_its_field_and_nothing_is_saved(app):
    app.show(routes.path("school_profile"))
    field(screen(app), _("Name of the school")).value = "OSG De Linde"
    form = add_contact(app, "Directie", **{_("Phone number"): "12", _("E-mail address"): "directie@"})
    assert form.open
    assert error(form, _("Phone number")) == "Vul een telefoonnummer in, bijvoorbeeld 030 123 45 67 of 06 12345678."
    assert error(form, _("E-mail address")) == "Vul een e-mailadres in, bijvoorbeeld naam@school.nl."
    phone = field(form, _("Phone number"))
    tap(phone.on_change, phone, "030 123 45 6")  # typing: the old complaint goes
    assert error(form, _("Phone number")) == ""
    assert error(form, _("E-mail address")) != ""
    field(form, _("Phone number")).value = ""
    field(form, _("E-mail address")).value = ""
    tap(find(form, ft.FilledButton, _("Save")).on_click, form)
    assert error(form, _("Phone number")) == "Vul een telefoonnummer of een e-mailadres in."
    choose(form, _("At set times"))
    field(form, _("Phone number")).value = "030 123 45 60"
    field(form, _("until (hh:mm)")).value = "07:00"  # before 08:30
    tap(find(form, ft.FilledButton, _("Save")).on_click, form)
    assert "Het einde moet na het begin liggen" in " ".join(texts(form))
    assert form.open and PROFILE_KEY not in app.preferences_store.values


def test_a_value_too_long_is_told_with_its_limit_like_the_school_name(app):
    app.show(routes.path("school_profile"))
    field(screen(app), _("Name of the school")).value = "OSG De Linde"
    form = add_contact(app, "Directie", **{_("Name (optional)"): "J" * 121, _("Phone number"): "030 123 45 60",
                                           _("When reachable"): "x" * 301})
    assert error(form, _("Name (optional)")) == "Te lang: hoogstens 120 tekens."
    assert error(form, _("When reachable")) == "Te lang: hoogstens 300 tekens."
    assert form.open and PROFILE_KEY not in app.preferences_store.values


def test_a_profile_without_a_school_name_is_not_saved_and_the_form_says_why(app):
    app.show(routes.path("school_profile"))
    form = add_contact(app, "Directie", **{_("Phone number"): "030 123 45 60"})
    assert form.open  # the contact is still there to save once the name is in
    assert "Naam van de school: Vul de naam van de school in." in texts(form)
    assert error(screen(app), _("Name of the school")) == "Vul de naam van de school in."
    assert PROFILE_KEY not in app.preferences_store.values
    field(screen(app), _("Name of the school")).value = "OSG De Linde"
    tap(find(form, ft.FilledButton, _("Save")).on_click, form)
    assert not form.open and app.school.profile.contacts[0].phone == "030 123 45 60"


def test_a_contact_is_changed_and_removed(app):
    run(app.school.save(SCHOOL))
    app.show(routes.path("school_profile"))
    tile = next(c for c in walk(screen(app)) if isinstance(c, ft.ListTile) and "Karel Smit" in texts(c)[1])
    tap(tile.on_click, tile)
    form = dialog(app)
    field(form, _("Phone number")).value = "030 999 99 99"
    tap(find(form, ft.FilledButton, _("Save")).on_click, form)
    karel = next(c for c in app.school.profile.contacts if c.name == "Karel Smit")
    assert karel.phone == "030 999 99 99"
    tile = next(c for c in walk(screen(app)) if isinstance(c, ft.ListTile) and "Karel Smit" in texts(c)[1])
    tap(tile.on_click, tile)
    form = dialog(app)
    tap(find(form, ft.TextButton, _("Remove")).on_click, form)
    assert "Karel Smit" not in [c.name for c in app.school.profile.contacts]
    assert len(app.school.profile.contacts) == len(SCHOOL.contacts) - 1


def test_the_profile_is_shared_as_its_file_with_the_check_code(app):
    run(app.school.save(SCHOOL))
    app.show(routes.path("school_profile"))
    tap(find(screen(app), ft.FilledTonalButton, _("Save as a file")).on_click, None)
    [saved] = app.file_picker.saved
    assert saved["file_name"] == "schoolprofiel-osg-de-linde.stappenplan-school"
    assert profile_file.decode(saved["src_bytes"]) == app.school.profile


# -- importing a colleague's profile ----------------------------------------------------------------


@pytest.fixture
def journal_file(app, tmp_path):
    saved = run(app.journal.current.save(sample_incident()))
    return tmp_path / "journal.enc", saved


def pick(app, name: str, data: bytes) -> None:
    app.file_picker.to_pick = [SimpleNamespace(name=name, bytes=data)]
    app.show(routes.path("school_profile"))
    tap(find(screen(app), ft.OutlinedButton, _("Import a school profile")).on_click, None)


def test_a_colleague_previews_and_imports_the_file_and_the_journal_is_untouched(app, journal_file):
    path, _incident = journal_file
    before = path.read_bytes()
    data = profile_file.encode(SCHOOL)
    pick(app, "schoolprofiel.stappenplan-school", data)
    preview = dialog(app)
    shown = texts(preview)
    assert "OSG De Linde" in shown and "Vertrouwenspersoon: Karel Smit · 030 123 45 67 · k.smit@delinde.nl" in shown
    assert "Controlecode: " + profile_file.fingerprint(SCHOOL) in shown
    assert app.school.profile is None  # nothing before the user confirms
    tap(find(preview, ft.FilledButton, _("Import")).on_click, preview)
    assert app.school.profile == SCHOOL and stored_file(app) == data
    assert "Schoolprofiel van OSG De Linde geïmporteerd." in app.page.toasts
    assert path.read_bytes() == before


@pytest.mark.parametrize("data, says", [
    (b"melk, brood, kaas\n", "Dit is geen schoolprofiel (.stappenplan-school). Er is niets veranderd."),
    (profile_file.encode(SCHOOL)[:-20], "Het schoolprofiel is niet compleet"),
    (profile_file.encode(SCHOOL).replace(b"Karel", b"Kerel"), "Het schoolprofiel is na het maken veranderd"),
    (b"stappenplan-school 9 length=2 sha256=00\n{}", "nieuwere versie van de app"),
])
def test_a_bad_file_gets_a_clear_message_and_changes_nothing(app, journal_file, data, says):
    path, _incident = journal_file
    run(app.school.save(SCHOOL))
    profile_before, journal_before = stored_file(app), path.read_bytes()
    pick(app, "schoolprofiel.stappenplan-school", data)
    shown = texts(dialog(app))
    assert "Niet geïmporteerd" in shown
    assert [t for t in shown if says in t and t.endswith("Er is niets veranderd.")]
    assert stored_file(app) == profile_before and path.read_bytes() == journal_before


def test_a_stored_copy_changed_outside_the_app_is_reported_where_the_contacts_would_be(app):
    app.preferences_store.values[PROFILE_KEY] = profile_file.encode(SCHOOL).decode().replace("Karel", "Kerel")
    run(app.school.load())
    app.show(routes.path("acute"))
    assert any("is niet te lezen" in t for t in texts(screen(app)))
    button = find(screen(app), ft.OutlinedButton, _("To the school profile"))
    tap(button.on_click, button)
    assert app.page.route == routes.path("school_profile")


# -- the school's own people where the step plan needs them ----------------------------------------


def test_own_school_comes_first_in_the_acute_flow_with_one_tap_to_call(app):
    run(app.school.save(SCHOOL))
    app.show(routes.path("acute"))
    shown = texts(screen(app))
    assert shown.index("Eigen school: OSG De Linde") < shown.index("De Kindertelefoon", shown.index("Hulplijnen"))
    call = find(screen(app), ft.FilledButton, "Bel 030 123 45 68")
    tap(call.on_click, call)
    assert app.calls == ["tel:0301234568"]


def test_steps_show_the_schools_people_note_and_sanction_policy(app):
    run(app.school.save(dataclasses.replace(SCHOOL, step_notes={3: "Sanctiebeleid: zie schoolgids §4"})))
    app.show(routes.step(3))
    shown = texts(screen(app))
    assert "Afspraak van OSG De Linde" in shown and "Sanctiebeleid: zie schoolgids §4" in shown
    assert "wijkagent Sander Bakker" in shown  # "overleg met de contactpersoon van de politie van je school"
    policy = find(screen(app), ft.OutlinedButton, "Sanctiebeleid van de school")
    tap(policy.on_click, policy)
    assert app.calls == ["https://delinde.nl/schoolgids#sancties"]
    app.show(routes.step(5))
    assert find(screen(app), ft.OutlinedButton, "Brief aan alle ouders")


def test_the_profiles_police_contact_replaces_the_number_kept_per_device(app):
    app.show(routes.path("helplines"))
    assert _("Fill in your school's police contact") in [c.content for c in walk(screen(app))
                                                        if isinstance(c, ft.OutlinedButton)]
    run(app.school.save(SCHOOL))
    app.show(routes.path("helplines"))
    assert _("Fill in your school's police contact") not in [c.content for c in walk(screen(app))
                                                            if isinstance(c, ft.OutlinedButton)]
    assert texts(screen(app)).count("wijkagent Sander Bakker") == 2  # own school, and on the police card


# -- letters ----------------------------------------------------------------------------------------


@pytest.fixture
def case(app):
    run(app.school.save(SCHOOL))
    return run(app.journal.current.save(sample_incident()))


def letters_screen(app, case):
    app.show(routes.path("incident", incident_id=case.id))
    app.show(routes.path("letters", incident_id=case.id))
    return screen(app)


def test_letters_are_suggested_per_pupil_and_none_where_parents_may_not_be_told(app, case):
    saved = run(app.journal.current.save(with_contact(case, "ouders", "ouders van Bram",
                                                      not_informed_reason="Bram voelt zich bedreigd door vader")))
    shown = texts(letters_screen(app, saved))
    assert "Ouders van slachtoffer 1 (Sanne de Vries, 2B)" in shown
    assert "Ouders van aanstichter 1 (Bram, 2C): bewust nog niet geïnformeerd" in shown
    assert "Vastgelegde reden: Bram voelt zich bedreigd door vader" in shown
    tiles = [texts(t)[0] for t in walk(screen(app)) if isinstance(t, ft.ListTile)]
    assert not [t for t in tiles if "aanstichter" in t]  # nothing to tap for Bram's parents
    assert {"Brief aan alle ouders", "Bericht aan het hele team", "Verklaring voor de media"} <= set(tiles)
    # a link straight to that letter is refused too
    app.show(routes.path("parents_letter", incident_id=case.id, template_id="ouders-aanstichter",
                         pupil_id="p-instigator"))
    assert any("bewust nog niet geïnformeerd" in t for t in texts(screen(app)))
    assert not [c for c in walk(screen(app)) if isinstance(c, ft.TextField)]


def open_letter(app, case, template_id="alle-ouders", pupil_id=None):
    if pupil_id:
        app.show(routes.path("parents_letter", incident_id=case.id, template_id=template_id, pupil_id=pupil_id))
    else:
        app.show(routes.path("letter", incident_id=case.id, template_id=template_id))
    return screen(app)


def body_field(app) -> ft.TextField:
    return field(screen(app), _("Text of the letter"))


def edit_body(app, text: str) -> None:
    body = body_field(app)
    tap(body.on_change, body, text)


def sign(app) -> None:
    """Sign, and make specific what happened where the letter asks for it."""
    body = body_field(app).value.replace("[[invullen: naam en functie van de afzender]]", "Jeroen de Boer, directeur")
    edit_body(app, re.sub(r"\[\[invullen: wat er is gebeurd[^\]]*\]\]", "berichten in de groepsapp van de klas", body))


def tap_button(app, kind, label: str) -> None:
    button = find(screen(app), kind, label)
    tap(button.on_click, button)


def test_the_all_parents_letter_is_refused_while_a_pupils_name_is_in_it(app, case):
    open_letter(app, case)
    sign(app)
    assert "Geen namen uit het incident gevonden, niets meer in te vullen." in texts(screen(app))
    edit_body(app, body_field(app).value + "\n\nWij denken vooral aan Sanne.")
    shown = texts(screen(app))
    assert any(t.startswith("Deze brief bevat een naam die in het incident staat") for t in shown)
    assert "Naam van een leerling (slachtoffer 1) · in de tekst" in shown
    highlight = next(c for c in walk(screen(app)) if isinstance(c, ft.Text) and c.spans
                     and c.spans[1].text == "Sanne")
    assert highlight.spans[1].style.bgcolor == ft.Colors.ERROR
    for kind, label in ((ft.FilledButton, "Kopiëren"), (ft.OutlinedButton, "Delen"),
                        (ft.OutlinedButton, "Exporteren als Word (.docx)"), (ft.OutlinedButton, "Exporteren als pdf")):
        tap_button(app, kind, label)
    assert app.copied == [] and app.shared == [] and app.file_picker.saved == []
    assert app.page.toasts.count(
        "Nog niet: de brief bevat nog een naam of iets om in te vullen (gemarkeerd).") == 4
    tap_button(app, ft.FilledTonalButton, "Verstuurd: vastleggen in het incident")
    assert app.page.open_dialogs == []  # not recorded as sent either

    edit_body(app, body_field(app).value.replace("\n\nWij denken vooral aan Sanne.", ""))
    tap_button(app, ft.FilledButton, "Kopiëren")
    [copied] = app.copied
    assert copied.startswith("Online incident op school") or "OSG De Linde" in copied
    assert not check_letter(copied, case, profile=SCHOOL).hits


def test_initials_and_other_spellings_of_a_name_are_refused_too(app, case):
    open_letter(app, case, "team-algemeen")
    sign(app)
    for variant in ("SdV", "S.d.V.", "SANNE", "Sänne", "Petra de Vries"):
        edit_body(app, "Zie het verslag over " + variant + ".")
        tap_button(app, ft.FilledButton, "Kopiëren")
        assert app.copied == [], variant


def test_unfilled_markers_block_until_filled(app, case):
    open_letter(app, case)
    assert "Vul in of haal weg wat tussen [[…]] staat." in texts(screen(app))
    tap_button(app, ft.FilledButton, "Kopiëren")
    assert app.copied == []
    sign(app)
    tap_button(app, ft.FilledButton, "Kopiëren")
    assert len(app.copied) == 1


def test_a_word_that_is_also_a_name_can_be_confirmed_as_a_word(app, case):
    saved = run(app.journal.current.save(inc.put_pupil(case, inc.Pupil("p-roos", "omstander", "Roos", "2B"))))
    open_letter(app, saved, "team-algemeen")
    sign(app)
    edit_body(app, body_field(app).value + "\n\nDe Roos in de aula is ook versierd.")
    tap_button(app, ft.FilledButton, "Kopiëren")
    assert app.copied == []
    confirm_button = find(screen(app), ft.TextButton, "‘Roos’ is hier geen naam")
    tap(confirm_button.on_click, confirm_button)
    tap_button(app, ft.FilledButton, "Kopiëren")
    assert len(app.copied) == 1


def test_the_parents_letter_may_name_its_own_pupil_but_no_other(app, case):
    open_letter(app, case, "ouders-slachtoffer", "p-victim")
    assert "Aan de ouders van slachtoffer 1 (Sanne de Vries, 2B)" in texts(screen(app))
    assert body_field(app).value.startswith("Beste ouder(s)/verzorger(s) van Sanne de Vries,")
    sign(app)
    tap_button(app, ft.FilledButton, "Kopiëren")
    assert len(app.copied) == 1
    edit_body(app, body_field(app).value + "\n\nBram heeft spijt.")
    tap_button(app, ft.FilledButton, "Kopiëren")
    assert len(app.copied) == 1


def test_the_letter_exports_as_docx_with_the_text_as_edited(app, case):
    open_letter(app, case)
    sign(app)
    tap_button(app, ft.OutlinedButton, "Exporteren als Word (.docx)")
    [saved] = app.file_picker.saved
    assert saved["file_name"] == "brief-alle-ouders-2026-11-24.docx"
    document = docx.Document(io.BytesIO(saved["src_bytes"]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Jeroen de Boer, directeur" in text and "OSG De Linde" in text
    assert "Sanne" not in text and "[[" not in text
    tap_button(app, ft.OutlinedButton, "Exporteren als pdf")
    assert app.file_picker.saved[-1]["src_bytes"].startswith(b"%PDF-")


def test_sent_records_the_letter_in_the_incidents_contacts_and_timeline(app, case):
    open_letter(app, case, "ouders-slachtoffer", "p-victim")
    sign(app)
    tap_button(app, ft.FilledTonalButton, "Verstuurd: vastleggen in het incident")
    form = dialog(app)
    tap(find(form, ft.FilledButton, "Vastleggen als verstuurd").on_click, form)
    stored = app.journal.current.get(case.id)
    [contact] = stored.active_contacts
    assert (contact.kind, contact.with_whom) == ("ouders", "ouders van slachtoffer 1")
    assert contact.summary.startswith("Geïnformeerd per brief, 14:05.")
    assert "Jeroen de Boer, directeur" in contact.summary  # the letter as sent, in the encrypted journal
    [note] = stored.timeline
    assert note.text.startswith("Ouders van slachtoffer 1 geïnformeerd per brief, 14:05:")
    assert note.current.by == "mentor 3B"
    assert app.page.route == routes.path("letters", incident_id=case.id)
    app.show(app.page.route)  # what the route change draws
    shown = texts(screen(app))  # the parents now count as informed
    assert any(t.startswith("Geïnformeerd vandaag om 14:05") for t in shown)


def test_a_letter_written_stand_alone_is_filled_from_the_profile_and_says_it_is_not_checked(app):
    run(app.school.save(SCHOOL))
    app.show(routes.path("letter_template", template_id="alle-ouders"))
    assert "OSG De Linde" in body_field(app).value
    assert "[[invullen: wat er is gebeurd, in algemene woorden]]" in body_field(app).value
    assert not [c for c in walk(screen(app)) if isinstance(c, ft.FilledTonalButton)]  # no incident to record in


def test_review_keys_a_confirmed_word_by_its_place_not_by_its_offset():
    profile = SCHOOL
    case = inc.put_pupil(sample_incident(), inc.Pupil("p-roos", "omstander", "Roos", "2B"))
    body = "Het team versiert morgen de aula en de gang. De Roos bloeit."
    first = review.review_letter("Onderwerp", body, case, profile=profile, pupil_id=None)
    [place] = first.to_confirm
    confirmed = review.release(body, place, "gewoon woord")
    moved = "Beste allen,\n\n" + body
    again = review.review_letter("Onderwerp", moved, case, profile=profile, pupil_id=None, releases=(confirmed,))
    assert again.to_confirm == () and again.ready and again.released == (confirmed,)


def test_file_name_of_a_profile_is_plain_ascii():
    named = profile_from_dict({"school": "Cbs ’t Kompas — Zuidlaren/Ålesund"})
    assert school_profile.file_name(named) == "schoolprofiel-cbs-t-kompas-zuidlaren-alesund.stappenplan-school"
    assert school_profile.file_name(profile_from_dict({"school": "—"})) == "schoolprofiel.stappenplan-school"


def test_the_action_team_form_suggests_the_profiles_people_and_a_tap_fills_it_in(app, case):
    app.show(routes.path("incident", incident_id=case.id))
    tap_button(app, ft.TextButton, "Lid toevoegen")
    form = dialog(app)
    suggestion = find(form, ft.OutlinedButton, "Directie · Jeroen de Boer")
    tap(suggestion.on_click, suggestion)
    save = find(form, ft.FilledButton, _("Save"))
    tap(save.on_click, save)
    members = app.journal.current.get(case.id).active_team
    assert ("Directie", "Jeroen de Boer") in [(m.role, m.name) for m in members]
    assert len(members) == 3


def test_the_contact_form_names_whose_parents_in_the_words_the_letters_read(app, case):
    app.show(routes.path("incident", incident_id=case.id))
    tap_button(app, ft.TextButton, "Contact toevoegen")
    form = dialog(app)
    parents = find(form, ft.OutlinedButton, "Ouders van slachtoffer 1 (Sanne de Vries, 2B)")
    offered = next(c for c in walk(form) if isinstance(c, ft.Row) and parents in c.controls)
    assert not offered.visible  # only once "parents" is chosen
    choose(form, "Ouders/verzorgers")
    assert offered.visible
    tap(parents.on_click, parents)
    assert field(form, "Met wie (rol)").value == "ouders van slachtoffer 1"
    save = find(form, ft.FilledButton, _("Save"))
    tap(save.on_click, save)
    saved = app.journal.current.get(case.id)
    # the letters now count these parents as informed
    app.show(routes.path("letters", incident_id=case.id))
    assert any(t.startswith("Geïnformeerd vandaag om 14:05") for t in texts(screen(app)))
    assert [c.with_whom for c in saved.active_contacts] == ["ouders van slachtoffer 1"]
