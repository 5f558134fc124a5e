"""The journal's TinyDB storage: the tables are the records of the sealed container.

TinyDB keeps the journal's documents and answers its queries; this module is
its ``Storage``.  ``read`` returns the tables as decrypted from the container
(``open_body``), ``write`` takes the tables after every TinyDB change and
stages the body that will be sealed.  Sealing (AES-GCM) is asynchronous on
the web (WebCrypto), and TinyDB's storage interface is synchronous, so the
journal calls ``body()`` and writes the sealed result itself, then
``commit()`` -- or ``rollback()`` when the write failed (a full disk), which
puts the tables back as they were on disk.

Body layout (FORMAT.md): a meta line, then one JSON line per record, by
kind in the order of ``KINDS``.  Each record line is compressed on its own
(``container.make_segment``) and cached by the identity of its document:
documents are frozen, so a document that is still the same object is still
the same line, and a save re-encodes only what changed.  (The benchmark
shows why: at 1,000 incidents of 20 notes a save took 38 ms with the cache
and 489 ms without, ``tools/bench.py journal``.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from storage import container as fmt
from storage.errors import JournalTooLargeError, NewerFormatError, ValidationError
from storage.limits import MAX_BODY_PLAINTEXT, MAX_RECORDS

#: Record kind ("t" on the wire) -> TinyDB table, in body order.
KINDS = {
    "settings": "settings",
    "policy": "policy",
    "tombstone": "tombstones",
    "incident": "incidents",
    "team": "team",  # this device's team membership and keys (sharing)
    "share": "shares",  # which incidents are shared with the team
    "outbox": "outbox",  # shared records changed here and not yet sent
    "deleted": "deleted",  # shared incidents deleted by a member, restorable for a while (schema 3)
}
TABLE_KIND = {table: kind for kind, table in KINDS.items()}
#: What a backup holds; the other tables belong to this device only, and a
#: backup that has them is refused.
BACKUP_TABLES = ("settings", "policy", "incidents")
SETTINGS_ID = "settings"

_Key = tuple[str, str]  # (table, document id)


class FrozenDocument(dict):
    """A stored record: changing it in place is refused, so a document that
    is the same object as before is certainly unchanged (the segment cache
    relies on it).  Replace a document to change it."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("stored documents are replaced, never changed in place")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _refuse  # type: ignore[assignment]


class RecordTable(Table):
    """A table whose document ids are the records' own (string) ids."""

    document_id_class = str  # type: ignore[assignment]

    def _get_next_id(self):  # pragma: no cover - ids always come from the records
        raise ValueError("document ids are assigned by the journal")


class JournalDB(TinyDB):
    table_class = RecordTable

    def put(self, table: str, doc_id: str, doc: dict) -> None:
        """Insert or replace one document."""
        t = self.table(table)
        if t.contains(doc_id=doc_id):
            t.remove(doc_ids=[doc_id])
        t.insert(Document(doc, doc_id=doc_id))

    def drop(self, table: str, doc_id: str) -> None:
        t = self.table(table)
        if t.contains(doc_id=doc_id):
            t.remove(doc_ids=[doc_id])

    def clear_caches(self) -> None:
        for table in self._tables.values():
            table.clear_cache()


@dataclass
class Body:
    """A decoded body: documents by table, and each record's line as stored;
    ``schema``: the version its meta record names (``None``: not read from a file)."""

    tables: dict[str, dict[str, FrozenDocument]]
    lines: dict[_Key, bytes]
    schema: Optional[int] = None


def empty_body() -> Body:
    return Body({table: {} for table in KINDS.values()}, {})


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def read_meta(line: bytes, supported: int) -> int:
    meta = json.loads(line, parse_constant=_reject_constant)
    if not isinstance(meta, dict) or meta.get("t") != "meta" or set(meta) != {"t", "schema"}:
        raise ValueError("no meta record")
    schema = meta["schema"]
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise ValueError("bad schema")
    if schema > supported:
        raise NewerFormatError(found=schema, supported=supported)
    return schema


def decode_body(plaintext: bytes, supported: int, reuse: Optional[Body] = None) -> Body:
    """Split a body into documents by table (no validation of the documents:
    the journal's own file is authenticated; imports validate afterwards).

    ``reuse``: the body held so far -- a line that is unchanged keeps its
    document object (and so its cached segment and parsed record).
    Raises ``ValidationError``, ``NewerFormatError`` or ``ValueError``.
    """
    lines = plaintext.split(b"\n")
    if not plaintext.endswith(b"\n") or len(lines) < 2:
        raise ValueError("no records")
    schema = read_meta(lines[0], supported)
    if len(lines) - 2 > MAX_RECORDS + 1:
        raise ValidationError("record", "too many records")
    known = {line: key for key, line in reuse.lines.items()} if reuse is not None else {}
    tables: dict[str, dict[str, FrozenDocument]] = {table: {} for table in KINDS.values()}
    out_lines: dict[_Key, bytes] = {}
    for raw in lines[1:-1]:
        line = raw + b"\n"
        key = known.get(line)
        if key is not None and reuse is not None:
            table, rid = key
            doc = reuse.tables[table][rid]
        else:
            record = json.loads(raw, parse_constant=_reject_constant)
            if not isinstance(record, dict) or set(record) != {"t", "doc"}:
                raise ValidationError("record", "not a record")
            table = KINDS.get(record["t"]) if isinstance(record["t"], str) else None
            doc = record["doc"]
            if table is None:
                raise ValidationError("record.t", "unknown record kind")
            if not isinstance(doc, dict):
                raise ValidationError(f"{record['t']}", "not an object")
            rid = SETTINGS_ID if table == KINDS["settings"] else doc.get("id")
            if not isinstance(rid, str):
                raise ValidationError(f"{record['t']}.id", "missing")
            doc = FrozenDocument(doc)
        if rid in tables[table]:
            raise ValidationError(f"{TABLE_KIND[table]}.id", "duplicate id")
        tables[table][rid] = doc
        out_lines[(table, rid)] = line
    return Body(tables, out_lines, schema)


def record_line(table: str, doc: dict) -> bytes:
    return fmt.dump_record({"t": TABLE_KIND[table], "doc": doc})


def meta_line(schema: int) -> bytes:
    return fmt.dump_record({"t": "meta", "schema": schema})


class SealedStorage(Storage):
    """TinyDB storage over a decoded journal body (see the module docstring)."""

    def __init__(self, body: Body, encoding: int, schema: int) -> None:
        self._tables = body.tables
        self._committed = _copy(self._tables)
        self._encoding = encoding
        self._meta = fmt.make_segment(meta_line(schema), encoding)
        # (table, id) -> (document, its line, its segment once compressed),
        # valid while the document is that very object
        self._known: dict[_Key, tuple[dict, bytes, Optional[fmt.Segment]]] = {
            key: (body.tables[key[0]][key[1]], line, None) for key, line in body.lines.items()
        }
        # documents whose segment may not be known yet (new ones, and all at first)
        self._unknown: set[_Key] = {(t, rid) for t, docs in body.tables.items() for rid in docs}
        self.dirty = False  # tables changed since the last commit or rollback

    # -- TinyDB's interface --------------------------------------------------------

    def read(self) -> dict:
        return self._tables

    def write(self, data: dict) -> None:
        for name, table in data.items():
            for rid, doc in table.items():
                if type(doc) is not FrozenDocument:  # inserted by this change (TinyDB copies it)
                    table[rid] = FrozenDocument(doc)
                    self._unknown.add((name, rid))
        self._tables = data
        self.dirty = True

    # -- the journal's side --------------------------------------------------------

    def documents(self, table: str) -> dict[str, FrozenDocument]:
        return self._tables.get(table, {})

    def _line(self, key: _Key, doc: dict) -> Optional[tuple[bytes, Optional[fmt.Segment]]]:
        known = self._known.get(key)
        return (known[1], known[2]) if known is not None and known[0] is doc else None

    def pending_lines(self) -> list[tuple[_Key, dict, bytes]]:
        """Records whose compressed segment is not known yet, with their lines
        (compressed off the event loop by ``prepare``)."""
        out = []
        for key in list(self._unknown):
            doc = self._tables.get(key[0], {}).get(key[1])
            known = None if doc is None else self._line(key, doc)
            if doc is None or (known is not None and known[1] is not None):
                self._unknown.discard(key)  # gone, or known after all
            elif known is None:
                out.append((key, doc, record_line(key[0], doc)))
            else:
                out.append((key, doc, known[0]))
        return out

    def prepare(self, pending: Iterable[tuple[_Key, dict, bytes]]) -> list[tuple[_Key, dict, bytes, fmt.Segment]]:
        """Compress lines (pure: safe in a worker thread)."""
        return [(key, doc, line, fmt.make_segment(line, self._encoding)) for key, doc, line in pending]

    def remember(self, prepared: Iterable[tuple[_Key, dict, bytes, fmt.Segment]]) -> None:
        """Keep prepared segments whose document is still the one stored."""
        for key, doc, line, segment in prepared:
            table, rid = key
            if self._tables.get(table, {}).get(rid) is doc:
                self._known[key] = (doc, line, segment)
                self._unknown.discard(key)

    def adopt(self, other: "SealedStorage") -> None:
        """Keep ``other``'s compressed segments of the documents both hold (after
        taking in another window's file, only what it changed is re-encoded)."""
        for key, (doc, line, segment) in other._known.items():
            if segment is not None and self._tables.get(key[0], {}).get(key[1]) is doc:
                self._known[key] = (doc, line, segment)
                self._unknown.discard(key)

    def body(self) -> bytes:
        """The body as the tables stand, encoded (only new documents are).

        Raises ``JournalTooLargeError`` when it would exceed what a reader accepts.
        """
        self.remember(self.prepare(self.pending_lines()))
        segments = [self._meta]
        for table in KINDS.values():
            for rid in self._tables.get(table, {}):
                segments.append(self._known[(table, rid)][2])
        records = len(segments) - 1
        size = sum(s.length for s in segments)
        if size > MAX_BODY_PLAINTEXT or records > MAX_RECORDS + 1:
            raise JournalTooLargeError(size=size)
        return fmt.assemble_body(segments, self._encoding)

    def commit(self) -> None:
        """The staged tables are on disk now."""
        self._committed = _copy(self._tables)
        self.dirty = False
        live = {(t, rid) for t, docs in self._tables.items() for rid in docs}
        for key in [k for k in self._known if k not in live]:
            del self._known[key]

    def rollback(self) -> None:
        """The write failed: back to the tables as they are on disk."""
        self._tables = _copy(self._committed)
        self.dirty = False

    def snapshot(self) -> Body:
        """The committed records with their lines (to recognise unchanged
        records when another window's version of the file is taken in, and
        to export them)."""
        lines = {}
        for table, docs in self._committed.items():
            for rid, doc in docs.items():
                known = self._line((table, rid), doc)
                lines[(table, rid)] = known[0] if known is not None else record_line(table, doc)
        return Body(_copy(self._committed), lines)


def _copy(tables: dict[str, dict]) -> dict[str, dict]:
    return {name: dict(docs) for name, docs in tables.items()}


def open_db(body: Body, encoding: int, schema: int) -> JournalDB:
    """A TinyDB over ``body`` (no query cache is kept across writes: TinyDB clears it)."""
    for table in KINDS.values():
        body.tables.setdefault(table, {})
    return JournalDB(body, encoding, schema, storage=SealedStorage)


__all__ = [
    "Body",
    "FrozenDocument",
    "JournalDB",
    "BACKUP_TABLES",
    "KINDS",
    "SETTINGS_ID",
    "SealedStorage",
    "decode_body",
    "empty_body",
    "meta_line",
    "open_db",
    "read_meta",
    "record_line",
]
