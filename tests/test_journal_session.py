"""The journal as the UI sees it: locking, and what the user is told when something goes wrong."""

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import storage
from screens.errors import error_message
from screens.journal.passphrase import MIN_SCORE, problem, score
from screens.journal.session import JournalSession
from storage import errors
from words import i18n
from words.formatting import moment, parse_local, relative

AMS = ZoneInfo("Europe/Amsterdam")
GOOD = "paars konijn fietst langs zeebrug"


@pytest.fixture(autouse=True)
def dutch():
    i18n.set_language("nl")


def session(tmp_path, locked):
    store = storage.open_store(tmp_path, iterations=1000, insecure_min_iterations=1000)
    return JournalSession(on_lock=lambda: locked.append(True), store=store)


def test_idle_journal_locks_itself_after_the_set_minutes(tmp_path, monkeypatch):
    locked = []
    s = session(tmp_path, locked)
    clock = [1000.0]
    monkeypatch.setattr("screens.journal.session.time.monotonic", lambda: clock[0])
    asyncio.run(s.create(GOOD, "mentor 3B"))
    assert s.is_open and s.author == "mentor 3B"
    clock[0] += 4 * 60
    s.lock_if_idle()
    assert s.is_open, "locked before five idle minutes"
    s.touch()
    clock[0] += 4 * 60
    s.lock_if_idle()
    assert s.is_open, "activity did not restart the idle clock"
    clock[0] += 61
    s.lock_if_idle()
    assert not s.is_open and locked == [True]


def test_unlock_after_lock_and_wrong_passphrase_message(tmp_path):
    s = session(tmp_path, [])
    asyncio.run(s.create(GOOD, ""))
    s.lock()
    with pytest.raises(errors.WrongPassphraseError) as caught:
        asyncio.run(s.unlock("verkeerd"))
    assert error_message(caught.value).startswith("Verkeerde wachtwoordzin")
    asyncio.run(s.unlock(GOOD))
    assert s.is_open


@pytest.mark.parametrize(
    "error, words",
    [
        (errors.WrongPassphraseError(retry_after=4), ["Verkeerde wachtwoordzin", "4 seconden"]),
        (errors.TooManyAttemptsError(retry_after=1), ["Te veel pogingen", "1 seconde", "veilig"]),
        (errors.DamagedFileError(reason="body"), ["beschadigd", "blijft bewaard"]),
        (errors.NewerFormatError(found=2, supported=1), ["nieuwere versie", "niets veranderd"]),
        (errors.NotABackupError(), ["geen back-up", "niets veranderd"]),
        (errors.WrongBackupPassphraseError(), ["back-up", "niets veranderd"]),
        (errors.InvalidBackupError(reason="content"), ["back-up", "beschadigd"]),
        (errors.StorageFullError(), ["vol", "niets verloren"]),
        (errors.StorageIOError(), ["niets verloren"]),
        (errors.JournalReplacedError(), ["ander venster", "vergrendeld", "niet bewaard"]),
    ],
)
def test_every_storage_problem_is_told_in_dutch_with_what_happened_to_the_data(error, words):
    text = error_message(error)
    for word in words:
        assert word in text, (word, text)


def test_passphrase_rules():
    assert problem("kort", "kort")[0] == 0
    assert problem("wachtwoord123", "wachtwoord123") is not None  # too easy to guess
    assert problem(GOOD, GOOD + "x") == (1, "De twee wachtwoordzinnen zijn niet gelijk.")
    assert problem(GOOD, GOOD) is None
    assert score("stappenplan2026") < MIN_SCORE


def test_moment_reads_naturally():
    now = datetime(2026, 11, 24, 15, 0, tzinfo=AMS)
    assert moment(datetime(2026, 11, 24, 14, 5, tzinfo=AMS), now) == "vandaag om 14:05"
    assert moment(datetime(2026, 11, 23, 9, 10, tzinfo=AMS), now) == "gisteren om 09:10"
    assert moment(datetime(2026, 11, 25, 11, 0, tzinfo=AMS), now) == "morgen om 11:00"
    assert moment(datetime(2026, 11, 3, 14, 5, tzinfo=AMS), now) == "di 3 nov 2026 om 14:05"


def test_relative_times_read_naturally_in_both_languages():
    now = datetime(2026, 11, 24, 10, 0, tzinfo=AMS)
    assert relative(datetime(2026, 11, 24, 12, 0, tzinfo=AMS), now) == "over 2 uur"
    assert relative(datetime(2026, 11, 21, 10, 0, tzinfo=AMS), now) == "3 dagen geleden"
    i18n.set_language("en")
    assert relative(datetime(2026, 11, 24, 12, 0, tzinfo=AMS), now) == "in 2 hours"
    assert moment(datetime(2026, 11, 25, 11, 0, tzinfo=AMS), now) == "tomorrow at 11:00"
    i18n.set_language("nl")


def test_typed_dates_are_read_in_amsterdam_time():
    assert parse_local("24-11-2026", "14:05") == datetime(2026, 11, 24, 14, 5, tzinfo=AMS)
    assert parse_local("1/7/26", "9.30") == datetime(2026, 7, 1, 9, 30, tzinfo=AMS)
    for bad in [("31-02-2026", "10:00"), ("24-11-2026", "25:00"), ("morgen", "10:00"), ("", "")]:
        with pytest.raises(ValueError):
            parse_local(*bad)


@given(st.text(max_size=20), st.text(max_size=8))
def test_parse_local_never_raises_anything_but_value_error(date_text, time_text):
    try:
        result = parse_local(date_text, time_text)
    except ValueError:
        return
    assert result.tzinfo is AMS
