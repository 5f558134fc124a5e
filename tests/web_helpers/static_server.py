"""A plain static file server in a thread (Python's ``http.server``).

What a school's web server does for the static build: files, no server-side
code, no compression, no special headers.  It also counts what it sends, so
tests and the benchmark can report bytes transferred from the server's side
(which includes the service worker's downloads; the browser's own network
events do not).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Served:
    path: str
    status: int
    bytes: int


class _Handler(SimpleHTTPRequestHandler):
    server_version = "StaticServer"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)

    def handle_one_request(self):
        self._status = 0
        counted = _CountingWriter(self.wfile)
        self.wfile = counted
        try:
            super().handle_one_request()
        finally:
            if getattr(self, "path", None) and self._status:
                self.server.log_request_done(Served(self.path, self._status, counted.count))


class _CountingWriter:
    def __init__(self, raw):
        self.raw = raw
        self.count = 0

    def write(self, data):
        self.count += len(data)
        return self.raw.write(data)

    def __getattr__(self, name):
        return getattr(self.raw, name)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.served: list[Served] = []
        self._lock = threading.Lock()

    def log_request_done(self, record: Served) -> None:
        with self._lock:
            self.served.append(record)


class StaticServer:
    """Serve ``directory`` on 127.0.0.1 (``port``, or a free one) until ``stop()``."""

    def __init__(self, directory: Path, port: int = 0) -> None:
        handler = functools.partial(_Handler, directory=str(directory))
        self._server = _Server(("127.0.0.1", port), handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def served(self) -> list[Served]:
        with self._server._lock:
            return list(self._server.served)

    def reset_counts(self) -> None:
        with self._server._lock:
            self._server.served.clear()

    def bytes_sent(self) -> int:
        return sum(s.bytes for s in self.served)

    def stop(self) -> None:
        """Stop serving (again: nothing happens)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._server.server_close()
