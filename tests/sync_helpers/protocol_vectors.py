"""Test vectors of the team protocol (``PROTOCOL.md``), computed by the code.

    python -m tests.sync_helpers.protocol_vectors   # prints the JSON kept in protocol_vectors.json

Fixed inputs (keys, scalars, nonces, codes) go through ``sync.crypto`` with
the native backend; ``tests/test_sync_crypto.py`` recomputes them and
compares with the JSON file and with ``PROTOCOL.md``, and the WebCrypto
script (``webcrypto_sync.mjs``) and the Pyodide checks verify them with the
browser's primitives only.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from sync import crypto as c
from sync.client import invite_link
from sync.native import NativeSyncCrypto

VECTORS_FILE = Path(__file__).with_name("protocol_vectors.json")

TEAM_ID = "5a6b1f0c2d3e4f5061728394a5b6c7d8"
MEMBER_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
RECORD_ID = "6f1c5ad2-8d8e-4f67-9a0b-3c2d1e0f4a5b"
TEAM_KEY_1 = bytes(range(0x20, 0x40))
TEAM_KEY_2 = bytes(range(0x40, 0x60))
RECORD_NONCE = bytes(range(0xB0, 0xBC))
WRAP_NONCE = bytes(range(0xC0, 0xCC))
INVITE_NONCE = bytes(range(0xD0, 0xDC))
MEMBER_D = bytes.fromhex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721")
EPHEMERAL_D = bytes.fromhex("519b423d715f8b581f4fa8ee59f4771a5b44c8130b4e3eacca54a56dda72b464")
INVITE_SECRET = bytes.fromhex("0123456789abcdef0f1e")
RECORD_PLAINTEXT = (
    '{"id":"6f1c5ad2-8d8e-4f67-9a0b-3c2d1e0f4a5b","title":"Nepaccount op Instagram",'
    '"updated":"2025-03-14T09:30:00.000000Z"}'
).encode()


def public_point(d: bytes) -> bytes:
    private = ec.derive_private_key(int.from_bytes(d, "big"), ec.SECP256R1())
    return private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


async def compute_vectors(iterations: int = c.INVITE_ITERATIONS) -> dict:
    crypto = NativeSyncCrypto()
    member = c.DeviceKey(MEMBER_D, public_point(MEMBER_D))
    ephemeral = c.DeviceKey(EPHEMERAL_D, public_point(EPHEMERAL_D))
    sealed = await c.seal_record(crypto, TEAM_KEY_1, TEAM_ID, RECORD_ID, "incident", 1, RECORD_PLAINTEXT, RECORD_NONCE)
    shared = await crypto.ecdh_p256(ephemeral.d, ephemeral.public, member.public)
    context = c._wrap_context(TEAM_ID, MEMBER_ID, 2)
    kek = await crypto.hkdf_sha256(shared, ephemeral.public + member.public, context)
    wrapped = await c.wrap_team_key(crypto, TEAM_KEY_2, TEAM_ID, MEMBER_ID, 2, member.public, ephemeral, WRAP_NONCE)
    invite = await c.derive_invite_keys(crypto, INVITE_SECRET, iterations)
    master = await crypto.pbkdf2_sha256(INVITE_SECRET, c.LABEL_INVITE_SALT, iterations, 32)
    # Not in sorted order on purpose: the sealed bytes must come from the canonical (sorted) JSON.
    bundle = {"team_name": "Actieteam", "team_id": TEAM_ID, "keys": {"1": c.b64e(TEAM_KEY_1)}, "format": 1}
    sealed_bundle = await c.seal_invite_bundle(crypto, invite, bundle, INVITE_NONCE)
    return {
        "team_id": TEAM_ID,
        "member_id": MEMBER_ID,
        "record": {
            "record_id": RECORD_ID, "kind": "incident", "key_version": 1, "team_key_hex": TEAM_KEY_1.hex(),
            "nonce_hex": RECORD_NONCE.hex(), "plaintext_hex": RECORD_PLAINTEXT.hex(),
            "aad_hex": c.record_aad(TEAM_ID, RECORD_ID, "incident", 1).hex(),
            "padded_len": len(c.pad(RECORD_PLAINTEXT)), "ciphertext_hex": sealed.ciphertext.hex(),
        },
        "wrap": {
            "key_version": 2, "team_key_hex": TEAM_KEY_2.hex(),
            "member_d_hex": MEMBER_D.hex(), "member_public_hex": member.public.hex(),
            "member_jwk": member.to_jwk(),
            "ephemeral_d_hex": EPHEMERAL_D.hex(), "ephemeral_public_hex": ephemeral.public.hex(),
            "shared_hex": shared.hex(), "context_hex": context.hex(), "kek_hex": kek.hex(),
            "nonce_hex": WRAP_NONCE.hex(), "wrapped_hex": wrapped.hex(),
        },
        "rotation_commit_hex": c.rotation_commit(TEAM_KEY_1, TEAM_ID, 2, TEAM_KEY_2).hex(),
        "member_key_mac_hex": c.member_key_mac(TEAM_KEY_2, TEAM_ID, MEMBER_ID, member.public).hex(),
        "invite": {
            "secret_hex": INVITE_SECRET.hex(), "code": c.format_invite_code(INVITE_SECRET), "iterations": iterations,
            "link": invite_link("https://school.example", c.format_invite_code(INVITE_SECRET)),
            "salt_hex": c.LABEL_INVITE_SALT.hex(), "master_hex": master.hex(), "invite_id": invite.invite_id,
            "key_hex": invite.key.hex(), "nonce_hex": INVITE_NONCE.hex(),
            "bundle_json": json.dumps(bundle, sort_keys=True, separators=(",", ":")),
            "sealed_hex": sealed_bundle.hex(),
        },
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(compute_vectors()), indent=2, sort_keys=True))
