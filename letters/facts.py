"""What a letter may say about an incident, read from the journal (pure).

A letter claims only what the journal supports, and leaves out what it
contradicts: the police paragraph needs a recorded contact with the police;
"their parents are informed" is not said once a decision not to inform
parents (yet) is recorded (step 4, LET OP); the help with images needs
images or videos to be part of the incident.

Images (step 4: "hulp bij verwijderen van belastend (beeld)materiaal zoals
naaktbeelden, beelden van vechtpartijen of vernedervideo's"): by the
incident's type, for the types that are about images or videos (a nude
photo shared, a humiliation, a challenge filmed and spread), and for any
other type by what was recorded: the title, the "other" description or a
note of the timeline names photos, videos, films, images or footage (in
Dutch or English).  The journal never holds the images themselves.
"""

from __future__ import annotations

import re

from content.letter_model import Letters
from letters.privacy import folded
from letters.suggest import suggest_letters
from storage.incidents import Incident
from storage.vocabulary import IncidentType

#: Incident types whose incidents are, as the step plan describes them, about images or videos.
IMAGE_TYPES = frozenset({IncidentType.NUDE_PHOTO, IncidentType.HUMILIATION, IncidentType.CHALLENGE})

# Words in what was recorded that say images or videos are part of the incident.
# "screenshot" is not among them: a screenshot of messages is the evidence the victim keeps.
_IMAGE_WORDS = re.compile(
    r"(?<![^\W\d_])(?:"
    r"(?:naakt|vecht|vernedering|filmp)?foto\w*|\w*video\w*|filmpje\w*|film|films|gefilmd|filmen|"
    r"\w*beeld(?:en|materiaal)|beeldmateriaal|nudes?|naaktbeeld\w*|sexting|opnames?|clips?|livestream\w*|"
    r"selfies?|photos?|pictures?|images?|footage|recordings?|filmed|filming"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)


def images_involved(incident: Incident) -> bool:
    """Whether images or videos are part of the incident, by its type or by what was recorded."""
    if incident.type in IMAGE_TYPES:
        return True
    recorded = [incident.title, incident.type_other, *(note.text for note in incident.timeline)]
    return any(_IMAGE_WORDS.search(folded(text)) for text in recorded)


def parents_withheld(incident: Incident, letters: Letters) -> bool:
    """Whether the journal records, for a pupil involved, that the parents are deliberately
    not informed (yet), or such a decision whose pupil is unclear."""
    return any(p.state in ("withheld", "unclear") for p in suggest_letters(incident, letters).parents)


__all__ = ["IMAGE_TYPES", "images_involved", "parents_withheld"]
