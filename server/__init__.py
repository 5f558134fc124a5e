"""The team server: stores and forwards ciphertext for action teams.

Module map (protocol: ``PROTOCOL.md``; running it: ``docs/team-server.md``):

* ``config``         — the operator's settings from the environment;
* ``models``         — the tables (SQLAlchemy 2; the hot routes use them through Core);
* ``db``             — engines, one transaction per request in a worker thread, SQLite's single
  writer, migrations on start;
* ``migrations``     — Alembic scripts (data of this package);
* ``auth``           — the access token check inside the request's transaction;
* ``context``        — what the routes share (database, limits, clock, the hub of streams);
* ``schemas``        — request and answer models with every length the server enforces;
* ``errors``         — refusals, the statuses each route declares, the crash guard;
* ``membership``     — what the server can check of keys (points on P-256, wraps);
* ``compaction``     — what the log keeps (each member's newest version of a record, tombstones);
* ``routes_changes`` — push and pull, the hot path;
* ``routes_events``  — the event stream (Server-Sent Events);
* ``routes_team``    — members, leaving, rotation (coordinator only), deleting the team, keys;
* ``routes_invites`` — creating a team, invites, joining;
* ``hub``, ``notify`` — team events fanned out to this process's streams; PostgreSQL LISTEN/NOTIFY;
* ``housekeeping``   — idle teams expire;
* ``ratelimit``      — sliding-window limits per client address or member;
* ``protocol``       — uvicorn's HTTP protocol with a deadline for the request head;
* ``site``           — the static web app at ``/``, headers, request bounds, the access log;
* ``app``            — puts them together (``create_app``);
* ``__main__``       — ``python -m server``: migrate, then uvicorn.

The server never sees plaintext: records, team keys and invite bundles
arrive encrypted, and it stores only a hash of each access token.
"""
