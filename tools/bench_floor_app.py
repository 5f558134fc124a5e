"""The floor of ``tools/bench.py sync``: the least a server can do for a sync.

A minimal FastAPI app on SQLite (stdlib ``sqlite3``, WAL, ``synchronous=FULL``
like the team server) with the team server's two hot calls and the same JSON
shapes, so the same load generator drives both: an authenticated append
(``POST /api/v1/changes``: look up the token's hash, number the records
after the team's head, store them) and an authenticated read after a
sequence number (``GET /api/v1/changes?after=``). No validation beyond
parsing, no quotas, no compaction, no streams, no middleware.

    python tools/bench_floor_app.py DB_FILE PORT    (the benchmark fills DB_FILE with ``populate``)
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import sys
import threading

from fastapi import FastAPI, Request, Response

SCHEMA = """
CREATE TABLE IF NOT EXISTS members (token_hash BLOB PRIMARY KEY, member_id TEXT, team_id TEXT);
CREATE TABLE IF NOT EXISTS teams (id TEXT PRIMARY KEY, head INTEGER);
CREATE TABLE IF NOT EXISTS changes (team_id TEXT, seq INTEGER, record_id TEXT, nonce BLOB, ciphertext BLOB,
                                    author_id TEXT, PRIMARY KEY (team_id, seq));
"""


def populate(path: str, members: list[tuple[str, str, str]]) -> None:
    """``members``: (token, member id, team id)."""
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO members VALUES (?, ?, ?)",
                     [(hashlib.sha256(t.encode()).digest(), m, team) for t, m, team in members])
    conn.executemany("INSERT OR IGNORE INTO teams VALUES (?, 0)", [(team,) for _, _, team in members])
    conn.commit()
    conn.close()


def make_app(path: str) -> FastAPI:
    app = FastAPI()
    local = threading.local()

    def db() -> sqlite3.Connection:
        if not hasattr(local, "conn"):
            local.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
            local.conn.execute("PRAGMA journal_mode=WAL")
            local.conn.execute("PRAGMA synchronous=FULL")
        return local.conn

    def member(conn, request: Request):
        token = request.headers.get("authorization", "").partition(" ")[2]
        return conn.execute("SELECT member_id, team_id FROM members WHERE token_hash = ?",
                            (hashlib.sha256(token.encode()).digest(),)).fetchone()

    @app.get("/api/v1/changes")
    def pull(request: Request, after: int = 0) -> Response:
        conn = db()
        who = member(conn, request)
        if who is None:
            return Response(status_code=401)
        head = conn.execute("SELECT head FROM teams WHERE id = ?", (who[1],)).fetchone()[0]
        rows = conn.execute("SELECT seq, record_id, nonce, ciphertext, author_id FROM changes "
                            "WHERE team_id = ? AND seq > ? ORDER BY seq LIMIT 500", (who[1], after)).fetchall()
        b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
        return Response(json.dumps({"changes": [
            {"seq": s, "record_id": r, "nonce": b64(n), "ciphertext": b64(c), "author_id": a}
            for s, r, n, c, a in rows], "head": head, "more": len(rows) == 500}), media_type="application/json")

    @app.post("/api/v1/changes", status_code=201)
    async def push(request: Request) -> Response:
        body = json.loads(await request.body())
        records = [(r["record_id"], base64.urlsafe_b64decode(r["nonce"] + "=="),
                    base64.urlsafe_b64decode(r["ciphertext"] + "=" * (-len(r["ciphertext"]) % 4)))
                   for r in body["records"]]
        conn = db()
        conn.execute("BEGIN IMMEDIATE")
        try:
            who = member(conn, request)
            if who is None:
                conn.execute("ROLLBACK")
                return Response(status_code=401)
            head = conn.execute("SELECT head FROM teams WHERE id = ?", (who[1],)).fetchone()[0]
            conn.executemany("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?)",
                             [(who[1], head + 1 + i, rid, n, c, who[0]) for i, (rid, n, c) in enumerate(records)])
            conn.execute("UPDATE teams SET head = ? WHERE id = ?", (head + len(records), who[1]))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        seqs = list(range(head + 1, head + 1 + len(records)))
        return Response(json.dumps({"seqs": seqs, "head": seqs[-1], "replayed": False}), status_code=201,
                        media_type="application/json")

    return app


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(make_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), access_log=False,
                log_level="warning")
