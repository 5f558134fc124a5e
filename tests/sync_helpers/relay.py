"""A TCP relay in front of the team server that a test can cut: one device
loses its route to the server while the others keep theirs.

``Relay(target_port)`` listens on its own port of 127.0.0.1 and forwards every
connection to ``target_port``.  ``cut()`` closes the listener and every open
connection (the device sees "connection refused", as when the school's
network or the server is gone); ``restore()`` listens on the same port again.

``BufferingRelay`` is a proxy with response buffering on (nginx's default
``proxy_buffering on``): it passes an answer on only once it is complete, so
an event stream, which never completes, never reaches the device.
"""

from __future__ import annotations

import socket
import threading

from tests.sync_helpers.servers import free_port


class Relay:
    def __init__(self, target_port: int, host: str = "127.0.0.1") -> None:
        self.host, self.target_port = host, target_port
        self.port = free_port()
        self.url = f"http://{host}:{self.port}"
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            open_sockets, self._sockets = self._sockets, set()
        for sock in [listener, *open_sockets]:
            if sock is None:
                continue
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    close = cut

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # cut
                return
            try:
                upstream = socket.create_connection((self.host, self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    client.close(), upstream.close()
                    return
                self._sockets |= {client, upstream}
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._answers, args=(upstream, client), daemon=True).start()

    def _answers(self, upstream: socket.socket, client: socket.socket) -> None:
        self._pipe(upstream, client)

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            with self._lock:
                self._sockets.discard(source)
            source.close()  # each socket is the source of one pipe: closed once


class BufferingRelay(Relay):
    def _answers(self, upstream: socket.socket, client: socket.socket) -> None:
        held = b""
        try:
            while data := upstream.recv(65536):
                held += data
                while (size := _complete_answer(held)) is not None:
                    client.sendall(held[:size])
                    held = held[size:]
            client.sendall(held)
        except OSError:
            pass
        finally:
            for sock in (upstream, client):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            with self._lock:
                self._sockets.discard(upstream)
            upstream.close()


def _complete_answer(data: bytes):
    """The length of the first complete HTTP answer in ``data``, or None."""
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = data[:head_end].lower()
    body_start = head_end + 4
    for line in head.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            end = body_start + int(line.split(b":", 1)[1])
            return end if len(data) >= end else None
    if b"transfer-encoding: chunked" in head:
        end = data.find(b"\r\n0\r\n\r\n", body_start - 2)
        return None if end < 0 else end + 7
    return None  # until the connection closes
