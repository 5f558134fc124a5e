"""No sync sticks: real journals, the sync engine and the team server (in
process; SQLite and PostgreSQL).

Whatever a member may save in a shared incident reaches the team (or the save
says why not); a large outbox goes out in pushes the server takes; a record
that cannot go (a proxy with a small body limit) holds back nothing else and
is named; a journal near its size limit takes in what fits, says what did
not, and still sends its own edits; a push whose answer was lost is sent
again under the same id and stored once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "storage_helpers"))

from storage_testkit import PASS, memory_store  # noqa: E402

from screens.errors import error_message  # noqa: E402
from screens.ui.sync_status import status_text, sync_error_text  # noqa: E402
from storage import container, sealed  # noqa: E402
from storage import incidents as inc  # noqa: E402
from storage.errors import TooLargeToShareError  # noqa: E402
from storage.limits import MAX_SHARED_RECORD, MAX_TEXT  # noqa: E402
from sync.engine import SyncState  # noqa: E402
from sync.errors import RefusedError, ServerUnreachableError  # noqa: E402
from sync.transport import encode_body, interpret  # noqa: E402
from tests.sync_helpers.fixtures import run, server, sqlite_server  # noqa: E402,F401 - fixtures
from tests.test_storage_sharing import _team  # noqa: E402
from words import i18n  # noqa: E402

#: Text as staff write it: Dutch words, accents, a euro sign, line breaks.
SENTENCE = "Gesprek met ouders van leerling (groep 7ë): afspraken gemaakt, € 0 kosten, café-overleg.\n"


def text_of(chars: int, word: str = "") -> str:
    body = (SENTENCE * (chars // len(SENTENCE) + 1))[: chars - len(word)]
    return word + body


async def shared(member, title: str, notes: list[str], by: str = "Mevr. Jansen") -> inc.Incident:
    item = inc.new_incident(title, "vernedering", by=by)
    for note in notes:
        item = inc.add_note(item, note, by=by)
    saved = await member.journal.save(item)
    await member.journal.share(saved.id, by)
    return saved


def dutch(status, **kwargs) -> str:
    i18n.set_language("nl")
    return status_text(status, status.last_success, **kwargs)


def test_an_incident_with_six_notes_of_the_longest_kind_reaches_the_team(server):
    async def scenario():
        a, b = await _team(server)
        notes = [text_of(MAX_TEXT, f"notitie {k}: ") for k in range(6)]
        big = await shared(a, "Zes lange notities", notes)
        small = await shared(a, "Kort", ["kort"])
        status_a = await a.sync()
        status_b = await b.sync()
        return a, b, big, small, status_a, status_b

    a, b, big, small, status_a, status_b = run(scenario())
    assert (status_a.state, status_a.pending, status_a.unsent) == (SyncState.SYNCED, 0, ())
    assert status_b.state is SyncState.SYNCED
    assert [n.text[:10] for n in b.journal.get(big.id).notes] == [f"notitie {k}:"[:10] for k in range(6)]
    assert sum(len(n.text) for n in b.journal.get(big.id).notes) == 6 * MAX_TEXT
    assert b.journal.get(small.id).title == "Kort"


def test_a_save_that_would_make_a_shared_incident_too_large_to_send_says_why(sqlite_server):
    async def scenario():
        a, _b = await _team(sqlite_server, 2)
        note = text_of(MAX_TEXT)
        item = await shared(a, "Groeit", [note])
        for _ in range(MAX_SHARED_RECORD // MAX_TEXT + 2):
            try:
                item = await a.journal.save(inc.add_note(item, note, by="Mevr. Jansen"))
            except TooLargeToShareError as exc:
                return a, item, exc
        pytest.fail("the shared incident grew past what can be sent to the team")

    a, item, exc = run(scenario())
    assert a.journal.get(item.id).revision == item.revision  # stored as it was: nothing lost
    assert exc.size > MAX_SHARED_RECORD
    i18n.set_language("nl")
    assert "te groot" in error_message(exc) and "niet opgeslagen" in error_message(exc)
    assert len(a.journal.outbox()[0][2]) <= MAX_SHARED_RECORD  # what waits can be sent


def test_a_hundred_pending_incidents_of_70_kb_all_reach_the_team(server):
    async def scenario():
        a, b = await _team(server)
        saved = await a.journal.save_many(inc.add_note(inc.new_incident(f"Incident {k}", "vernedering", by="x"),
                                                       text_of(70_000, f"{k}: "), by="x") for k in range(100))
        for item in saved:
            await a.journal.share(item.id, "Mevr. Jansen")
        assert len(a.journal.outbox()) == 100
        pushes = []
        original = a.client.push

        async def counting(state, records, push_id):
            pushes.append(len(records))
            return await original(state, records, push_id)

        a.client.push = counting
        status_a = await a.sync()
        status_b = await b.sync()
        return a, b, saved, status_a, status_b, pushes

    a, b, saved, status_a, status_b, pushes = run(scenario())
    assert (status_a.state, status_a.pending) == (SyncState.SYNCED, 0)
    assert status_b.state is SyncState.SYNCED
    assert {i.id for i in b.journal.incidents()} == {i.id for i in saved}
    assert sum(pushes) == 100 and len(pushes) >= 2  # split by bytes, not only by count


class BodyLimitProxy:
    """A reverse proxy in front of the team server that refuses request bodies
    over ``limit`` bytes with its own HTML page (nginx's ``client_max_body_size``)."""

    def __init__(self, inner, limit: int) -> None:
        self.inner, self.limit, self.base_url = inner, limit, inner.base_url

    async def request(self, method, path, **kwargs):
        if len(encode_body(kwargs.get("body")) or b"") > self.limit:
            return interpret(413, b"<html><center><h1>413 Request Entity Too Large</h1></center>nginx</html>")
        return await self.inner.request(method, path, **kwargs)

    async def aclose(self):
        await self.inner.aclose()


def test_a_record_that_cannot_go_holds_back_nothing_and_is_named(sqlite_server):
    async def scenario():
        a, b = await _team(sqlite_server)
        a.client.transport = BodyLimitProxy(a.client.transport, 1024 * 1024)
        big = await shared(a, "Lang verslag", [text_of(MAX_TEXT) for _ in range(12)])
        small = [await shared(a, f"Klein {k}", [f"notitie {k}"]) for k in range(20)]
        first = await a.sync()
        second = await a.sync()  # the next round does not send the big one again, and still names it
        await b.sync()
        return a, b, big, small, first, second

    a, b, big, small, first, second = run(scenario())
    for status in (first, second):
        assert (status.state, status.pending, status.unsent) == (SyncState.SYNCED, 1, (big.id,))
    assert {i.id for i in b.journal.incidents()} == {i.id for i in small}
    assert "Te groot voor het team, niet verstuurd: “Lang verslag”" in dutch(first, unsent_titles=["Lang verslag"])
    assert "server" not in dutch(first, unsent_titles=["Lang verslag"]).lower()


def test_a_413_is_too_large_never_unreachable():
    i18n.set_language("nl")
    for body in (b'{"error":"too_large","message":"request too large"}', b"<html>413</html>", b""):
        with pytest.raises(RefusedError) as refused:
            interpret(413, body)
        assert refused.value.reason == "too_large"
        assert not isinstance(refused.value, ServerUnreachableError)
        assert "te groot" in sync_error_text(refused.value)


@pytest.fixture
def small_journals(monkeypatch):
    """Journals whose size limit is 3 MB, so one can be filled in a test (reader and writer alike)."""
    monkeypatch.setattr(sealed, "MAX_BODY_PLAINTEXT", 3_000_000)
    monkeypatch.setattr(container, "MAX_BODY_PLAINTEXT", 3_000_000)


def test_a_journal_near_its_limit_refuses_team_records_with_a_message_and_still_sends_its_own(sqlite_server,
                                                                                             small_journals):
    async def scenario():
        a, b = await _team(sqlite_server)
        mine = await shared(b, "Van B", ["eerste"], by="Lid 1")
        await b.sync()
        await a.sync()
        # B's journal fills up with B's own (personal) incidents.
        await b.journal.save_many(inc.add_note(inc.new_incident(f"Eigen {k}", "vernedering", by="b"),
                                               text_of(MAX_TEXT), by="b") for k in range(24))
        theirs = [await shared(a, f"Van A {k}", [text_of(MAX_TEXT) for _ in range(3)]) for k in range(4)]
        await a.sync()
        await b.journal.save(inc.add_note(b.journal.get(mine.id), "tweede, van B", by="Lid 1"))
        status_b = await b.sync()
        again = await b.sync()
        await a.sync()
        reopened = await memory_store(b.blob).unlock(PASS)
        return a, b, mine, theirs, status_b, again, reopened

    a, b, mine, theirs, status_b, again, reopened = run(scenario())
    assert (status_b.state, status_b.pending) == (SyncState.SYNCED, 0)  # no JournalTooLargeError, own edit sent
    assert again.state is SyncState.SYNCED
    assert "tweede, van B" in [n.text for n in a.journal.get(mine.id).notes]
    got = [t.id for t in theirs if b.journal.is_shared(t.id) and t.id in {i.id for i in b.journal.incidents()}]
    no_room = b.team.no_room
    assert no_room >= 1 and len(got) + no_room == len(theirs)
    assert "pasten niet meer in het logboek" in dutch(status_b, no_room=no_room) or \
        "paste niet meer in het logboek" in dutch(status_b, no_room=no_room)
    assert len(reopened.incidents()) == len(b.journal.incidents())  # the journal still opens


def test_a_push_whose_answer_was_lost_is_sent_again_under_the_same_id_and_stored_once(server):
    async def scenario():
        a, b = await _team(server)
        items = [await shared(a, f"Incident {k}", [f"notitie {k}"]) for k in range(5)]
        original = a.client.push
        lost = []

        async def answer_lost(state, records, push_id):
            await original(state, records, push_id)  # the server stores the push ...
            lost.append(push_id)
            raise ServerUnreachableError("connection reset")  # ... and its answer never arrives

        a.client.push = answer_lost
        first = await a.sync()
        a.client.push = original
        await a.open()  # the app is closed and opened again before the next round
        second = await a.sync()
        page = await a.client.pull(await a.team.team_state(), 0)
        return items, first, second, page, lost

    items, first, second, page, lost = run(scenario())
    assert (first.state, first.pending) == (SyncState.UNREACHABLE, 5)
    assert (second.state, second.pending) == (SyncState.SYNCED, 0)
    assert [c.seq for c in page.changes] == [1, 2, 3, 4, 5] and page.head == 5  # nothing appended twice
    assert sorted(c.sealed.record_id for c in page.changes) == sorted(i.id for i in items)


def test_a_team_record_never_changes_a_personal_incident(server):
    """Its id is in backups and in the incident's address on a shared Chromebook:
    a member who knows it still cannot change or delete it through the team."""
    import json

    from storage.merge import content_of

    async def scenario():
        a, b = await _team(server)
        personal = await b.journal.save(inc.add_note(inc.new_incident("Persoonlijk", "vernedering", by="b"),
                                                     "alleen van B", by="b"))
        before = content_of(inc.incident_to_dict(personal))
        # A member's own client seals records under the team key with that id.
        forged = {**before, "title": "Overschreven", "updated": "2030-01-01T00:00:00.000000Z"}
        tomb = {"id": personal.id, "deleted_at": inc.time_to_str(inc.utcnow())}
        state = await a.team.team_state()
        from sync.client import OutgoingRecord
        from sync.crypto import new_id
        seen = []
        for kind, doc in (("incident", forged), ("tombstone", tomb)):  # one after the other (a tombstone
            sealed_record = await a.client.seal(  # makes the server drop the versions before it)
                state, OutgoingRecord(personal.id, kind, json.dumps(doc).encode(), "1"))
            await a.client.push(state, [sealed_record], new_id(a.client.crypto))
            status = await b.sync()
            seen.append((status.state, content_of(inc.incident_to_dict(b.journal.get(personal.id))), b.team.refused))
        return b, personal, before, seen

    b, personal, before, seen = run(scenario())
    assert seen == [(SyncState.SYNCED, before, 1), (SyncState.SYNCED, before, 2)]  # unchanged, not deleted
    assert not b.journal.is_shared(personal.id) and b.journal.outbox() == [] and not b.journal.is_deleted(personal.id)
