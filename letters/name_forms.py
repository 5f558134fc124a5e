"""The forms in which Dutch writes a name besides the name itself: its diminutives (pure).

Children are named in writing as "Daantje", "Sannetje" or "Janneke" as often
as by their names, so the privacy guard (``letters.privacy``) looks for these
forms too.  :func:`diminutives` gives them for one word of a name, written
without diacritics and in lower case (the guard folds the letter the same way
and matches without regard to case).  Possessives need no forms of their own:
"Daans", "Daan's", "Max'" and "Daantjes" are a name or a form followed by an
"s" or an apostrophe, which the guard allows after every form.

The rules (Dutch spelling of the diminutive, after the ANS), where a vowel is
*short* when it is one letter followed by one consonant ("Bram", "Tim") and
*long* when it is doubled or a diphthong ("Daan", "Stijn", "Fleur"):

* after a long vowel or a cluster + l, n, r, w: ``-tje`` (Daantje, Noortje,
  Stijntje, Bjorntje); after one + m: ``-pje`` (Bloempje, Stormpje);
* after a short vowel + l, m, n, r: the consonant doubled + ``-etje``
  (Brammetje, Jannetje, Timmetje); in an unstressed syllable ``-tje`` /
  ``-pje`` instead (Rubentje, Kareltje, Willempje), and spoken forms say
  "Timpje", "Kimpje" and "Jantje" too: the stress cannot be read from the
  spelling, so both are given;
* after -ng: ``-etje`` after a stressed syllable (Lingetje), ``-kje`` after an
  unstressed one (Koninkje);
* after any other consonant: ``-je`` (Pietje, Basje, Maxje); after a short
  vowel + b or g also the doubled ``-etje`` (Bobbetje);
* after a vowel: a, o, u doubled + ``-tje`` (Annaatje, Timootje), also written
  "Annatje"; e, i, y and long vowels + ``-tje`` (Sannetje, Levietje, Rubytje,
  Mietje); a final é (René) is also written "Reneetje";
* the southern and spoken forms: ``-ke`` (Sanneke, Mieke; Janneke with the
  doubled consonant) and ``-ie`` (Sannie, Jannie, Timmie, Bassie, Rikkie).

Over-generation is harmless here: a form that Dutch does not use ("Daanke")
only makes the guard look for one more spelling of the same name.
"""

from __future__ import annotations

from functools import lru_cache

VOWELS = frozenset("aeiouy")
SHORT_VOWELS = frozenset("aeiou")
# Long vowels and diphthongs as written at the end of a syllable.
LONG_ENDINGS = ("aa", "ee", "oo", "uu", "ie", "oe", "eu", "ei", "ij", "ui", "ou", "au", "ey", "ay", "oy")
LIQUIDS = frozenset("lnrw")  # + -tje after a long vowel
DOUBLING = frozenset("lmnr")  # a short vowel + one of these: doubled + -etje


def _split(word: str) -> tuple[str, str, str]:
    """(start, vowel group, final consonants): 'bram' -> ('br', 'a', 'm')."""
    end = len(word)
    while end and word[end - 1] not in VOWELS:
        end -= 1
    start = end
    while start and word[start - 1] in VOWELS:
        start -= 1
    return word[:start], word[start:end], word[end:]


def _after_vowel(word: str) -> set[str]:
    forms = {word + "tje"} | ({word + "ke"} if len(word) > 2 else set())  # not "Jo" -> "joke"
    last = word[-1]
    if word.endswith(LONG_ENDINGS):
        return forms
    if last in "aou":  # Anna -> Annaatje (also written Annatje)
        forms.add(word + last + "tje")
    elif last == "e":  # Sanne -> Sannetje, Sanneke, Sannie; René -> Reneetje
        forms |= {word[:-1] + "ie", word + "etje"}
    elif last == "i":  # Levi -> Levietje
        forms.add(word + "etje")
    return forms


def _after_consonant(word: str) -> set[str]:
    _, vowels, coda = _split(word)
    last = word[-1]
    if not vowels:  # no vowel at all ("Dj"): nothing Dutch to add
        return set()
    forms: set[str] = set()
    short = len(vowels) == 1 and vowels in SHORT_VOWELS and len(coda) == 1
    if coda.endswith("ng"):
        return {word + "etje", word[:-1] + "kje", word + "ie"}
    if last == "m":
        forms.add(word + "pje")
    elif last in LIQUIDS:
        forms.add(word + "tje")
    else:
        forms |= {word + "je", word + "ie"}
    if short:
        doubled = word + last
        forms.add(doubled + "ie")  # Timmie, Bassie, Rikkie
        if last in DOUBLING or last in "bg":
            forms |= {doubled + "etje", doubled + "eke"}  # Brammetje, Janneke, Bobbetje
    elif len(coda) == 2 and coda[0] == coda[1] and last in DOUBLING:  # Finn -> Finnetje
        forms |= {word + "etje", word + "eke", word + "ie"}
    if last in LIQUIDS or last == "m":
        forms.add(word + "ke")
    return forms


@lru_cache(maxsize=2048)
def diminutives(word: str) -> frozenset[str]:
    """The diminutives of one word of a name (folded, lower case): 'daan' -> {'daantje', ...}.

    Empty for a word too short to have one, or one that is not all letters.
    """
    if len(word) < 2 or not word.isalpha():
        return frozenset()
    forms = _after_vowel(word) if word[-1] in VOWELS else _after_consonant(word)
    return frozenset(f for f in forms if f != word)


__all__ = ["diminutives"]
