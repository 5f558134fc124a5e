"""The team server: stores and forwards ciphertext for action teams.

Module map (protocol: ``PROTOCOL.md``; running it: ``docs/team-server.md``):

* ``config``     — settings from the environment (port, data folder, database URL);
* ``models``     — the tables (SQLAlchemy 2);
* ``db``         — engine, transactions, the per-team row lock, migrations on start;
* ``migrations`` — Alembic scripts (data of this package);
* ``ratelimit``  — sliding-window limits per client address or member;
* ``api``        — the JSON API under ``/api/v1`` (FastAPI);
* ``site``       — the static web app at ``/`` with its headers, the access log without addresses,
  the request size limit;
* ``app``        — puts them together (``create_app``);
* ``__main__``   — ``python -m server``: migrate, then uvicorn.

The server never sees plaintext: records, team keys and invite bundles
arrive encrypted, and it stores only a hash of each access token.
"""
