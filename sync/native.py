"""Native backends of team sharing: ``cryptography`` and ``httpx``.

Used on phones, desktops and in the web-server mode; the browser build uses
``sync.web`` instead (this module is not packed there).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import socket
import ssl
from typing import Any, AsyncIterator, Mapping, Optional

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from storage.native import NativeCrypto
from sync.backends import InvalidPublicKey
from sync.errors import BadResponseError, OfflineError, ServerUnreachableError
from sync.limits import CONNECT_TIMEOUT_S, KEEPALIVE_S, MAX_RESPONSE_BYTES, REQUEST_TIMEOUT_S
from sync.transport import build_path, encode_body, interpret

_CURVE = ec.SECP256R1()


class NativeSyncCrypto(NativeCrypto):
    """``SyncCrypto`` on OpenSSL: the journal's AES-GCM/PBKDF2 plus HKDF and ECDH."""

    async def hkdf_sha256(self, ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)

    async def generate_p256(self) -> tuple[bytes, bytes]:
        private = ec.generate_private_key(_CURVE)
        d = private.private_numbers().private_value.to_bytes(32, "big")
        return d, _point(private.public_key())

    async def ecdh_p256(self, d: bytes, public_point: bytes, peer_point: bytes) -> bytes:
        try:
            private = ec.derive_private_key(int.from_bytes(d, "big"), _CURVE)
            peer = ec.EllipticCurvePublicKey.from_encoded_point(_CURVE, bytes(peer_point))
        except ValueError:
            raise InvalidPublicKey("not a P-256 key") from None
        if _point(private.public_key()) != bytes(public_point):
            raise InvalidPublicKey("public key does not match the private key")
        return private.exchange(ec.ECDH(), peer)


def _point(public: ec.EllipticCurvePublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


_OFFLINE_ERRNOS = {errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTUNREACH}


def _is_offline(exc: BaseException) -> bool:
    """No route or no name resolution: this device is offline (as far as we can tell)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, socket.gaierror):
            return True
        if isinstance(exc, OSError) and exc.errno in _OFFLINE_ERRNOS:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@functools.lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every transport (loading the CA bundle takes ~0.1 s)."""
    return httpx.create_ssl_context()


class HttpxTransport:
    """``Transport`` on an ``httpx.AsyncClient``: timeouts, no redirects, TLS verified."""

    def __init__(self, base_url: str, client: Optional[httpx.AsyncClient] = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(REQUEST_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
            # Drop idle connections well before a server or proxy does (the team
            # server keeps them 30 s), so a request never goes out on one being closed.
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_S),
            verify=_tls_context(),
            follow_redirects=False,
            headers={"Accept": "application/json"},
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: Optional[str] = None,
        body: Optional[Mapping[str, Any]] = None,
        query: Optional[Mapping[str, Any]] = None,
    ) -> Any:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        url = self.base_url + build_path(path, query)
        try:
            async with self._client.stream(method, url, content=encode_body(body), headers=headers) as response:
                data = bytearray()
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > MAX_RESPONSE_BYTES:
                        break
                status, retry_after = response.status_code, response.headers.get("retry-after")
        except httpx.TransportError as exc:
            if _is_offline(exc):
                raise OfflineError(type(exc).__name__) from None
            raise ServerUnreachableError(type(exc).__name__) from None
        return interpret(status, bytes(data), retry_after)

    @contextlib.asynccontextmanager
    async def events(self, path: str, *, token: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """An event stream (``sync.stream``): its body's chunks as they arrive.

        No read timeout here: ``sync.stream`` tells a silent stream by its
        keepalives. A refusal raises the typed error ``interpret`` gives.
        """
        headers = {"Accept": "text/event-stream", "Authorization": f"Bearer {token}"}
        timeout = httpx.Timeout(REQUEST_TIMEOUT_S, connect=CONNECT_TIMEOUT_S, read=None)
        try:
            async with self._client.stream("GET", self.base_url + build_path(path), headers=headers,
                                           timeout=timeout) as response:
                if response.status_code != 200:
                    body = await response.aread()
                    interpret(response.status_code, body[:MAX_RESPONSE_BYTES], response.headers.get("retry-after"))
                    raise BadResponseError(f"unexpected status {response.status_code}")
                yield _chunks(response)
        except httpx.TransportError as exc:
            if _is_offline(exc):
                raise OfflineError(type(exc).__name__) from None
            raise ServerUnreachableError(type(exc).__name__) from None

    async def aclose(self) -> None:
        await self._client.aclose()


async def _chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_raw():
            yield chunk
    except httpx.TransportError as exc:
        raise ServerUnreachableError(type(exc).__name__) from None


__all__ = ["HttpxTransport", "NativeSyncCrypto"]
