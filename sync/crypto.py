"""The cryptography of team sharing (see ``PROTOCOL.md``), pure Python.

On top of a ``SyncCrypto`` backend (native or WebCrypto) this module does:

* **records** — AES-256-GCM under the team key of a version, a fresh 96-bit
  nonce per record, the plaintext padded to a multiple of ``PAD_BLOCK``, and
  associated data binding team id, record id, kind and key version;
* **key wraps** — a team key sent to one member's device: ECDH P-256 between
  a fresh ephemeral key and the member's public key, HKDF-SHA256, AES-GCM;
* **rotation commits** — a new team key version is accepted only with an
  HMAC under the previous version, so the server (which has no team key)
  cannot slip a key of its own choosing to a member;
* **member key MACs** — each member's public key carries an HMAC under the
  current team key, so the server cannot substitute its own public key and
  receive the next team key;
* **invites** — a short code (80 random bits, Crockford base32) from which
  PBKDF2 derives the invite's lookup id and the key that wraps the team keys
  for the joiner; the code itself never leaves the two devices.

HMAC and SHA-256 come from Python's ``hmac``/``hashlib`` (available in
Pyodide too); everything else goes through the backend. Nothing here keeps
state: keys are passed in and returned.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from sync.backends import DecryptionFailed, SyncCrypto
from sync.errors import IntegrityError, InvalidInviteCode
from sync.limits import GCM_TAG_BYTES, PAD_BLOCK

KEY_LEN = 32
NONCE_LEN = 12
TAG_LEN = GCM_TAG_BYTES
POINT_LEN = 65  # uncompressed P-256 point: 04 || x || y
SCALAR_LEN = 32
MAC_LEN = 32

# Domain-separation labels: every derivation and every MAC says what it is for.
LABEL_RECORD = b"stappenplan-team/v1/record"
LABEL_WRAP = b"stappenplan-team/v1/key-wrap"
LABEL_ROTATION = b"stappenplan-team/v1/rotation"
LABEL_MEMBER_KEY = b"stappenplan-team/v1/member-key"
LABEL_INVITE_SALT = b"stappenplan-team/v1/invite"
LABEL_INVITE_ID = b"stappenplan-team/v1/invite-id"
LABEL_INVITE_KEY = b"stappenplan-team/v1/invite-key"
LABEL_PUSH_ID = b"stappenplan-team/v1/push-id"

WRAP_FORMAT = 1  # first byte of a wrapped key
WRAPPED_KEY_LEN = 1 + POINT_LEN + NONCE_LEN + KEY_LEN + TAG_LEN  # 126

# Invite codes: 16 characters of Crockford's base32 (80 bits), typed in 4 groups of 4.
INVITE_CODE_CHARS = 16
INVITE_SECRET_BYTES = 10
INVITE_ITERATIONS = 600_000  # PBKDF2-HMAC-SHA256, as for the journal's passphrase
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_READ = {c: i for i, c in enumerate(CROCKFORD)} | {"O": 0, "I": 1, "L": 1}


# --- small encodings ---------------------------------------------------------------------


def b64e(data: bytes) -> str:
    """base64url without padding (every byte string on the wire)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    """Strict inverse of ``b64e``: raises ``ValueError`` on anything else
    (padding, characters outside the alphabet, non-canonical trailing bits)."""
    if not isinstance(text, str):
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))  # binascii.Error is a ValueError
    if b64e(data) != text:
        raise ValueError("not base64url")
    return data


def _lp(text: str) -> bytes:
    """A length-prefixed UTF-8 field (2-byte big-endian length)."""
    raw = text.encode("utf-8")
    if len(raw) > 0xFFFF:
        raise ValueError("field too long")
    return struct.pack(">H", len(raw)) + raw


def _u32(n: int) -> bytes:
    return struct.pack(">I", n)


# --- padding -----------------------------------------------------------------------------


def pad(plaintext: bytes, block: int = PAD_BLOCK) -> bytes:
    """ISO/IEC 7816-4 padding: ``0x80`` then zeros up to a multiple of ``block``."""
    padded = plaintext + b"\x80"
    return padded + b"\x00" * (-len(padded) % block)


def unpad(padded: bytes) -> bytes:
    stripped = padded.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise IntegrityError("bad padding")
    return stripped[:-1]


# --- records -----------------------------------------------------------------------------


def record_aad(team_id: str, record_id: str, kind: str, key_version: int) -> bytes:
    """Associated data of a record: label || lp(team) || lp(record) || lp(kind) || u32(version)."""
    return LABEL_RECORD + _lp(team_id) + _lp(record_id) + _lp(kind) + _u32(key_version)


@dataclass(frozen=True)
class SealedRecord:
    """One encrypted record as it travels: everything but ``ciphertext`` is visible to the server."""

    record_id: str
    kind: str
    key_version: int
    nonce: bytes
    ciphertext: bytes  # AES-GCM ciphertext || 16-byte tag


async def seal_record(
    crypto: SyncCrypto,
    team_key: bytes,
    team_id: str,
    record_id: str,
    kind: str,
    key_version: int,
    plaintext: bytes,
    nonce: Optional[bytes] = None,
) -> SealedRecord:
    nonce = nonce if nonce is not None else crypto.random_bytes(NONCE_LEN)
    aad = record_aad(team_id, record_id, kind, key_version)
    ciphertext = await crypto.aes_gcm_encrypt(team_key, nonce, pad(plaintext), aad)
    return SealedRecord(record_id, kind, key_version, nonce, ciphertext)


async def open_record(crypto: SyncCrypto, keys: Mapping[int, bytes], team_id: str, sealed: SealedRecord) -> bytes:
    """The plaintext of ``sealed``; ``IntegrityError`` when it does not authenticate
    (or is under a key version this device does not have)."""
    key = keys.get(sealed.key_version)
    if key is None:
        raise IntegrityError("unknown key version")
    # Lengths were checked where the record came in (sync.messages.parse_page);
    # any other change fails authentication below.
    aad = record_aad(team_id, sealed.record_id, sealed.kind, sealed.key_version)
    try:
        padded = await crypto.aes_gcm_decrypt(key, sealed.nonce, sealed.ciphertext, aad)
    except DecryptionFailed:
        raise IntegrityError("record does not authenticate") from None
    return unpad(padded)


# --- device keys ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceKey:
    """A device's ECDH P-256 key pair. Keep ``to_bytes()`` inside the encrypted journal."""

    d: bytes
    public: bytes

    def __post_init__(self) -> None:
        if len(self.d) != SCALAR_LEN or len(self.public) != POINT_LEN or self.public[0] != 4:
            raise ValueError("not a P-256 key pair")

    def to_jwk(self) -> dict:
        """The private key as a JWK (RFC 7517/7518), as WebCrypto exports it."""
        return {
            "crv": "P-256",
            "d": b64e(self.d),
            "kty": "EC",
            "x": b64e(self.public[1:33]),
            "y": b64e(self.public[33:]),
        }

    @classmethod
    def from_jwk(cls, jwk: Mapping) -> "DeviceKey":
        if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
            raise ValueError("not a P-256 JWK")
        return cls(b64d(jwk["d"]), b"\x04" + b64d(jwk["x"]) + b64d(jwk["y"]))

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_jwk(), sort_keys=True, separators=(",", ":")).encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> "DeviceKey":
        return cls.from_jwk(json.loads(data))

    def __repr__(self) -> str:  # never print the private scalar
        return f"DeviceKey(public={self.public.hex()[:16]}…)"


async def new_device_key(crypto: SyncCrypto) -> DeviceKey:
    d, public = await crypto.generate_p256()
    return DeviceKey(d, public)


def new_team_key(crypto: SyncCrypto) -> bytes:
    return crypto.random_bytes(KEY_LEN)


def new_id(crypto: SyncCrypto) -> str:
    """A random 128-bit id (team, member, push): 32 lowercase hex digits."""
    return crypto.random_bytes(16).hex()


# --- wrapping a team key to a member -----------------------------------------------------------


def _wrap_context(team_id: str, member_id: str, key_version: int) -> bytes:
    return LABEL_WRAP + _lp(team_id) + _lp(member_id) + _u32(key_version)


async def wrap_team_key(
    crypto: SyncCrypto,
    team_key: bytes,
    team_id: str,
    member_id: str,
    key_version: int,
    member_public: bytes,
    ephemeral: Optional[DeviceKey] = None,
    nonce: Optional[bytes] = None,
) -> bytes:
    """``01 || ephemeral point (65) || nonce (12) || AES-GCM(KEK, team key) (48)``.

    KEK = HKDF-SHA256(ikm = ECDH(ephemeral, member), salt = ephemeral point ||
    member point, info = wrap context); the wrap context (label, team, member,
    version) is also the AES-GCM associated data.
    """
    ephemeral = ephemeral or await new_device_key(crypto)
    nonce = nonce if nonce is not None else crypto.random_bytes(NONCE_LEN)
    shared = await crypto.ecdh_p256(ephemeral.d, ephemeral.public, member_public)
    context = _wrap_context(team_id, member_id, key_version)
    kek = await crypto.hkdf_sha256(shared, ephemeral.public + member_public, context)
    sealed = await crypto.aes_gcm_encrypt(kek, nonce, team_key, context)
    return bytes([WRAP_FORMAT]) + ephemeral.public + nonce + sealed


async def unwrap_team_key(
    crypto: SyncCrypto, wrapped: bytes, team_id: str, member_id: str, key_version: int, device: DeviceKey
) -> bytes:
    if len(wrapped) != WRAPPED_KEY_LEN or wrapped[0] != WRAP_FORMAT:
        raise IntegrityError("malformed wrapped key")
    ephemeral_public = wrapped[1 : 1 + POINT_LEN]
    nonce = wrapped[1 + POINT_LEN : 1 + POINT_LEN + NONCE_LEN]
    sealed = wrapped[1 + POINT_LEN + NONCE_LEN :]
    try:
        shared = await crypto.ecdh_p256(device.d, device.public, ephemeral_public)
    except ValueError:
        raise IntegrityError("wrapped key has an invalid ephemeral key") from None
    context = _wrap_context(team_id, member_id, key_version)
    kek = await crypto.hkdf_sha256(shared, ephemeral_public + device.public, context)
    try:
        return await crypto.aes_gcm_decrypt(kek, nonce, sealed, context)
    except DecryptionFailed:
        raise IntegrityError("wrapped key does not authenticate") from None


# --- rotation commits and member key MACs ------------------------------------------------------


def rotation_commit(previous_key: bytes, team_id: str, new_version: int, new_key: bytes) -> bytes:
    """HMAC-SHA256(K[v-1], label || lp(team) || u32(v) || SHA-256(K[v]))."""
    message = LABEL_ROTATION + _lp(team_id) + _u32(new_version) + hashlib.sha256(new_key).digest()
    return hmac.new(previous_key, message, hashlib.sha256).digest()


def verify_rotation(previous_key: bytes, team_id: str, new_version: int, new_key: bytes, commit: bytes) -> None:
    if not hmac.compare_digest(rotation_commit(previous_key, team_id, new_version, new_key), commit):
        raise IntegrityError("key rotation not made by a team member")


def member_key_mac(team_key: bytes, team_id: str, member_id: str, public: bytes) -> bytes:
    """HMAC-SHA256(K[v], label || lp(team) || lp(member) || public point)."""
    message = LABEL_MEMBER_KEY + _lp(team_id) + _lp(member_id) + public
    return hmac.new(team_key, message, hashlib.sha256).digest()


def verify_member_key(team_key: bytes, team_id: str, member_id: str, public: bytes, mac: bytes) -> None:
    if not hmac.compare_digest(member_key_mac(team_key, team_id, member_id, public), mac):
        raise IntegrityError("member key not vouched for by the team")


# --- push ids ----------------------------------------------------------------------------------


def push_id(team_key: bytes, team_id: str, member_id: str, key_version: int,
            records: Iterable[tuple[str, str, bytes]]) -> str:
    """The id of a push of ``records`` (record id, kind, plaintext), derived from what it carries.

    Sending the same records again -- after an answer that was lost, even
    after the app restarted -- gives the same id, so the server appends
    nothing twice. It is an HMAC under the team key (cut to 128 bits, as
    random ids are), so it tells the server nothing about the content.
    """
    mac = hmac.new(team_key, LABEL_PUSH_ID + _lp(team_id) + _lp(member_id) + _u32(key_version), hashlib.sha256)
    for record_id, kind, plaintext in records:
        mac.update(_lp(record_id) + _lp(kind) + hashlib.sha256(plaintext).digest())
    return mac.digest()[:16].hex()


# --- invites -----------------------------------------------------------------------------------


def format_invite_code(secret: bytes) -> str:
    """10 secret bytes as ``XXXX-XXXX-XXXX-XXXX`` (Crockford base32, 5 bits a character)."""
    if len(secret) != INVITE_SECRET_BYTES:
        raise ValueError("invite secret must be 10 bytes")
    n = int.from_bytes(secret, "big")
    chars = "".join(CROCKFORD[(n >> (5 * i)) & 31] for i in reversed(range(INVITE_CODE_CHARS)))
    return "-".join(chars[i : i + 4] for i in range(0, INVITE_CODE_CHARS, 4))


def parse_invite_code(code: str) -> bytes:
    """The secret of a typed code: any case, spaces and dashes ignored, O/I/L read as 0/1/1."""
    if not isinstance(code, str):
        raise InvalidInviteCode("not text")
    cleaned = "".join(c for c in code.upper() if c not in " -\t\u00a0")
    if len(cleaned) != INVITE_CODE_CHARS or any(c not in _CROCKFORD_READ for c in cleaned):
        raise InvalidInviteCode("an invite code has 16 letters and digits")
    n = 0
    for c in cleaned:
        n = (n << 5) | _CROCKFORD_READ[c]
    return n.to_bytes(INVITE_SECRET_BYTES, "big")


@dataclass(frozen=True)
class InviteKeys:
    invite_id: str  # what the server stores and looks up (hex of 16 bytes)
    key: bytes  # wraps the key bundle


async def derive_invite_keys(
    crypto: SyncCrypto, secret: bytes, iterations: int = INVITE_ITERATIONS
) -> InviteKeys:
    """master = PBKDF2-HMAC-SHA256(secret, label, iterations); id and key by HKDF from it.

    Both the id and the key come from the slow master, so the server, which
    sees the id, gains no shortcut: every guess at a code costs one PBKDF2.
    """
    master = await crypto.pbkdf2_sha256(secret, LABEL_INVITE_SALT, iterations, KEY_LEN)
    invite_id = (await crypto.hkdf_sha256(master, b"", LABEL_INVITE_ID, 16)).hex()
    key = await crypto.hkdf_sha256(master, b"", LABEL_INVITE_KEY, KEY_LEN)
    return InviteKeys(invite_id, key)


def _invite_aad(invite_id: str) -> bytes:
    return LABEL_INVITE_KEY + _lp(invite_id)


async def seal_invite_bundle(
    crypto: SyncCrypto, invite: InviteKeys, bundle: Mapping, nonce: Optional[bytes] = None
) -> bytes:
    """``nonce || AES-GCM(invite key, canonical JSON of bundle, aad = label || lp(invite id))``."""
    nonce = nonce if nonce is not None else crypto.random_bytes(NONCE_LEN)
    plaintext = json.dumps(bundle, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return nonce + await crypto.aes_gcm_encrypt(invite.key, nonce, pad(plaintext), _invite_aad(invite.invite_id))


async def open_invite_bundle(crypto: SyncCrypto, invite: InviteKeys, sealed: bytes) -> dict:
    try:
        padded = await crypto.aes_gcm_decrypt(
            invite.key, sealed[:NONCE_LEN], sealed[NONCE_LEN:], _invite_aad(invite.invite_id)
        )
    except DecryptionFailed:
        raise IntegrityError("invite does not authenticate") from None
    try:
        bundle = json.loads(unpad(padded))
    except ValueError:
        raise IntegrityError("invite bundle is not JSON") from None
    if not isinstance(bundle, dict):
        raise IntegrityError("invite bundle is not an object")
    return bundle


__all__ = [
    "DeviceKey", "INVITE_ITERATIONS", "InviteKeys", "SealedRecord", "b64d", "b64e", "derive_invite_keys",
    "format_invite_code", "member_key_mac", "new_device_key", "new_id", "new_team_key", "open_invite_bundle",
    "open_record", "pad", "parse_invite_code", "push_id", "record_aad", "rotation_commit", "seal_invite_bundle",
    "seal_record", "unpad", "unwrap_team_key", "verify_member_key", "verify_rotation", "wrap_team_key",
]
