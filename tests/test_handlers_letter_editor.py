"""The letter editor as a user meets it, without a browser (the real App and screens on a stand-in
page, see ``tests/test_handlers.py``): no way out for a letter with a name in it, a place released
with a reason and recorded with the letter, "Wijzigingen bewaren?" before leaving, drafts that
survive the lock, the letters for a pupil of 18+ and the melder, and the acute flow's order."""

from __future__ import annotations

import re
from types import SimpleNamespace

import flet as ft
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screens import routes
from storage import incidents as inc
from tests.letters_helpers import SCHOOL
from tests.letters_helpers import incident as sample_incident
from tests.test_handlers import GOOD, find, run, tap, texts, walk
from tests.test_handlers_school_letters import (  # noqa: F401
    app,
    body_field,
    case,
    dialog,
    edit_body,
    field,
    open_letter,
    screen,
    sign,
    tap_button,
)

OUTPUTS = ((ft.FilledButton, "Kopiëren"), (ft.OutlinedButton, "Delen"), (ft.OutlinedButton, "Exporteren als Word (.docx)"),
           (ft.OutlinedButton, "Exporteren als pdf"), (ft.OutlinedButton, "Exporteren als tekst (.txt)"))


def nothing_left_the_app(app) -> bool:
    return app.copied == [] and app.shared == [] and app.file_picker.saved == [] and not app.page.open_dialogs


def every_way_out(app) -> None:
    for kind, label in OUTPUTS:
        tap_button(app, kind, label)
    tap_button(app, ft.FilledTonalButton, "Verstuurd: vastleggen in het incident")


# -- never exported with an unreleased name -------------------------------------------------------------------

VARIANTS = ["Sanne", "SANNE", "sanne", "Sänne", "Sannetje", "Sanneke", "Sannes", "Sanne's", "SdV", "S.d.V.",
            "Sanne de Vries", "Vriesje", "Bram", "Brammetje", "Brampje", "Bram's", "Petra", "Petraatje"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["alle-ouders", "team-algemeen", "mediaverklaring", "melder"]), st.sampled_from(VARIANTS),
       st.sampled_from(["subject", "start", "middle", "signature"]))
def test_a_letter_with_an_unreleased_name_never_leaves_the_app(app, case, template_id, name, where):
    if template_id == "melder" and not name.startswith(("Bram", "SdV", "S.d.V.", "Sanne de Vries")):
        name = "Bram"  # the melder (Sanne's mother, Petra) may be named to herself, and knows Sanne's name
    app.copied.clear(), app.shared.clear(), app.file_picker.saved.clear(), app.page.dialogs.clear()
    app.journal.drafts.clear()
    open_letter(app, case, template_id)
    sign(app)
    body = body_field(app).value
    if where == "subject":
        subject = field(screen(app), "Onderwerp")
        tap(subject.on_change, subject, subject.value + f" ({name})")
    else:
        if where == "signature":
            edit_body(app, f"{body}\n{name}")
        else:
            at = body.rfind("\n", 0, len(body) // 2) + 1 if where == "middle" else 0
            edit_body(app, f"{body[:at]}{name} {body[at:]}")
    every_way_out(app)
    assert nothing_left_the_app(app), (template_id, name, where)


def test_the_same_letter_leaves_once_the_name_is_gone(app, case):
    open_letter(app, case, "melder")
    sign(app)
    edit_body(app, body_field(app).value.replace("[[invullen: naam van de melder]]", "Petra"))
    every_way_out(app)  # the melder may be named in the message to the melder
    assert len(app.copied) == 1 and len(app.shared) == 1 and len(app.file_picker.saved) == 3
    assert "Petra" in app.copied[0]


# -- releasing a place, recorded with the letter ----------------------------------------------------------------

def test_a_place_released_with_a_reason_lets_the_letter_go_and_the_journal_keeps_the_reason(app):
    run(app.school.save(SCHOOL))
    dj = inc.put_pupil(sample_incident(), inc.Pupil("p-dj", "omstander", "Daan Jansen", "3A"))
    saved = run(app.journal.current.save(dj))
    open_letter(app, saved, "team-algemeen")
    sign(app)
    edit_body(app, body_field(app).value + "\n\nOp het schoolfeest draait de DJ gewoon.")
    tap_button(app, ft.FilledButton, "Kopiëren")
    assert app.copied == []
    release_button = find(screen(app), ft.TextButton, "Geen naam van een leerling: vrijgeven met een reden")
    tap(release_button.on_click, release_button)
    form = dialog(app)
    reason = field(form, "Reden")
    assert reason.value == "Dit is geen naam van een leerling: "
    tap(find(form, ft.FilledButton, "Vrijgeven").on_click, form)
    assert form.open and "Zeg waarom dit geen naam van een leerling is." in texts(form)  # a reason is needed
    reason.value += "de dj van het schoolfeest"
    tap(find(form, ft.FilledButton, "Vrijgeven").on_click, form)
    assert not form.open
    assert any(t.startswith("Vrijgegeven: ‘DJ’ — Dit is geen naam van een leerling: de dj") for t in texts(screen(app)))
    tap_button(app, ft.FilledButton, "Kopiëren")
    assert len(app.copied) == 1 and "de DJ gewoon" in app.copied[0]
    tap_button(app, ft.FilledTonalButton, "Verstuurd: vastleggen in het incident")
    sent = dialog(app)
    assert "De plekken die je hebt vrijgegeven, worden erbij vastgelegd, elk met je reden." in texts(sent)
    tap(find(sent, ft.FilledButton, "Vastleggen als verstuurd").on_click, sent)
    [contact] = app.journal.current.get(saved.id).active_contacts
    assert "Bij het versturen door de afzender vrijgegeven (geen naam van een leerling):" in contact.summary
    assert "- „DJ” in „… Op het schoolfeest draait de DJ gewoon.”: Dit is geen naam van een leerling: de dj van " \
           "het schoolfeest" in contact.summary


def test_a_release_is_for_that_one_place_and_can_be_undone(app):
    run(app.school.save(SCHOOL))
    dj = run(app.journal.current.save(inc.put_pupil(sample_incident(), inc.Pupil("p-dj", "omstander", "Daan Jansen"))))
    open_letter(app, dj, "team-algemeen")
    sign(app)
    edit_body(app, body_field(app).value + "\n\nDe DJ draait.")
    button = find(screen(app), ft.TextButton, "Geen naam van een leerling: vrijgeven met een reden")
    tap(button.on_click, button)
    form = dialog(app)
    field(form, "Reden").value += "de dj"
    tap(find(form, ft.FilledButton, "Vrijgeven").on_click, form)
    edit_body(app, "De DJ ook.\n\n" + body_field(app).value)
    tap_button(app, ft.FilledButton, "Kopiëren")
    assert app.copied == []  # the second DJ is another place
    undo = find(screen(app), ft.TextButton, "Ongedaan maken")
    tap(undo.on_click, undo)
    assert len([t for t in texts(screen(app)) if t.startswith("Naam van een leerling")]) == 2


def test_the_zorgcoordinator_m_jansen_passes_in_the_letter_to_all_parents(app):
    profile = SCHOOL.__class__(SCHOOL.school_name, tuple(
        c.__class__(c.role, c.phone, "m.jansen@delinde.nl", "M. Jansen") if c.role == "zorgcoordinator" else c
        for c in SCHOOL.contacts), {}, SCHOOL.sanction_policy_url)
    run(app.school.save(profile))
    daan = run(app.journal.current.save(inc.put_pupil(sample_incident(), inc.Pupil("p-d", "omstander", "Daan Jansen"))))
    open_letter(app, daan, "alle-ouders")
    assert "e-mail m.jansen@delinde.nl" in body_field(app).value
    edit_body(app, body_field(app).value.replace("[[invullen: naam en functie van de afzender]]",
                                                 "M. Jansen, zorgcoördinator"))
    assert "Geen namen uit het incident gevonden, niets meer in te vullen." in texts(screen(app))
    edit_body(app, body_field(app).value + "\n\nDaantje was er ook.")
    assert "Naam van een leerling (omstander 2) · in de tekst" in texts(screen(app))


# -- "Wijzigingen bewaren?" and drafts ---------------------------------------------------------------------------

def _leave_question(app):
    [question] = app.page.open_dialogs
    assert question.title.value == "Wijzigingen bewaren?"
    return question


def _answer(question, label: str) -> None:
    kind = ft.FilledButton if label == "Bewaren" else ft.TextButton
    button = find(question, kind, label)
    tap(button.on_click, button)


@pytest.mark.parametrize("how", ["back-arrow", "link", "address-bar"])
def test_leaving_with_edits_asks_first_and_each_answer_does_what_it_says(app, case, how):
    route = routes.path("letter", incident_id=case.id, template_id="alle-ouders")
    open_letter(app, case)
    app.page.route = route
    original = body_field(app).value
    edit_body(app, original + "\n\nEen zin van mij.")
    target = routes.path("letters", incident_id=case.id)

    def leave():
        if how == "back-arrow":  # Flutter asks the view before it pops it, then tells the app
            view = screen(app)

            async def confirm_pop(should_pop: bool) -> None:
                if should_pop:
                    await app._on_view_pop(SimpleNamespace(view=view))

            view.confirm_pop = confirm_pop
            run(view.on_confirm_pop(SimpleNamespace(control=view, data=None)))
        elif how == "link":
            app.go(target)
        else:  # the browser's back button: the address has already changed
            app._on_route_change(SimpleNamespace(route=target))

    app.page.push_route = _recording(app)
    leave()
    _answer(_leave_question(app), "Verder schrijven")
    assert screen(app).route == route and body_field(app).value.endswith("Een zin van mij.")
    leave()
    _answer(_leave_question(app), "Weggooien")
    app.show(route)  # back to the letter: the edit is gone
    assert body_field(app).value == original
    edit_body(app, original + "\n\nBewaard.")
    leave()
    _answer(_leave_question(app), "Bewaren")
    app.show(target)
    app.show(route)  # the kept draft comes back, and leaving again asks nothing
    assert body_field(app).value.endswith("Bewaard.") and "Een concept, bewaard in deze sessie." in texts(screen(app))
    app.go(target)
    assert app.page.open_dialogs == []


def _recording(app):
    async def push_route(route: str) -> None:
        app.page.route = route
    return push_route


def test_leaving_without_edits_asks_nothing(app, case):
    open_letter(app, case)
    app.go(routes.path("letters", incident_id=case.id))
    assert app.page.open_dialogs == [] and app.page.route == routes.path("letters", incident_id=case.id)


def test_a_draft_survives_the_journal_locking_and_unlocking(app, case):
    route = routes.path("letter", incident_id=case.id, template_id="alle-ouders")
    open_letter(app, case)
    app.page.route = route
    edit_body(app, body_field(app).value + "\n\nHalverwege een zin")
    app.journal.lock()  # idle, or the app sent to the background
    assert not [c for c in walk(screen(app)) if isinstance(c, ft.TextField) and c.label == "Tekst van de brief"]
    assert not any("Halverwege" in t for t in texts(screen(app)))  # nothing of it while locked
    run(app.journal.unlock(GOOD))
    app.journal_opened()
    assert body_field(app).value.endswith("Halverwege een zin")
    app.go(routes.path("journal"))
    assert _leave_question(app)  # still not kept: leaving asks


# -- the letters for a pupil of 18 or older and for the melder --------------------------------------------------

def test_a_pupil_of_18_or_older_gets_the_letter_and_the_parents_letter_is_refused(app, case):
    adult = run(app.journal.current.save(inc.put_pupil(
        case, inc.Pupil("p-victim", "slachtoffer", "Sanne de Vries", "2B", adult=True))))
    app.show(routes.path("incident", incident_id=adult.id))
    assert "Slachtoffer · 18 jaar of ouder" in texts(screen(app))
    app.show(routes.path("letters", incident_id=adult.id))
    assert "Aan slachtoffer 1 (Sanne de Vries, 2B) zelf: 18 jaar of ouder" in texts(screen(app))
    open_letter(app, adult, "leerling-18plus", "p-victim")
    assert "Aan slachtoffer 1 (Sanne de Vries, 2B) (18 jaar of ouder)" in texts(screen(app))
    assert body_field(app).value.startswith("Beste Sanne de Vries,\n\nJe bent 18 jaar of ouder.")
    open_letter(app, adult, "ouders-slachtoffer", "p-victim")
    assert any("is 18 jaar of ouder: de school informeert de leerling zelf" in t for t in texts(screen(app)))
    assert not [c for c in walk(screen(app)) if isinstance(c, ft.TextField)]


def test_the_pupil_form_records_18_or_older(app, case):
    app.show(routes.path("incident", incident_id=case.id))
    tap_button(app, ft.TextButton, "Leerling toevoegen")
    form = dialog(app)
    field(form, "Initialen of schuilnaam").value = "N.B."
    adult = next(c for c in walk(form) if isinstance(c, ft.Checkbox))
    assert adult.label == "18 jaar of ouder"
    assert "De school informeert dan de leerling zelf, niet de ouders (stap 4)." in texts(form)
    adult.value = True
    tap(find(form, ft.FilledButton, "Bewaren").on_click, form)
    stored = [p for p in app.journal.current.get(case.id).active_pupils if p.alias == "N.B."]
    assert [p.adult for p in stored] == [True]


def test_the_message_to_the_melder_is_offered_and_recorded(app, case):
    app.show(routes.path("letters", incident_id=case.id))
    tiles = [texts(t)[0] for t in walk(screen(app)) if isinstance(t, ft.ListTile)]
    assert {"Bericht aan de melder (leerling of collega)", "Bericht aan de melder (ouder)"} <= set(tiles)
    open_letter(app, case, "melder-ouder")
    sign(app)
    edit_body(app, body_field(app).value.replace("[[invullen: naam van de melder]]", "mevrouw De Vries"))
    tap_button(app, ft.FilledTonalButton, "Verstuurd: vastleggen in het incident")
    sent = dialog(app)
    tap(find(sent, ft.FilledButton, "Vastleggen als verstuurd").on_click, sent)
    [contact] = app.journal.current.get(case.id).active_contacts
    assert (contact.kind, contact.with_whom) == ("anders", "de melder")
    assert "Wij nemen uw melding serieus" in contact.summary


# -- the acute flow's order ---------------------------------------------------------------------------------------

def test_the_acute_flow_puts_the_first_school_contacts_then_the_national_lines_then_the_rest(app):
    run(app.school.save(SCHOOL))
    app.show(routes.path("acute"))
    shown = texts(screen(app))
    lines = shown.index("Hulplijnen")
    assert shown.index("Vang de eventuele melder op") < lines
    order = [shown.index(t, lines) for t in ("Eigen school: OSG De Linde",
                                      "Zorgcoördinator / intern begeleider", "Directie",
                                      "Adviespunt School & Veiligheid", "Offlimits",
                                      "Meer van de eigen school: OSG De Linde", "Vertrouwenspersoon")]
    assert order == sorted(order)
    column = next(c for c in walk(screen(app)) if isinstance(c, ft.Column) and texts(c)[:1] == ["Hulplijnen"])
    calls = [c.content for c in walk(column) if isinstance(c, ft.FilledButton)
             and isinstance(c.content, str) and re.match(r"Bel \d", c.content)]
    assert calls.index("Bel 030 123 45 60") < calls.index("Bel 030 285 66 16") < calls.index("Bel 030 123 45 67")
