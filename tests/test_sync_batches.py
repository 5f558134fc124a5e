"""Pushes bounded by count and bytes (``sync.batches``), the limits they follow,
and the checks a device makes of the keys other members sent (``sync.vouching``).

Pure: no server. The sizes the planner counts are the bytes the client sends
(checked against the real encoder for any records); every limit the journal
and the protocol share is declared once and the others follow from it.
"""

from __future__ import annotations

import asyncio
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.limits import MAX_SHARED_RECORD
from sync import crypto as c
from sync import limits
from sync.batches import ENVELOPE_BYTES, entry_bytes, plan, sendable
from sync.client import OutgoingRecord, push_body
from sync.messages import MAX_SEQ, Member, TeamInfo
from sync.native import NativeSyncCrypto
from sync.transport import encode_body
from sync.vouching import P256_B, P256_P, is_p256_point, unvouched, vouched

CRYPTO = NativeSyncCrypto()
TEAM = "5a6b1f0c2d3e4f5061728394a5b6c7d8"

record_ids = st.from_regex(r"[A-Za-z0-9_.:-]{1,100}", fullmatch=True)
kinds = st.sampled_from(["incident", "tombstone", "policy"])
records = st.builds(OutgoingRecord, record_ids, kinds, st.binary(max_size=3000), st.just("1"))


def sealed_body(batch, key_version: int, base_seq: int) -> bytes:
    sealed = [asyncio.run(c.seal_record(CRYPTO, bytes(32), TEAM, r.record_id, r.kind, key_version, r.plaintext))
              for r in batch]
    return encode_body(push_body("f" * 32, base_seq, sealed))


@settings(max_examples=60, deadline=None)
@given(st.lists(records, min_size=1, max_size=12), st.integers(1, limits.MAX_KEY_VERSIONS),
       st.integers(0, MAX_SEQ))
def test_the_planned_size_is_the_size_of_the_body_sent(batch, key_version, base_seq):
    counted = ENVELOPE_BYTES + sum(entry_bytes(r, key_version) for r in batch) + len(batch) - 1
    sent = len(sealed_body(batch, key_version, base_seq))
    assert sent <= counted and counted - sent <= len(str(MAX_SEQ)) - len(str(base_seq))  # only base_seq's digits


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 2_000), st.integers(0, 400_000)), max_size=60),
       st.integers(20_000, 2_000_000))
def test_every_push_fits_and_every_record_goes_in_order(sizes, max_bytes):
    outbox = [OutgoingRecord(f"r{i}", "incident", bytes(n), str(i)) for i, n in enumerate(sizes)]
    pushes, unsendable = plan(outbox, 3, max_bytes)
    fits = [r for r in outbox if ENVELOPE_BYTES + entry_bytes(r, 3) <= max_bytes]
    assert [r for p in pushes for r in p] + unsendable != [] or not outbox
    assert [r for p in pushes for r in p] == [r for r in outbox if r not in unsendable]
    for push in pushes:
        assert 1 <= len(push) <= limits.MAX_RECORDS_PER_PUSH
        size = ENVELOPE_BYTES + sum(entry_bytes(r, 3) for r in push) + len(push) - 1
        assert size <= max_bytes or len(push) == 1 and push[0] not in fits
    for first, second in zip(pushes, pushes[1:]):  # a push ends only when the next record would not fit
        size = ENVELOPE_BYTES + sum(entry_bytes(r, 3) for r in first) + len(first)
        assert len(first) == limits.MAX_RECORDS_PER_PUSH or size + entry_bytes(second[0], 3) > max_bytes


def test_a_push_is_filled_to_the_last_byte_and_not_one_more():
    for n, size in ((1, 0), (2, 5_000), (7, 1_000), (30, 12)):
        outbox = [OutgoingRecord(f"r{i}", "incident", bytes(size), str(i)) for i in range(n)]
        exact = ENVELOPE_BYTES + sum(entry_bytes(r, 12) for r in outbox) + n - 1
        assert len(sealed_body(outbox, 12, MAX_SEQ)) == exact  # (the base_seq the envelope allows for)
        assert plan(outbox, 12, exact) == ([outbox], [])
        assert plan(outbox, 12, exact + 1) == ([outbox], [])
        if n > 1:
            assert plan(outbox, 12, exact - 1) == ([outbox[:-1], outbox[-1:]], [])


def test_a_record_the_protocol_cannot_carry_is_set_aside_and_the_others_go():
    big = OutgoingRecord("groot", "incident", bytes(limits.MAX_RECORD_PLAINTEXT + 1), "1")
    odd = OutgoingRecord("a/b", "incident", b"{}", "1")
    fine = [OutgoingRecord(f"r{i}", "incident", b"{}", "1") for i in range(250)]
    pushes, unsendable = plan([fine[0], big, *fine[1:], odd], 1)
    assert unsendable == [big, odd]
    assert [len(p) for p in pushes] == [100, 100, 50]


def test_the_largest_record_the_journal_shares_fits_a_push_a_pull_page_and_an_answer():
    largest = OutgoingRecord("x" * 100, "tombstone", bytes(MAX_SHARED_RECORD), "1")
    assert sendable(largest) and limits.MAX_RECORD_PLAINTEXT == MAX_SHARED_RECORD
    assert len(c.pad(bytes(MAX_SHARED_RECORD))) + c.TAG_LEN == limits.MAX_RECORD_CIPHERTEXT
    assert ENVELOPE_BYTES + entry_bytes(largest, limits.MAX_KEY_VERSIONS) <= limits.MAX_REQUEST_BYTES
    assert limits.MAX_RECORD_CIPHERTEXT <= limits.MAX_PULL_PAGE_BYTES
    # a page: up to MAX_PULL_PAGE_BYTES of ciphertext (or one record), base64, with its fields
    page = 4 * max(limits.MAX_PULL_PAGE_BYTES, limits.MAX_RECORD_CIPHERTEXT) // 3 + limits.MAX_PULL_PAGE * 400
    assert page <= limits.MAX_RESPONSE_BYTES


@given(st.integers(0, 5 * limits.PAD_BLOCK))
def test_padded_len_is_the_length_of_the_padding(n):
    assert limits.padded_len(n) == len(c.pad(bytes(n)))


# --- what a device checks of other members' keys --------------------------------------------------


def point_of(private: ec.EllipticCurvePrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.X962,
                                             serialization.PublicFormat.UncompressedPoint)


def cryptography_accepts(point: bytes) -> bool:
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return False
    return len(point) == c.POINT_LEN


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 2**255))
def test_points_of_real_keys_are_on_the_curve(d):
    d = d % (2**256 - 2**224) or 1
    assert is_p256_point(point_of(ec.derive_private_key(d, ec.SECP256R1())))


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.binary(min_size=0, max_size=70),
    st.builds(lambda b: b"\x04" + b, st.binary(min_size=64, max_size=64)),
    st.builds(lambda x, y: b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big"),
              st.integers(0, 2**256 - 1), st.integers(0, 2**256 - 1)),
))
def test_the_point_check_agrees_with_openssl(point):
    assert is_p256_point(point) == cryptography_accepts(point)


def test_a_point_changed_in_one_bit_or_written_with_a_coordinate_past_the_field_is_refused():
    good = point_of(ec.generate_private_key(ec.SECP256R1()))
    for i in range(1, c.POINT_LEN):
        changed = bytearray(good)
        changed[i] ^= 1
        assert is_p256_point(bytes(changed)) == cryptography_accepts(bytes(changed)) is False
    # (0, y) is on the curve; (P, y) is the same point written with x past the field: refused.
    y = pow(P256_B, (P256_P + 1) // 4, P256_P)
    assert is_p256_point(b"\x04" + bytes(32) + y.to_bytes(32, "big"))
    assert not is_p256_point(b"\x04" + P256_P.to_bytes(32, "big") + y.to_bytes(32, "big"))
    assert not cryptography_accepts(b"\x04" + P256_P.to_bytes(32, "big") + y.to_bytes(32, "big"))
    assert not is_p256_point(b"\x02" + good[1:]) and not is_p256_point(good[:-1]) and not is_p256_point(good + b"\0")


def member(member_id: str, public: bytes, mac: bytes) -> Member:
    from datetime import datetime, timezone

    return Member(member_id, "Naam", "rol", "apparaat", False, public, mac, datetime.now(timezone.utc), None)


def test_a_member_is_vouched_for_only_with_a_point_on_the_curve_and_its_mac():
    key = secrets.token_bytes(32)
    public = point_of(ec.generate_private_key(ec.SECP256R1()))
    off = bytearray(public)
    off[-1] ^= 1
    good = member("a" * 32, public, c.member_key_mac(key, TEAM, "a" * 32, public))
    assert vouched(key, TEAM, good)
    assert not vouched(secrets.token_bytes(32), TEAM, good)  # a MAC under another key
    assert not vouched(key, TEAM, member("b" * 32, public, good.key_mac))  # another member's MAC
    assert not vouched(key, "0" * 32, good)  # another team
    assert not vouched(key, TEAM, member("a" * 32, bytes(off), c.member_key_mac(key, TEAM, "a" * 32, bytes(off))))
    info = TeamInfo(TEAM, 2, 0, False, [good, member("b" * 32, public, bytes(32))])
    assert [m.member_id for m in unvouched({2: key}, TEAM, info)] == ["b" * 32]
    assert unvouched({1: key}, TEAM, info) == []  # a list under a key not held: nothing to say yet


def test_push_ids_follow_what_a_push_carries_and_nothing_else():
    key = secrets.token_bytes(32)
    batch = [("r1", "incident", b"{}"), ("r2", "tombstone", b'{"id":"r2"}')]
    first = c.push_id(key, TEAM, "m" * 32, 1, batch)
    assert first == c.push_id(key, TEAM, "m" * 32, 1, list(batch))  # the same push sent again
    assert len(first) == 32 and int(first, 16) >= 0
    others = {
        c.push_id(secrets.token_bytes(32), TEAM, "m" * 32, 1, batch),
        c.push_id(key, "0" * 32, "m" * 32, 1, batch),
        c.push_id(key, TEAM, "n" * 32, 1, batch),
        c.push_id(key, TEAM, "m" * 32, 2, batch),
        c.push_id(key, TEAM, "m" * 32, 1, batch[:1]),
        c.push_id(key, TEAM, "m" * 32, 1, batch[::-1]),
        c.push_id(key, TEAM, "m" * 32, 1, [("r1", "incident", b"{ }"), batch[1]]),
        c.push_id(key, TEAM, "m" * 32, 1, [("r1", "tombstone", b"{}"), batch[1]]),
        c.push_id(key, TEAM, "m" * 32, 1, [("r12", "incident", b"{}"), batch[1]]),
    }
    assert first not in others and len(others) == 9
