"""The team protocol's cryptography (sync/crypto.py), natively.

Test vectors are recomputed from the code and must equal both
``tests/sync_helpers/protocol_vectors.json`` and ``PROTOCOL.md``; the same
vectors are checked with WebCrypto under Pyodide in test_sync_web.py.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sync import crypto as c
from sync.backends import InvalidPublicKey
from sync.errors import IntegrityError, InvalidInviteCode
from sync.native import NativeSyncCrypto
from sync.state import TeamState
from tests.sync_helpers import protocol_vectors as pv

ROOT = Path(__file__).resolve().parent.parent
CRYPTO = NativeSyncCrypto()
TEAM = "5a6b1f0c2d3e4f5061728394a5b6c7d8"


def run(coro):
    return asyncio.run(coro)


@pytest.fixture(scope="module")
def vectors() -> dict:
    return json.loads((ROOT / "tests" / "sync_helpers" / "protocol_vectors.json").read_text(encoding="utf-8"))


# -- test vectors -------------------------------------------------------------------------------


def test_vectors_are_what_the_code_computes(vectors):
    assert run(pv.compute_vectors()) == vectors


def test_protocol_md_quotes_the_vectors(vectors):
    text = (ROOT / "PROTOCOL.md").read_text(encoding="utf-8")
    flat = re.sub(r"\s+", "", text)

    def values(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "plaintext_hex":  # shown as the JSON text it is
                    yield re.sub(r"\s+", "", bytes.fromhex(value).decode())
                elif key.endswith("_hex") or key in ("code", "invite_id", "link"):
                    yield value
                else:
                    yield from values(value)

    missing = [v for v in values(vectors) if v not in flat]
    assert not missing, f"PROTOCOL.md lacks {missing[:3]}"


def test_vector_record_opens_and_every_bound_field_matters(vectors):
    r = vectors["record"]
    sealed = c.SealedRecord(r["record_id"], r["kind"], 1, bytes.fromhex(r["nonce_hex"]), bytes.fromhex(r["ciphertext_hex"]))
    keys = {1: bytes.fromhex(r["team_key_hex"])}
    assert run(c.open_record(CRYPTO, keys, vectors["team_id"], sealed)) == bytes.fromhex(r["plaintext_hex"])
    for changed in (replace(sealed, record_id="other"), replace(sealed, kind="policy")):
        with pytest.raises(IntegrityError):
            run(c.open_record(CRYPTO, keys, vectors["team_id"], changed))
    with pytest.raises(IntegrityError):  # another team
        run(c.open_record(CRYPTO, keys, "0" * 32, sealed))
    with pytest.raises(IntegrityError):  # the same key claimed as another version
        run(c.open_record(CRYPTO, {1: keys[1], 2: keys[1]}, vectors["team_id"], replace(sealed, key_version=2)))
    with pytest.raises(IntegrityError):  # a version this device does not have
        run(c.open_record(CRYPTO, keys, vectors["team_id"], replace(sealed, key_version=3)))


def test_vector_wrap_unwraps_with_the_member_key(vectors):
    w = vectors["wrap"]
    member = c.DeviceKey.from_jwk(w["member_jwk"])
    assert member.public.hex() == w["member_public_hex"]
    key = run(c.unwrap_team_key(CRYPTO, bytes.fromhex(w["wrapped_hex"]), vectors["team_id"], vectors["member_id"], 2, member))
    assert key.hex() == w["team_key_hex"]
    for team, member_id, version in ((("0" * 32), vectors["member_id"], 2), (vectors["team_id"], "1" * 32, 2),
                                     (vectors["team_id"], vectors["member_id"], 3)):
        with pytest.raises(IntegrityError):
            run(c.unwrap_team_key(CRYPTO, bytes.fromhex(w["wrapped_hex"]), team, member_id, version, member))


def test_invite_code_of_the_vector(vectors):
    i = vectors["invite"]
    assert c.parse_invite_code(i["code"]).hex() == i["secret_hex"]
    invite = c.InviteKeys(i["invite_id"], bytes.fromhex(i["key_hex"]))
    assert run(c.open_invite_bundle(CRYPTO, invite, bytes.fromhex(i["sealed_hex"]))) == json.loads(i["bundle_json"])


# -- records --------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(plaintext=st.binary(max_size=2000), record_id=st.from_regex(r"[A-Za-z0-9_.:-]{1,100}", fullmatch=True),
       kind=st.from_regex(r"[a-z][a-z0-9_]{0,31}", fullmatch=True), version=st.integers(1, 1000))
def test_seal_open_round_trip_and_padding(plaintext, record_id, kind, version):
    key = CRYPTO.random_bytes(32)
    sealed = run(c.seal_record(CRYPTO, key, TEAM, record_id, kind, version, plaintext))
    assert len(sealed.nonce) == 12 and len(sealed.ciphertext) - 16 == len(c.pad(plaintext)) and len(c.pad(plaintext)) % 256 == 0
    assert len(sealed.ciphertext) - 16 > len(plaintext)
    assert run(c.open_record(CRYPTO, {version: key}, TEAM, sealed)) == plaintext


@settings(max_examples=60, deadline=None)
@given(position=st.integers(0, 10_000), bit=st.integers(0, 7), in_nonce=st.booleans())
def test_any_flipped_bit_is_detected(position, bit, in_nonce):
    key = bytes(32)
    sealed = run(c.seal_record(CRYPTO, key, TEAM, "r1", "incident", 1, b'{"title":"geheim"}'))
    target = bytearray(sealed.nonce if in_nonce else sealed.ciphertext)
    target[position % len(target)] ^= 1 << bit
    changed = replace(sealed, nonce=bytes(target)) if in_nonce else replace(sealed, ciphertext=bytes(target))
    with pytest.raises(IntegrityError):
        run(c.open_record(CRYPTO, {1: key}, TEAM, changed))


def test_truncated_or_empty_ciphertext_is_an_integrity_error():
    sealed = run(c.seal_record(CRYPTO, bytes(32), TEAM, "r1", "incident", 1, b"x"))
    for ciphertext in (b"", sealed.ciphertext[:15], sealed.ciphertext[:-1]):
        with pytest.raises(IntegrityError):
            run(c.open_record(CRYPTO, {1: bytes(32)}, TEAM, replace(sealed, ciphertext=ciphertext)))
    with pytest.raises(IntegrityError):
        run(c.open_record(CRYPTO, {1: bytes(32)}, TEAM, replace(sealed, nonce=sealed.nonce[:11])))


def test_record_nonces_are_fresh():
    sealed = [run(c.seal_record(CRYPTO, bytes(32), TEAM, "r1", "incident", 1, b"same")) for _ in range(20)]
    assert len({s.nonce for s in sealed}) == 20 and len({s.ciphertext for s in sealed}) == 20


def test_unpad_refuses_what_pad_never_makes():
    assert c.unpad(c.pad(b"")) == b""
    assert c.unpad(c.pad(b"abc\x80\x00")) == b"abc\x80\x00"
    for bad in (b"", b"\x00" * 256, b"abc", b"abc\x80\x01"):
        with pytest.raises(IntegrityError):
            c.unpad(bad)


def test_length_prefixes_and_versions_use_their_whole_unsigned_range():
    assert c._lp("x" * 65535)[:2] == b"\xff\xff"
    assert c._lp("é" * 20000)[:2] == (40000).to_bytes(2, "big")
    with pytest.raises(ValueError):
        c._lp("x" * 65536)
    assert c.record_aad(TEAM, "r", "k", 2**32 - 1).endswith(b"\xff\xff\xff\xff")


def test_new_ids_and_keys_have_the_protocols_sizes():
    ids = {c.new_id(CRYPTO) for _ in range(50)}
    assert len(ids) == 50 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len(c.new_team_key(CRYPTO)) == 32 and c.new_team_key(CRYPTO) != c.new_team_key(CRYPTO)


def test_aad_fields_are_length_prefixed_so_they_cannot_shift():
    assert c.record_aad(TEAM, "ab", "c", 1) != c.record_aad(TEAM, "a", "bc", 1)
    assert c.record_aad(TEAM, "r", "incident", 1) != c.record_aad(TEAM, "r", "incident", 256)


# -- device keys, wraps, rotations ------------------------------------------------------------------


def test_device_key_serialisation_round_trips_and_hides_the_scalar():
    key = run(c.new_device_key(CRYPTO))
    assert c.DeviceKey.from_bytes(key.to_bytes()) == key
    assert key.d.hex() not in repr(key)
    with pytest.raises(ValueError):
        c.DeviceKey(key.d, key.public[:64])
    with pytest.raises(ValueError):
        c.DeviceKey.from_jwk({**key.to_jwk(), "crv": "P-384"})


def test_wrap_to_a_member_only_that_member_unwraps():
    alice, mallory = run(c.new_device_key(CRYPTO)), run(c.new_device_key(CRYPTO))
    team_key = c.new_team_key(CRYPTO)
    wrapped = run(c.wrap_team_key(CRYPTO, team_key, TEAM, "a" * 32, 4, alice.public))
    assert len(wrapped) == c.WRAPPED_KEY_LEN
    assert run(c.unwrap_team_key(CRYPTO, wrapped, TEAM, "a" * 32, 4, alice)) == team_key
    with pytest.raises(IntegrityError):
        run(c.unwrap_team_key(CRYPTO, wrapped, TEAM, "a" * 32, 4, mallory))
    for broken in (wrapped[:-1], b"\x02" + wrapped[1:], wrapped[:1] + bytes(65) + wrapped[66:]):
        with pytest.raises(IntegrityError):
            run(c.unwrap_team_key(CRYPTO, broken, TEAM, "a" * 32, 4, alice))


def test_ecdh_refuses_points_off_the_curve_and_mismatched_pairs():
    alice, bob = run(c.new_device_key(CRYPTO)), run(c.new_device_key(CRYPTO))
    off_curve = b"\x04" + bytes(64)
    with pytest.raises(InvalidPublicKey):
        run(CRYPTO.ecdh_p256(alice.d, alice.public, off_curve))
    with pytest.raises(InvalidPublicKey):
        run(CRYPTO.ecdh_p256(alice.d, bob.public, bob.public))
    assert run(CRYPTO.ecdh_p256(alice.d, alice.public, bob.public)) == run(CRYPTO.ecdh_p256(bob.d, bob.public, alice.public))


def test_rotation_commit_binds_previous_key_team_version_and_new_key():
    k1, k2 = bytes(32), bytes([1]) * 32
    commit = c.rotation_commit(k1, TEAM, 2, k2)
    c.verify_rotation(k1, TEAM, 2, k2, commit)
    for args in ((k2, TEAM, 2, k2), (k1, "0" * 32, 2, k2), (k1, TEAM, 3, k2), (k1, TEAM, 2, k1)):
        with pytest.raises(IntegrityError):
            c.verify_rotation(*args, commit)


def test_member_key_mac_binds_team_member_and_key():
    key = bytes(32)
    alice, bob = run(c.new_device_key(CRYPTO)), run(c.new_device_key(CRYPTO))
    mac = c.member_key_mac(key, TEAM, "a" * 32, alice.public)
    c.verify_member_key(key, TEAM, "a" * 32, alice.public, mac)
    for args in ((bytes([1]) * 32, TEAM, "a" * 32, alice.public), (key, "0" * 32, "a" * 32, alice.public),
                 (key, TEAM, "b" * 32, alice.public), (key, TEAM, "a" * 32, bob.public)):
        with pytest.raises(IntegrityError):
            c.verify_member_key(*args, mac)


# -- invite codes ---------------------------------------------------------------------------------------


@given(st.binary(min_size=10, max_size=10))
def test_invite_code_round_trip(secret):
    code = c.format_invite_code(secret)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code)
    assert c.parse_invite_code(code) == secret
    assert c.parse_invite_code(code.lower().replace("-", " ")) == secret


def test_invite_code_forgives_look_alikes_and_refuses_the_rest():
    secret = c.parse_invite_code("0000-1111-0000-1111")
    assert c.parse_invite_code("oooo-iiii-OOOO-LLLL") == secret
    for bad in ("", "0000-1111-0000-111", "0000-1111-0000-11111", "0000-1111-0000-111U", "€000-1111-0000-1111", None):
        with pytest.raises(InvalidInviteCode):
            c.parse_invite_code(bad)


def test_invite_id_and_key_need_the_slow_kdf():
    """Both come from the PBKDF2 master: a different iteration count gives other values."""
    secret = bytes(10)
    fast = run(c.derive_invite_keys(CRYPTO, secret, 1000))
    slower = run(c.derive_invite_keys(CRYPTO, secret, 1001))
    assert fast.invite_id != slower.invite_id and fast.key != slower.key
    assert re.fullmatch(r"[0-9a-f]{32}", fast.invite_id)
    assert fast.invite_id != fast.key[:16].hex()


def test_invite_bundle_refuses_another_invite_or_tampering():
    one, two = run(c.derive_invite_keys(CRYPTO, bytes(10), 1000)), run(c.derive_invite_keys(CRYPTO, bytes([1]) * 10, 1000))
    sealed = run(c.seal_invite_bundle(CRYPTO, one, {"format": 1}))
    assert run(c.open_invite_bundle(CRYPTO, one, sealed)) == {"format": 1}
    for key, data in ((two, sealed), (one, sealed[:-1]), (one, sealed[:20]),
                      (c.InviteKeys(two.invite_id, one.key), sealed)):
        with pytest.raises(IntegrityError):
            run(c.open_invite_bundle(CRYPTO, key, data))


# -- the team state a device keeps -----------------------------------------------------------------


def test_team_state_round_trip_and_no_secrets_in_repr():
    device = run(c.new_device_key(CRYPTO))
    state = TeamState("https://school.example", TEAM, "Actieteam", "a" * 32, "t" * 43, True, device,
                      {1: bytes(32), 2: bytes([2]) * 32}, cursor=17)
    again = TeamState.from_bytes(state.to_bytes())
    assert again == state and again.key_version == 2 and again.team_key == bytes([2]) * 32
    assert "t" * 43 not in repr(state) and bytes(32).hex() not in repr(state)
    for broken in (b"", b"{}", state.to_bytes().replace(b'"format":1', b'"format":2'), b"[1]"):
        with pytest.raises(ValueError):
            TeamState.from_bytes(broken)


# -- base64url ---------------------------------------------------------------------------------------


@given(st.binary(max_size=100))
@example(b"\x00\x00\x17")  # "AAAX": an encoding may end in any letter of the alphabet
@example(b"\xff\xf5")  # "__U": and be padded
def test_b64_round_trip(data):
    assert c.b64d(c.b64e(data)) == data


@pytest.mark.parametrize("text", ["A", "AB=", "AB+/", "AB C", "AR", None, 5])
def test_b64_refuses_non_canonical_text(text):
    with pytest.raises((ValueError, TypeError)):
        c.b64d(text)
