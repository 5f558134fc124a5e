"""The server's tables. Nothing in them is plaintext of a journal.

Every byte column holds ciphertext, a MAC, a public key or a SHA-256 of an
access token. Times are UTC. The migrations (``0001`` to ``0003``) create
exactly these. The hot routes (pull, push, the token check, the event
stream) use the tables through SQLAlchemy Core (``Model.__table__``), never
as ORM objects.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    key_version: Mapped[int] = mapped_column(Integer)
    head_seq: Mapped[int] = mapped_column(BigInteger)  # the last sequence number given out
    rotation_needed: Mapped[bool] = mapped_column(Boolean)  # a member left: rotate before the next push
    roster: Mapped[int] = mapped_column(Integer, default=0)  # counts joins, leaves and removals (for streams)
    stored_bytes: Mapped[int] = mapped_column(BigInteger, default=0)  # ciphertext in the log (the quota)
    last_active: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)  # last push or member seen


class Member(Base):
    __tablename__ = "members"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)  # SHA-256 of the access token
    public_key: Mapped[bytes] = mapped_column(LargeBinary(65))
    key_mac: Mapped[bytes] = mapped_column(LargeBinary(32))
    display_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(60))
    device_label: Mapped[str] = mapped_column(String(60))
    coordinator: Mapped[bool] = mapped_column(Boolean)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    removed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    recent_pushes: Mapped[str] = mapped_column(String(1000), default="")  # server.push_ids: a retry appends nothing


class WrappedKey(Base):
    """A team key version wrapped to one member's public key."""

    __tablename__ = "wrapped_keys"

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), primary_key=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    commit: Mapped[Optional[bytes]] = mapped_column(LargeBinary, nullable=True)  # None for version 1


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # derived from the code; not the code
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), index=True)
    created_by: Mapped[str] = mapped_column(ForeignKey("members.id"))
    key_version: Mapped[int] = mapped_column(Integer)
    bundle: Mapped[bytes] = mapped_column(LargeBinary)  # team keys, encrypted under the code-derived key
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    redeemed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)


class Change(Base):
    """The log: one encrypted record per row, numbered per team, compacted
    (``server.compaction``): a row stays while no later row supersedes it."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_record", "team_id", "record_id"),)

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    record_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    key_version: Mapped[int] = mapped_column(Integer)
    nonce: Mapped[bytes] = mapped_column(LargeBinary(12))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    author_id: Mapped[str] = mapped_column(String(32))
    base_seq: Mapped[int] = mapped_column(BigInteger)
    push_id: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    size: Mapped[int] = mapped_column(Integer)  # len(ciphertext): pages are cut by it before rows are read
