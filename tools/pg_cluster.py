"""A throwaway PostgreSQL cluster for tests and benchmarks (Debian's ``postgresql``).

    python tools/pg_cluster.py start DIR    # prints postgresql://postgres@127.0.0.1:PORT/postgres
    python tools/pg_cluster.py stop DIR     # stops it and removes DIR

``initdb`` into ``DIR/data`` with trust authentication for local
connections, then ``pg_ctl start`` on a free port, listening on 127.0.0.1
and a socket in ``DIR``. PostgreSQL refuses to run as root, so as root the
cluster belongs to the ``postgres`` user (which Debian's package creates).
``tools/test`` and ``tools/bench.py sync`` use it; nothing touches the
system's own cluster.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator


def _bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise SystemExit("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    return Path(found[-1]).parent


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(directory: Path) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    pg = _bin()
    port = _free_port()
    run = lambda args, log: subprocess.run(_as_owner(args), stdout=open(directory / log, "ab"),  # noqa: E731
                                           stderr=subprocess.STDOUT, check=False)
    done = run([str(pg / "initdb"), "-D", str(directory / "data"), "-U", "postgres", "--auth=trust", "--no-sync",
                "-E", "UTF8"], "initdb.log")
    if done.returncode != 0:
        raise SystemExit((directory / "initdb.log").read_text(errors="replace"))
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
    done = run([str(pg / "pg_ctl"), "-D", str(directory / "data"), "-l", str(directory / "server.log"), "-w",
                "-o", options, "start"], "pg_ctl.log")
    if done.returncode != 0:
        raise SystemExit((directory / "server.log").read_text(errors="replace"))
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def stop(directory: Path) -> None:
    if (directory / "data").exists():
        subprocess.run(_as_owner([str(_bin() / "pg_ctl"), "-D", str(directory / "data"), "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def cluster() -> Iterator[str]:
    directory = Path(tempfile.mkdtemp(prefix="stappenplan-pg."))
    try:
        yield start(directory)
    finally:
        stop(directory)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    if argv[0] == "start":
        print(start(Path(argv[1])))
    else:
        stop(Path(argv[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
