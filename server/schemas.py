"""Request and answer models of the API: strict, with every length the server enforces.

Requests are validated here (unknown fields, wrong types, bad base64,
lengths out of range, names with control or invisible characters: 400
naming the field). Byte strings are base64url without padding; each field
states its length in bytes and the matching length in characters, so the
OpenAPI document gives exactly what the server accepts. Answers are
described for the document; the hot routes write their JSON themselves.
"""

from __future__ import annotations

from typing import Annotated, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from sync import limits
from sync.crypto import MAC_LEN, NONCE_LEN, POINT_LEN, TAG_LEN, WRAPPED_KEY_LEN
from sync.names import name_problem

B64_PATTERN = r"^[A-Za-z0-9_-]*$"


def b64_chars(n: int) -> int:
    """Characters of ``n`` bytes in base64url without padding."""
    return (4 * n + 2) // 3


def B64(min_bytes: int, max_bytes: int, what: str):
    return Annotated[str, StringConstraints(strict=True, pattern=B64_PATTERN, min_length=b64_chars(min_bytes),
                                            max_length=b64_chars(max_bytes)),
                     Field(description=f"{what}: {min_bytes}" + ("" if min_bytes == max_bytes else f"–{max_bytes}")
                           + " bytes, base64url without padding")]


def _checked_name(value: str) -> str:
    problem = name_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def Name(max_chars: int):
    return Annotated[str, StringConstraints(strict=True, min_length=1, max_length=max_chars),
                     AfterValidator(_checked_name),
                     Field(description=f"1–{max_chars} characters; no control, format (bidi, zero-width) "
                                       "or separator characters")]


Id = Annotated[str, StringConstraints(strict=True, pattern=limits.ID_PATTERN, min_length=32, max_length=32)]
RecordId = Annotated[str, StringConstraints(strict=True, pattern=limits.RECORD_ID_PATTERN, min_length=1, max_length=100)]
Kind = Annotated[str, StringConstraints(strict=True, pattern=limits.KIND_PATTERN, min_length=1, max_length=32)]
Seq = Annotated[StrictInt, Field(ge=0, le=2**62)]
KeyVersion = Annotated[StrictInt, Field(ge=1, le=limits.MAX_KEY_VERSIONS)]
PublicKey = B64(POINT_LEN, POINT_LEN, "uncompressed P-256 point (04 || x || y)")
Mac = B64(MAC_LEN, MAC_LEN, "HMAC-SHA256")
Wrapped = B64(WRAPPED_KEY_LEN, WRAPPED_KEY_LEN, "wrapped team key (01 || ephemeral P-256 point || nonce || AES-GCM)")
Nonce = B64(NONCE_LEN, NONCE_LEN, "AES-GCM nonce")
Ciphertext = B64(TAG_LEN, limits.MAX_RECORD_CIPHERTEXT, "AES-GCM ciphertext with its tag")
Bundle = B64(NONCE_LEN + TAG_LEN, limits.MAX_INVITE_BUNDLE, "sealed invite bundle")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NewMember(Strict):
    member_id: Id
    display_name: Name(limits.MAX_DISPLAY_NAME_CHARS)
    role: Name(limits.MAX_ROLE_CHARS)
    device_label: Name(limits.MAX_DEVICE_LABEL_CHARS)
    public_key: PublicKey
    key_mac: Mac


class CreateTeam(Strict):
    team_id: Id
    member: NewMember
    wrapped_key: Wrapped
    signup_code: Optional[Annotated[str, StringConstraints(strict=True, max_length=200)]] = Field(
        None, description="the server's sign-up code, if its operator set one")


class CreateInvite(Strict):
    invite_id: Id
    key_version: KeyVersion
    bundle: Bundle


class Redeem(Strict):
    key_version: KeyVersion
    member: NewMember


class Rotate(Strict):
    key_version: KeyVersion
    commit: Mac
    remove_member_id: Optional[Id] = None
    wraps: dict[Id, Wrapped] = Field(max_length=limits.MAX_MEMBERS_PER_TEAM)
    key_macs: dict[Id, Mac] = Field(max_length=limits.MAX_MEMBERS_PER_TEAM)


class NewRecord(Strict):
    record_id: RecordId
    kind: Kind
    key_version: KeyVersion
    nonce: Nonce
    ciphertext: Ciphertext


class PushBody(Strict):
    push_id: Id
    base_seq: Seq
    records: list[NewRecord] = Field(min_length=1, max_length=limits.MAX_RECORDS_PER_PUSH)


# --- answers (for the document) ------------------------------------------------------------------------


class Health(BaseModel):
    status: str
    protocol: int


class Token(BaseModel):
    token: str = Field(description="access token: 43 characters, base64url")
    key_version: int


class InviteCreated(BaseModel):
    invite_id: Id
    expires_at: str


class PendingInvite(BaseModel):
    invite_id: Id
    created_by: Id
    created_at: str
    expires_at: str


class Invites(BaseModel):
    invites: list[PendingInvite]


class InviteOffer(BaseModel):
    team_id: Id
    bundle: Bundle
    expires_at: str


class Member(BaseModel):
    member_id: Id
    display_name: str
    role: str
    device_label: str
    coordinator: bool
    public_key: PublicKey
    key_mac: Mac
    joined_at: str
    last_seen: Optional[str]


class TeamInfo(BaseModel):
    team_id: Id
    key_version: int
    head: int
    rotation_needed: bool
    members: list[Member]


class Rotated(BaseModel):
    key_version: int


class WrappedKeyOut(BaseModel):
    version: int
    wrapped: Wrapped
    commit: Optional[Mac]


class Keys(BaseModel):
    keys: list[WrappedKeyOut]


class Pushed(BaseModel):
    seqs: list[int]
    head: int
    replayed: bool


class Change(BaseModel):
    seq: int
    record_id: RecordId
    kind: Kind
    key_version: int
    nonce: Nonce
    ciphertext: Ciphertext
    author_id: Id
    received_at: str


class Page(BaseModel):
    changes: list[Change] = Field(description=f"at most {limits.MAX_PULL_PAGE} records and "
                                              f"{limits.MAX_PULL_PAGE_BYTES} bytes of ciphertext (at least one record)")
    head: int
    more: bool
    key_version: int
    rotation_needed: bool
