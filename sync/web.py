"""Browser backends of team sharing (Pyodide): WebCrypto and ``fetch``.

``WebSyncCrypto`` extends the journal's ``storage.web.WebCrypto`` with HKDF
and ECDH P-256 from ``crypto.subtle``; ``FetchTransport`` calls the team
server with ``fetch`` on the page's own origin (the CSP allows
``connect-src 'self'`` only), with a timeout through ``AbortSignal``.

Importing this module outside Pyodide fails with ``ImportError``.
"""

from __future__ import annotations

import contextlib
from typing import Any, AsyncIterator, Mapping, Optional

import js  # Pyodide's bridge to the JavaScript global scope (worker or window)
from pyodide.ffi import JsException, to_js

from storage.web import WebCrypto, _bytes, _error_name, _obj, _u8
from sync.backends import InvalidPublicKey
from sync.crypto import b64d, b64e
from sync.errors import OfflineError, ServerUnreachableError
from sync.limits import REQUEST_TIMEOUT_S
from sync.transport import build_path, encode_body, interpret

_P256 = {"name": "ECDH", "namedCurve": "P-256"}


class WebSyncCrypto(WebCrypto):
    """``SyncCrypto`` on ``crypto.subtle``; byte-for-byte the same results as ``NativeSyncCrypto``."""

    async def hkdf_sha256(self, ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
        base = await self._subtle.importKey("raw", _u8(ikm), "HKDF", False, to_js(["deriveBits"]))
        params = _obj(name="HKDF", hash="SHA-256", salt=_u8(salt), info=_u8(info))
        return _bytes(await self._subtle.deriveBits(params, base, length * 8))

    async def generate_p256(self) -> tuple[bytes, bytes]:
        pair = await self._subtle.generateKey(_obj(**_P256), True, to_js(["deriveBits"]))
        jwk = (await self._subtle.exportKey("jwk", pair.privateKey)).to_py()
        return b64d(jwk["d"]), b"\x04" + b64d(jwk["x"]) + b64d(jwk["y"])

    async def ecdh_p256(self, d: bytes, public_point: bytes, peer_point: bytes) -> bytes:
        if len(public_point) != 65 or len(d) != 32:
            raise InvalidPublicKey("not a P-256 key pair")
        jwk = _obj(kty="EC", crv="P-256", d=b64e(d), x=b64e(public_point[1:33]), y=b64e(public_point[33:]), ext=True)
        try:
            private = await self._subtle.importKey("jwk", jwk, _obj(**_P256), False, to_js(["deriveBits"]))
            peer = await self._subtle.importKey("raw", _u8(peer_point), _obj(**_P256), False, to_js([]))
            params = _obj(name="ECDH", public=peer)
            return _bytes(await self._subtle.deriveBits(params, private, 256))
        except JsException as exc:
            # DataError: a point off the curve, or d not matching x/y.
            if _error_name(exc) in ("DataError", "OperationError", "InvalidAccessError"):
                raise InvalidPublicKey(_error_name(exc)) from None
            raise


def _same_origin_base() -> str:
    """The site's root on this origin: the worker's own URL up to its folder."""
    return str(js.URL.new(".", js.location.href).href).rstrip("/")


class FetchTransport:
    """``Transport`` on ``fetch``: same origin by default, no credentials, a timeout."""

    def __init__(self, base_url: str = "", timeout_s: float = REQUEST_TIMEOUT_S) -> None:
        self.base_url = (base_url or _same_origin_base()).rstrip("/")
        self.timeout_ms = int(timeout_s * 1000)

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: Optional[str] = None,
        body: Optional[Mapping[str, Any]] = None,
        query: Optional[Mapping[str, Any]] = None,
    ) -> Any:
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        init = {
            "method": method,
            "headers": _obj(**headers),
            "credentials": "omit",
            "redirect": "error",
            "cache": "no-store",
            "signal": js.AbortSignal.timeout(self.timeout_ms),
        }
        encoded = encode_body(body)
        if encoded is not None:
            init["body"] = encoded.decode("ascii")
        navigator = getattr(js, "navigator", None)
        if navigator is not None and getattr(navigator, "onLine", True) is False:
            raise OfflineError("navigator.onLine is false")
        try:
            response = await js.fetch(self.base_url + build_path(path, query), _obj(**init))
            data = _bytes(await response.arrayBuffer())
        except JsException as exc:
            # fetch rejects with a TypeError for every network failure, and
            # with TimeoutError/AbortError when the signal fires.
            if navigator is not None and getattr(navigator, "onLine", True) is False:
                raise OfflineError(_error_name(exc)) from None
            raise ServerUnreachableError(_error_name(exc) or "fetch failed") from None
        retry_after = response.headers.get("retry-after")  # a string, or JavaScript's null
        return interpret(int(response.status), data, retry_after if isinstance(retry_after, str) else None)

    @contextlib.asynccontextmanager
    async def events(self, path: str, *, token: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """An event stream (``sync.stream``) over ``fetch`` and the body's ``ReadableStream``
        (``EventSource`` cannot send an ``Authorization`` header). Leaving the
        context aborts the request."""
        controller = js.AbortController.new()
        init = {
            "method": "GET",
            "headers": _obj(Accept="text/event-stream", Authorization=f"Bearer {token}"),
            "credentials": "omit",
            "redirect": "error",
            "cache": "no-store",
            "signal": controller.signal,
        }
        try:
            try:
                response = await js.fetch(self.base_url + build_path(path), _obj(**init))
                if int(response.status) != 200:
                    data = _bytes(await response.arrayBuffer())
                    retry_after = response.headers.get("retry-after")
                    interpret(int(response.status), data, retry_after if isinstance(retry_after, str) else None)
                    raise ServerUnreachableError(f"unexpected status {response.status}")
                reader = response.body.getReader()
            except JsException as exc:
                raise ServerUnreachableError(_error_name(exc) or "fetch failed") from None

            async def chunks() -> AsyncIterator[bytes]:
                while True:
                    try:
                        result = await reader.read()
                    except JsException as exc:
                        raise ServerUnreachableError(_error_name(exc) or "stream failed") from None
                    if result.done:
                        return
                    yield _bytes(result.value)

            yield chunks()
        finally:
            controller.abort()

    async def aclose(self) -> None:
        return None


__all__ = ["FetchTransport", "WebSyncCrypto"]
