"""Every form against the source: each point the step plan asks of that letter is in it (with the
source's own words beside it), and no letter claims what the incident in the journal contradicts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from letters.render import render_letter
from letters.templates import load_letters
from storage import incidents as inc
from tests.letters_helpers import NOW, SCHOOL, incident, with_contact

ROOT = Path(__file__).resolve().parent.parent
SOURCE = " ".join((ROOT / "content" / "source" / "stappenplan-online-incidenten.txt").read_text(
    encoding="utf-8").split())
NL, EN = load_letters("nl"), load_letters("en")
PUPIL = {"ouders-slachtoffer": "p-victim", "ouders-aanstichter": "p-instigator", "ouders-omstander": "p-bystander",
         "leerling-18plus": "p-victim"}

# form -> (what the source asks, the source's words, what the letter says)
POINTS = {
    "ouders-slachtoffer": [
        ("inform the parents", "informatieplicht", "Met deze brief informeren wij u"),
        ("together with the pupil", "Samen met de leerling", "Wij hebben uw kind verteld dat wij u deze brief sturen"),
        ("shared responsibility", "de school zorg draagt voor de veiligheid op school en de ouders voor de online "
         "veiligheid", "De school zorgt voor de veiligheid op school"),
        ("no escalation on social media", "via sociale media of andere kanalen hun ongenoegen uiten",
         "het incident niet zelf op sociale media te bespreken"),
        ("the victim keeps evidence", "Zorg dat het slachtoffer bewijsmateriaal", "bewijs, zoals schermafbeeldingen"),
        ("the school keeps no images", "niet de bedoeling om zelf beelden van leerlingen op te slaan",
         "De school slaat zelf geen beelden van leerlingen op"),
        ("help with removing images", "hulp bieden bij verwijderen van belastend (beeld)materiaal",
         "adviseren over het laten verwijderen van zulke beelden"),
        ("images: nude, fights, humiliation videos", "naaktbeelden, beelden van vechtpartijen of vernedervideo's",
         "naaktbeelden, beelden van een vechtpartij of een vernedervideo"),
        ("the police, and reporting it", "over de mogelijkheid om zelf aangifte te doen", "aangifte doen"),
        ("help for the pupil", "Wijs leerlingen op het bestaan van instanties", "De Kindertelefoon"),
    ],
    "ouders-aanstichter": [
        ("inform the parents", "informatieplicht", "Met deze brief informeren wij u"),
        ("the behaviour is unacceptable", "het vertoonde online gedrag onacceptabel is", "niet acceptabel"),
        ("consequences for victim, self, group", "gevolgen voor het slachtoffer, henzelf en de groep",
         "de gevolgen voor de ander, voor uw kind zelf en voor de groep"),
        ("the school's sanction policy", "het schooleigen sanctiebeleid te volgen", "haar eigen sanctiebeleid"),
        ("help for the pupil: roles blur", "zowel als slachtoffer én als aanstichter betrokken zijn",
         "een leerling kan zowel slachtoffer als aanstichter zijn"),
        ("care for the pupils involved", "Regel – indien nodig – zorg voor de betrokken leerlingen",
         "welke zorg uw kind nodig heeft"),
        ("help outside school", "Wijs leerlingen op het bestaan van instanties", "buiten school bij De Kindertelefoon"),
        ("images removed, punishable", "Overleg met de contactpersoon van de politie", "kan strafbaar zijn"),
        ("tips for the conversation", "is de expertorganisatie op het gebied van online grensoverschrijdend gedrag",
         "Tips om met uw kind te praten"),
    ],
    "ouders-omstander": [
        ("bystanders' part", "door een bericht te delen, te liken of aan te moedigen", "te liken of aan te moedigen"),
        ("the spreading stops with you", "het verspreiden stopt bij jou", "het verspreiden stopt bij jou"),
        ("help for the pupil", "hulp bij het verwerken van emoties", "hulp bij het verwerken daarvan"),
        ("help outside school", "Wijs leerlingen op het bestaan van instanties", "buiten school bij De Kindertelefoon"),
        ("images not forwarded", "schadelijk materiaal verspreiden, delen of reposten een negatieve situatie "
         "verergert", "wie beelden verspreidt, maakt de schade groter"),
        ("help with removing images", "Naast de politie kunnen organisaties als",
         "Naast de politie adviseert Offlimits (offlimits.nl) over het verwijderen van beelden"),
    ],
    "leerling-18plus": [
        ("the duty to inform the pupil of 18+", "geldt de informatieplicht van de school jegens de leerling zelf",
         "Je bent 18 jaar of ouder. Daarom informeren wij jou zelf, en niet je ouders"),
        ("together with the pupil", "welke stappen je gezamenlijk kunt zetten",
         "De volgende stappen zetten wij graag samen met jou"),
        ("the victim keeps evidence", "Zorg dat het slachtoffer bewijsmateriaal", "Bewaar bewijs"),
        ("help with removing images", "hulp bieden bij verwijderen van belastend (beeld)materiaal",
         "adviseren over het laten verwijderen van zulke beelden"),
        ("help for young adults", "In je bol:** voor jongeren tussen 16 en 27 jaar", "In je bol"),
    ],
    "alle-ouders": [
        ("no names, no details", "zonder de namen van betrokkenen te noemen of specifieke details",
         "noemen wij geen namen en geen details"),
        ("the school disapproves", "dat de school het gedrag afkeurt", "Wij keuren dit gedrag af"),
        ("which actions", "welke acties de school nu zal nemen", "Wat doet de school?"),
        ("what is asked of parents", "wat je hierin van ouders vraagt", "Wat vragen wij van u?"),
        ("where to turn", "bij wie leerlingen en ouders terecht kunnen", "kunnen met vragen of zorgen terecht bij"),
        ("consequences", "Informeer ouders over de mogelijke gevolgen", "Online grensoverschrijdend gedrag heeft gevolgen"),
        ("pointers: Offlimits, NJI", "biedt veel informatie over mediaopvoeding", "mediaopvoeding"),
    ],
    "team-algemeen": [
        ("the same information for everyone", "iedereen dezelfde informatie krijgt", "krijgt dezelfde informatie"),
        ("questions to the action team", "vragen of zorgen rechtstreeks bij het actieteam neerleggen",
         "rechtstreeks neer bij het actieteam"),
        ("how to respond to pupils", "hoe medewerkers kunnen reageren op vragen of reacties van leerlingen",
         "Reageer op vragen van leerlingen"),
        ("who speaks to the media", "wie de media te woord staat", "staat de media te woord"),
    ],
    "mediaverklaring": [
        ("who speaks to the media", "wie de media te woord staat", "Woordvoerder namens de school"),
        ("no names, no details", "zonder de namen van betrokkenen te noemen of specifieke details",
         "geen mededelingen over personen of over details"),
    ],
    "melder": [
        ("thank the melder", "Bedank de melder", "Bedankt dat je"),
        ("it can be a big step", "Het kan best een grote stap zijn om het incident te melden",
         "het een grote stap kan zijn om zoiets te melden"),
        ("taken seriously, acted on", "geef aan dat je de melding serieus neemt en dat je ermee aan de slag gaat",
         "Wij nemen je melding serieus en gaan er direct mee aan de slag"),
        ("what happens next", "Vang de betrokken leerlingen op", "Wat gebeurt er nu?"),
        ("keep the melder informed", "houd de melder ook op de hoogte van de stappen die volgen",
         "Wij houden je op de hoogte van de stappen die volgen"),
        ("whom to reach", "een vertrouwd persoon is binnen de school", "Neem dan contact op met mij of met Karel Smit"),
    ],
    "melder-ouder": [
        ("thank the melder", "Bedank de melder", "Bedankt dat u"),
        ("taken seriously, acted on", "geef aan dat je de melding serieus neemt", "Wij nemen uw melding serieus"),
        ("keep the melder informed", "houd de melder ook op de hoogte", "Wij houden u op de hoogte"),
        ("whom to reach", "een vertrouwd persoon is binnen de school", "Neem dan contact op met mij of met Karel Smit"),
    ],
}

FULL = with_contact(with_contact(incident("naaktfoto"), "politie", "wijkagent"), "anders", "x")  # everything holds


def render(template_id: str, case, letters=NL):
    return render_letter(letters, template_id, profile=SCHOOL, incident=case, now=NOW,
                         pupil_id=PUPIL.get(template_id))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_form_the_issue_names_is_there():
    kinds = {t.id: (t.kind, t.role) for t in NL.templates}
    assert set(POINTS) <= set(kinds) and {"team-betrokken-klassen"} == set(kinds) - set(POINTS)
    assert {kinds[f] for f in POINTS} >= {("parents", "slachtoffer"), ("parents", "aanstichter"),
                                          ("parents", "omstander"), ("all_parents", ""), ("team", ""),
                                          ("media", ""), ("melder", ""), ("pupil", "")}


@pytest.mark.parametrize("template_id, point, source, said",
                         [(t, *p) for t, points in POINTS.items() for p in points],
                         ids=[f"{t}: {p[0]}" for t, points in POINTS.items() for p in points])
def test_each_point_the_source_asks_for_is_in_the_letter(template_id, point, source, said):
    assert _flat(source) in SOURCE, f"not the source's words: {source!r}"
    case = FULL
    if template_id == "leerling-18plus":  # one template, its paragraphs by the pupil's role
        case = inc.put_pupil(FULL, inc.Pupil("p-victim", "slachtoffer", "Sanne de Vries", "2B", adult=True))
    case = case if template_id != "ouders-omstander" else with_contact(incident("vernedering"), "anders", "x")
    assert said in _flat(render(template_id, case).text), point


@pytest.mark.parametrize("role, own, others", [
    ("slachtoffer", "Dit heeft jou geraakt", ["een rol hebt gespeeld", "Omstanders spelen"]),
    ("aanstichter", "een rol hebt gespeeld", ["Dit heeft jou geraakt", "Bewaar bewijs", "Omstanders spelen"]),
    ("omstander", "Omstanders spelen", ["Dit heeft jou geraakt", "een rol hebt gespeeld", "Bewaar bewijs"]),
])
def test_the_letter_to_a_pupil_of_18_or_older_speaks_to_that_pupil_in_its_role(role, own, others):
    case = inc.put_pupil(FULL, inc.Pupil("p-adult", role, "Noor Bakker", "4H", adult=True))
    text = _flat(render_letter(NL, "leerling-18plus", profile=SCHOOL, incident=case, now=NOW,
                               pupil_id="p-adult").text)
    assert text.startswith("Online incident: informatie voor jou Beste Noor Bakker,") and own in text
    assert not [o for o in others if o in text]
    assert "ouder(s)/verzorger(s)" not in text and "Kindertelefoon" not in text  # 8 to 18: not for an adult


# -- no letter claims what the incident contradicts ------------------------------------------------------

PARENTS_INFORMED = ["hun ouders worden geïnformeerd", "en hun ouders zijn of worden geïnformeerd",
                    "their parents are being informed", "and their parents have been or will be informed"]
POLICE = ["politie ingeschakeld", "werkt samen met de politie", "police have been involved",
          "we have involved the police", "working with the police"]
IMAGE_HELP = ["Helpwanted", "verwijderen van beelden", "verwijderen van zulke beelden", "removing images",
              "having such images removed"]


def _all_letters(case, letters):
    for template in letters.templates:
        pupil = PUPIL.get(template.id)
        if pupil == "p-victim" and template.kind == "pupil":
            case_ = inc.put_pupil(case, inc.Pupil("p-victim", "slachtoffer", "Sanne de Vries", "2B", adult=True))
        else:
            case_ = case
        yield template.id, _flat(render_letter(letters, template.id, profile=SCHOOL, incident=case_, now=NOW,
                                               pupil_id=pupil).text)


@pytest.mark.parametrize("letters", [NL, EN], ids=["nl", "en"])
def test_no_letter_says_all_parents_are_informed_when_a_decision_not_to_inform_is_recorded(letters):
    withheld = with_contact(incident(), "ouders", "vader van Bram", not_informed_reason="Bram is bang voor zijn vader")
    unclear = with_contact(incident(), "ouders", "de moeder", not_informed_reason="dreiging thuis")
    for case in (withheld, unclear):
        for template_id, text in _all_letters(case, letters):
            assert not [c for c in PARENTS_INFORMED if c in text], template_id
    said = {template_id for template_id, text in _all_letters(incident(), letters)
            if any(c in text for c in PARENTS_INFORMED)}
    assert said == {"alle-ouders", "mediaverklaring"}  # ... where nothing contradicts it


@pytest.mark.parametrize("letters", [NL, EN], ids=["nl", "en"])
def test_no_letter_claims_the_police_without_a_recorded_police_contact(letters):
    for template_id, text in _all_letters(incident(), letters):
        assert not [c for c in POLICE if c in text], template_id
    with_police = {t for t, text in _all_letters(with_contact(incident(), "politie", "wijkagent"), letters)
                   if any(c in text for c in POLICE)}
    assert with_police >= {"ouders-slachtoffer", "ouders-aanstichter", "alle-ouders", "mediaverklaring",
                           "leerling-18plus"}


@pytest.mark.parametrize("letters", [NL, EN], ids=["nl", "en"])
def test_the_image_help_follows_the_incident_type_and_what_was_recorded(letters):
    for template_id, text in _all_letters(incident("bedreiging"), letters):
        assert not [c for c in IMAGE_HELP if c in text], template_id
    for kind in ("naaktfoto", "vernedering", "challenge"):
        helped = {t for t, text in _all_letters(incident(kind), letters) if any(c in text for c in IMAGE_HELP)}
        assert helped == {"ouders-slachtoffer", "ouders-aanstichter", "ouders-omstander", "leerling-18plus"}, kind
    # a threat that came with a video: the journal says so in a note
    filmed = inc.add_note(incident("bedreiging"), "Er gaat een filmpje rond van de vechtpartij op het plein.",
                          by="mentor", at=NOW)
    helped = {t for t, text in _all_letters(filmed, letters) if "Helpwanted" in text}
    assert helped == {"ouders-slachtoffer", "leerling-18plus"}
    screenshots = inc.add_note(incident("bedreiging"), "Sanne bewaart de screenshots van de berichten.", by="m",
                               at=NOW)
    assert not [t for t, text in _all_letters(screenshots, letters) if "Helpwanted" in text]


def test_the_incident_phrase_is_marked_to_be_made_specific_where_the_letter_is_about_one_pupil():
    for template_id, text in _all_letters(incident(), NL):
        marked = "[[invullen: wat er is gebeurd, concreet voor deze lezer" in text
        assert marked == (template_id in PUPIL), template_id


def test_the_team_hears_dezelfde_informatie():
    text = _flat(render("team-algemeen", incident()).text)
    assert "dezelfde informatie" in text and "deze zelfde" not in text
    assert not re.search(r"\bthis same information\b", _flat(render("team-algemeen", incident(), EN).text))
