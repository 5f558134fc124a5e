"""The encrypted container format (see ``storage/FORMAT.md``).

Pure Python on top of a ``CryptoBackend``: no file I/O, no threads, no
``cryptography`` import, so the same code runs under Pyodide.

A file is a 128-byte header followed by the AES-256-GCM encrypted body
(ciphertext || 16-byte tag).  The header holds a *key slot* (PBKDF2
parameters and the AES-GCM-wrapped data key) and the body nonce, and it is
the associated data of the body, so no header byte can change unnoticed.
"""

from __future__ import annotations

import hashlib
import json
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from typing import Iterable, Optional

from storage.backends import CryptoBackend, DecryptionFailed
from storage.errors import DamagedFileError, NewerFormatError, ValidationError
from storage.limits import MAX_BODY_PLAINTEXT

MAGIC = b"\x89SOI\r\n\x1a\n"
FORMAT_VERSION = 1
HEADER_LEN = 128
CHECKSUM_LEN = 16
TAG_LEN = 16
KEY_LEN = 32
SALT_LEN = 16
NONCE_LEN = 12
WRAPPED_KEY_LEN = KEY_LEN + TAG_LEN

KIND_JOURNAL = 1
KIND_BACKUP = 2
KIND_NAMES = {KIND_JOURNAL: "journal", KIND_BACKUP: "backup"}

KDF_PBKDF2_SHA256 = 1

ENCODING_RAW = 0  # body plaintext is the NDJSON records as is
ENCODING_ZLIB = 1  # body plaintext is a zlib (RFC 1950) stream of the records

DEFAULT_ITERATIONS = 600_000
MIN_ITERATIONS = 100_000  # below this a file is "damaged" (never trusted from a file)
MAX_ITERATIONS = 10_000_000  # above this a file is "damaged" (would hang the app)

# Offsets of the v1 header (all integers big-endian).
_OFF_VERSION = 8  # uint16
_OFF_HEADER_LEN = 10  # uint16
_OFF_KIND = 12  # uint8
_OFF_KDF = 13  # uint8
_OFF_RESERVED1 = 14  # 2 bytes, zero
_OFF_ITERATIONS = 16  # uint32
_OFF_SALT = 20  # 16 bytes
_OFF_WRAP_NONCE = 36  # 12 bytes
_OFF_WRAPPED_KEY = 48  # 48 bytes
_OFF_ENCODING = 96  # uint8
_OFF_RESERVED2 = 97  # 3 bytes, zero
_OFF_BODY_NONCE = 100  # 12 bytes
_OFF_CHECKSUM = 112  # 16 bytes = SHA-256(header[0:112])[0:16]
KEY_SLOT_AAD_LEN = _OFF_WRAP_NONCE  # the wrap's associated data: header[0:36]


def normalize_passphrase(passphrase: str) -> bytes:
    """NFC-normalised UTF-8, so the same typed passphrase gives the same key on
    every platform (some keyboards produce decomposed accents)."""
    if not isinstance(passphrase, str) or passphrase == "":
        raise ValidationError("passphrase", "empty")
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


@dataclass(frozen=True)
class KeySlot:
    """PBKDF2 parameters plus the wrapped data key; constant between passphrase changes."""

    iterations: int
    salt: bytes
    wrap_nonce: bytes
    wrapped_key: bytes


@dataclass(frozen=True)
class Header:
    version: int
    kind: int
    kdf: int
    encoding: int
    body_nonce: bytes
    slot: KeySlot
    raw: bytes  # the 128 header bytes as read/written (the body's AAD)


def _prefix(version: int, kind: int, kdf: int, iterations: int, salt: bytes) -> bytes:
    return (
        MAGIC
        + struct.pack(">HHBBHI", version, HEADER_LEN, kind, kdf, 0, iterations)
        + salt
    )


def key_slot_aad(kind: int, iterations: int, salt: bytes) -> bytes:
    """The associated data of the key wrap: header bytes 0..36."""
    aad = _prefix(FORMAT_VERSION, kind, KDF_PBKDF2_SHA256, iterations, salt)
    assert len(aad) == KEY_SLOT_AAD_LEN
    return aad


def pack_header(kind: int, slot: KeySlot, encoding: int, body_nonce: bytes) -> bytes:
    if len(slot.salt) != SALT_LEN or len(slot.wrap_nonce) != NONCE_LEN:
        raise ValueError("bad key slot")
    if len(slot.wrapped_key) != WRAPPED_KEY_LEN or len(body_nonce) != NONCE_LEN:
        raise ValueError("bad key slot or nonce")
    head = (
        _prefix(FORMAT_VERSION, kind, KDF_PBKDF2_SHA256, slot.iterations, slot.salt)
        + slot.wrap_nonce
        + slot.wrapped_key
        + struct.pack(">B3x", encoding)
        + body_nonce
    )
    assert len(head) == _OFF_CHECKSUM
    header = head + hashlib.sha256(head).digest()[:CHECKSUM_LEN]
    assert len(header) == HEADER_LEN
    return header


def parse_header(
    blob: bytes,
    *,
    min_iterations: int = MIN_ITERATIONS,
    max_iterations: int = MAX_ITERATIONS,
) -> Header:
    """Parse and check a header.  Raises ``DamagedFileError`` (with ``reason``)
    or ``NewerFormatError``; never anything else."""
    n = len(blob)
    if n == 0:
        raise DamagedFileError(reason="empty")
    if blob[: min(n, 8)] != MAGIC[: min(n, 8)]:
        raise DamagedFileError(reason="magic")
    if n < 12:
        raise DamagedFileError(reason="truncated")
    version, header_len = struct.unpack_from(">HH", blob, _OFF_VERSION)
    # Frozen for every version: magic, version, header length, and a
    # SHA-256-based checksum in the header's last 16 bytes.  So a damaged
    # header is told apart from a newer version before anything else.
    if header_len < 12 + CHECKSUM_LEN:
        raise DamagedFileError(reason="header")
    if n < header_len:
        raise DamagedFileError(reason="truncated")
    checksum = hashlib.sha256(blob[: header_len - CHECKSUM_LEN]).digest()[:CHECKSUM_LEN]
    if checksum != blob[header_len - CHECKSUM_LEN : header_len]:
        raise DamagedFileError(reason="header_checksum")
    if version > FORMAT_VERSION:
        raise NewerFormatError(found=version, supported=FORMAT_VERSION)
    if version != FORMAT_VERSION or header_len != HEADER_LEN:
        raise DamagedFileError(reason="header")
    kind, kdf, reserved1, iterations = struct.unpack_from(">BBHI", blob, _OFF_KIND)
    encoding = blob[_OFF_ENCODING]
    reserved2 = blob[_OFF_RESERVED2 : _OFF_RESERVED2 + 3]
    if (
        kind not in KIND_NAMES
        or kdf != KDF_PBKDF2_SHA256
        or reserved1 != 0
        or reserved2 != b"\0\0\0"
        or encoding not in (ENCODING_RAW, ENCODING_ZLIB)
    ):
        raise DamagedFileError(reason="header")
    if not (min_iterations <= iterations <= max_iterations):
        raise DamagedFileError(reason="kdf_params")
    if n < HEADER_LEN + TAG_LEN:
        raise DamagedFileError(reason="truncated")
    slot = KeySlot(
        iterations=iterations,
        salt=bytes(blob[_OFF_SALT : _OFF_SALT + SALT_LEN]),
        wrap_nonce=bytes(blob[_OFF_WRAP_NONCE : _OFF_WRAP_NONCE + NONCE_LEN]),
        wrapped_key=bytes(blob[_OFF_WRAPPED_KEY : _OFF_WRAPPED_KEY + WRAPPED_KEY_LEN]),
    )
    return Header(
        version=version,
        kind=kind,
        kdf=kdf,
        encoding=encoding,
        body_nonce=bytes(blob[_OFF_BODY_NONCE : _OFF_BODY_NONCE + NONCE_LEN]),
        slot=slot,
        raw=bytes(blob[:HEADER_LEN]),
    )


# -- key slot ------------------------------------------------------------------


async def derive_kek(crypto: CryptoBackend, passphrase: bytes, slot_salt: bytes, iterations: int) -> bytes:
    return await crypto.pbkdf2_sha256(passphrase, slot_salt, iterations, KEY_LEN)


async def make_key_slot(
    crypto: CryptoBackend,
    passphrase: bytes,
    data_key: bytes,
    *,
    kind: int,
    iterations: int,
    salt: Optional[bytes] = None,
    wrap_nonce: Optional[bytes] = None,
) -> KeySlot:
    """Wrap ``data_key`` under a key derived from ``passphrase`` (fresh salt/nonce)."""
    salt = salt if salt is not None else crypto.random_bytes(SALT_LEN)
    wrap_nonce = wrap_nonce if wrap_nonce is not None else crypto.random_bytes(NONCE_LEN)
    kek = await derive_kek(crypto, passphrase, salt, iterations)
    wrapped = await crypto.aes_gcm_encrypt(kek, wrap_nonce, data_key, key_slot_aad(kind, iterations, salt))
    return KeySlot(iterations=iterations, salt=salt, wrap_nonce=wrap_nonce, wrapped_key=wrapped)


async def open_key_slot(crypto: CryptoBackend, header: Header, passphrase: bytes) -> bytes:
    """Unwrap the data key.  Raises ``DecryptionFailed`` for a wrong passphrase."""
    slot = header.slot
    kek = await derive_kek(crypto, passphrase, slot.salt, slot.iterations)
    data_key = await crypto.aes_gcm_decrypt(
        kek, slot.wrap_nonce, slot.wrapped_key, header.raw[:KEY_SLOT_AAD_LEN]
    )
    if len(data_key) != KEY_LEN:  # pragma: no cover - would need a forged tag
        raise DecryptionFailed()
    return data_key


# -- body --------------------------------------------------------------------


async def seal(
    crypto: CryptoBackend,
    *,
    kind: int,
    slot: KeySlot,
    data_key: bytes,
    body: bytes,
    encoding: int,
    body_nonce: Optional[bytes] = None,
) -> bytes:
    """Header + AES-GCM(data_key, body_nonce, body, aad=header).  ``body`` is
    already encoded (see ``assemble_body``)."""
    body_nonce = body_nonce if body_nonce is not None else crypto.random_bytes(NONCE_LEN)
    header = pack_header(kind, slot, encoding, body_nonce)
    ciphertext = await crypto.aes_gcm_encrypt(data_key, body_nonce, body, header)
    return header + ciphertext


async def open_body(crypto: CryptoBackend, header: Header, blob: bytes, data_key: bytes) -> bytes:
    """Decrypt and decode the body to the NDJSON record bytes.

    Raises ``DamagedFileError`` if it does not authenticate or decode.
    """
    try:
        body = await crypto.aes_gcm_decrypt(data_key, header.body_nonce, bytes(blob[HEADER_LEN:]), header.raw)
    except DecryptionFailed:
        raise DamagedFileError(reason="body") from None
    if header.encoding == ENCODING_RAW:
        if len(body) > MAX_BODY_PLAINTEXT:
            raise DamagedFileError(reason="body")
        return body
    try:
        d = zlib.decompressobj()
        out = d.decompress(body, MAX_BODY_PLAINTEXT)
        if d.unconsumed_tail or not d.eof or d.unused_data:
            raise DamagedFileError(reason="body")
        return out
    except zlib.error:
        raise DamagedFileError(reason="body") from None


# -- body encoding: NDJSON records, optionally as a zlib stream of segments ---


def dump_record(record: dict) -> bytes:
    """One record as a UTF-8 JSON line (canonical: sorted keys, no spaces)."""
    return (
        json.dumps(record, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
        + b"\n"
    )


@dataclass(frozen=True)
class Segment:
    """One record line, pre-encoded for the body.

    With ``ENCODING_ZLIB`` ``data`` is a raw-deflate fragment of the line that
    ends on a byte boundary (``Z_SYNC_FLUSH``) and refers to nothing before
    it, so fragments can be concatenated into one valid deflate stream; the
    Adler-32 of the line is kept to compute the stream's checksum without
    the plaintext.  This is what makes a save cost O(changed record).
    """

    data: bytes
    adler: int
    length: int


_ADLER_BASE = 65521
_ZLIB_HEADER = b"\x78\x01"  # CMF: deflate, 32 KiB window; FLG: fastest, FCHECK ok
_DEFLATE_FINAL_EMPTY_BLOCK = b"\x03\x00"
SEGMENT_LEVEL = 1  # fast; level 6 saves ~8% size at twice the CPU


def make_segment(line: bytes, encoding: int) -> Segment:
    if encoding == ENCODING_RAW:
        return Segment(line, 0, len(line))
    c = zlib.compressobj(SEGMENT_LEVEL, zlib.DEFLATED, -15)
    data = c.compress(line) + c.flush(zlib.Z_SYNC_FLUSH)
    return Segment(data, zlib.adler32(line), len(line))


def adler32_combine(adler1: int, adler2: int, len2: int) -> int:
    """zlib's ``adler32_combine``: the Adler-32 of A+B from those of A and B."""
    rem = len2 % _ADLER_BASE
    sum1 = adler1 & 0xFFFF
    sum2 = (rem * sum1) % _ADLER_BASE
    sum1 += (adler2 & 0xFFFF) + _ADLER_BASE - 1
    sum2 += ((adler1 >> 16) & 0xFFFF) + ((adler2 >> 16) & 0xFFFF) + _ADLER_BASE - rem
    if sum1 >= _ADLER_BASE:
        sum1 -= _ADLER_BASE
    if sum1 >= _ADLER_BASE:
        sum1 -= _ADLER_BASE
    if sum2 >= (_ADLER_BASE << 1):
        sum2 -= _ADLER_BASE << 1
    if sum2 >= _ADLER_BASE:
        sum2 -= _ADLER_BASE
    return sum1 | (sum2 << 16)


def assemble_body(segments: Iterable[Segment], encoding: int) -> bytes:
    if encoding == ENCODING_RAW:
        return b"".join(s.data for s in segments)
    adler = 1
    parts = [_ZLIB_HEADER]
    for s in segments:
        parts.append(s.data)
        adler = adler32_combine(adler, s.adler, s.length)
    parts.append(_DEFLATE_FINAL_EMPTY_BLOCK)
    parts.append(struct.pack(">I", adler))
    return b"".join(parts)


def encode_records(records: Iterable[dict], encoding: int) -> bytes:
    return assemble_body((make_segment(dump_record(r), encoding) for r in records), encoding)


def parse_records(plaintext: bytes) -> list[dict]:
    """Split the NDJSON body into records.  Raises ``ValueError`` on anything odd."""
    if plaintext and not plaintext.endswith(b"\n"):
        raise ValueError("body does not end with a newline")
    records = []
    for line in plaintext.split(b"\n")[:-1]:
        record = json.loads(line.decode("utf-8"))
        if not isinstance(record, dict):
            raise ValueError("record is not an object")
        records.append(record)
    return records


__all__ = [
    "DEFAULT_ITERATIONS",
    "ENCODING_RAW",
    "ENCODING_ZLIB",
    "FORMAT_VERSION",
    "HEADER_LEN",
    "Header",
    "KIND_BACKUP",
    "KIND_JOURNAL",
    "KeySlot",
    "MAGIC",
    "MAX_ITERATIONS",
    "MIN_ITERATIONS",
    "Segment",
    "adler32_combine",
    "assemble_body",
    "dump_record",
    "encode_records",
    "make_key_slot",
    "make_segment",
    "normalize_passphrase",
    "open_body",
    "open_key_slot",
    "pack_header",
    "parse_header",
    "parse_records",
    "seal",
]
