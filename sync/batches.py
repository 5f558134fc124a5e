"""How an outbox goes out: pushes bounded by record count *and* by bytes.

The server refuses a push of more than ``MAX_RECORDS_PER_PUSH`` records or
with a body over ``MAX_REQUEST_BYTES`` (413), and a record whose ciphertext
is over ``MAX_RECORD_CIPHERTEXT``. A push's body size follows from the
plaintexts alone -- the padding is fixed, base64url adds a third, ids and
kinds are ASCII and need no escaping -- so the outbox is packed into pushes
the server takes before anything is sealed (``plan``). A record that can
never go (larger than ``MAX_RECORD_PLAINTEXT``, or an id or kind the
protocol does not allow) is set aside, so it does not hold back the others.
"""

from __future__ import annotations

import re
from typing import Sequence

from sync.client import OutgoingRecord, push_body
from sync.crypto import NONCE_LEN, SealedRecord
from sync.limits import (
    GCM_TAG_BYTES,
    KIND_PATTERN,
    MAX_RECORD_PLAINTEXT,
    MAX_RECORDS_PER_PUSH,
    MAX_REQUEST_BYTES,
    RECORD_ID_PATTERN,
    padded_len,
)
from sync.messages import MAX_SEQ
from sync.transport import encode_body

_RECORD_ID = re.compile(RECORD_ID_PATTERN)
_KIND = re.compile(KIND_PATTERN)


def b64_len(n: int) -> int:
    """Characters of ``n`` bytes in base64url without padding."""
    return (4 * n + 2) // 3


#: The body of a push without records, with the longest push id and base_seq there are.
ENVELOPE_BYTES = len(encode_body(push_body("0" * 32, MAX_SEQ, [])))


def entry_bytes(record: OutgoingRecord, key_version: int) -> int:
    """What ``record`` adds to a push's body once sealed under ``key_version`` (without the comma)."""
    empty = SealedRecord(record.record_id, record.kind, key_version, b"", b"")
    ciphertext = padded_len(len(record.plaintext)) + GCM_TAG_BYTES
    return len(encode_body(push_body("", 0, [empty])["records"][0])) + b64_len(NONCE_LEN) + b64_len(ciphertext)


def sendable(record: OutgoingRecord) -> bool:
    """Whether the protocol can carry ``record`` at all."""
    return (len(record.plaintext) <= MAX_RECORD_PLAINTEXT and _RECORD_ID.match(record.record_id) is not None
            and _KIND.match(record.kind) is not None)


def plan(records: Sequence[OutgoingRecord], key_version: int,
         max_bytes: int = MAX_REQUEST_BYTES) -> tuple[list[list[OutgoingRecord]], list[OutgoingRecord]]:
    """``(pushes, unsendable)``: the records in order, packed into pushes of at
    most ``MAX_RECORDS_PER_PUSH`` records and ``max_bytes`` of body each, and
    the records no push can carry."""
    pushes: list[list[OutgoingRecord]] = []
    unsendable: list[OutgoingRecord] = []
    batch: list[OutgoingRecord] = []
    size = ENVELOPE_BYTES
    for record in records:
        if not sendable(record):
            unsendable.append(record)
            continue
        entry = entry_bytes(record, key_version)
        if batch and (len(batch) == MAX_RECORDS_PER_PUSH or size + 1 + entry > max_bytes):
            pushes.append(batch)
            batch, size = [], ENVELOPE_BYTES
        size += entry + (1 if batch else 0)  # a comma before every record but the first
        batch.append(record)
    if batch:
        pushes.append(batch)
    return pushes, unsendable


__all__ = ["ENVELOPE_BYTES", "b64_len", "entry_bytes", "plan", "sendable"]
