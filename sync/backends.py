"""What team sharing needs from its platform: crypto primitives and HTTP.

Like ``storage.backends`` (whose AES-GCM, PBKDF2 and random bytes this
extends), everything above these protocols is pure Python, so the same
protocol code runs natively (``sync.native``: ``cryptography`` + ``httpx``)
and in the browser build (``sync.web``: WebCrypto + ``fetch``).

Keys are raw bytes: AES keys 32 bytes; a P-256 private key is its 32-byte
scalar ``d`` together with its 65-byte uncompressed public point
(``04 || x || y``), because WebCrypto can only import a private key with its
public half (JWK), and public keys travel as that 65-byte point.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Protocol, runtime_checkable

from storage.backends import CryptoBackend, DecryptionFailed


class InvalidPublicKey(ValueError):
    """A public key that is not a point on P-256 (or a private key not matching it)."""


@runtime_checkable
class SyncCrypto(CryptoBackend, Protocol):
    async def hkdf_sha256(self, ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
        """HKDF-SHA256 (RFC 5869), extract and expand."""
        ...

    async def generate_p256(self) -> tuple[bytes, bytes]:
        """A fresh ECDH P-256 key pair: ``(d, public_point)``."""
        ...

    async def ecdh_p256(self, d: bytes, public_point: bytes, peer_point: bytes) -> bytes:
        """The 32-byte ECDH shared secret (x coordinate) of our key and a peer's point.

        Raises ``InvalidPublicKey`` for a peer point off the curve, or when
        ``public_point`` is not the public half of ``d``.
        """
        ...


@runtime_checkable
class Transport(Protocol):
    """JSON over HTTP(S) to one team server.

    ``request`` returns the decoded JSON body of a 2xx answer and raises one
    of ``sync.errors`` otherwise (see ``sync.transport.interpret``). Every
    call has a timeout. ``path`` starts with ``/api/``.

    ``base_url`` is the server's address (in the browser, the page's own
    site); the server serves the web app there, so invite links point to it.
    """

    base_url: str

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: Optional[str] = None,
        body: Optional[Mapping[str, Any]] = None,
        query: Optional[Mapping[str, Any]] = None,
    ) -> Any:
        ...

    async def aclose(self) -> None:
        ...


__all__ = ["DecryptionFailed", "InvalidPublicKey", "SyncCrypto", "Transport"]
