"""What the server checks of keys at joining and at rotation (it holds no team key).

The server cannot check a wrap's contents or a MAC (that needs the team key:
each client does, ``sync.crypto``), but it refuses what is malformed for
anyone: a public key that is not a point on P-256, a wrap whose ephemeral
point is not on the curve or whose format byte is wrong, a rotation without
its commitment. So a member's device never has to find out at the next
rotation that a colleague joined with a key nobody can wrap to.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec

from server.errors import ApiError
from sync.crypto import POINT_LEN, WRAPPED_KEY_LEN

_CURVE = ec.SECP256R1()
WRAP_FORMAT = 0x01


def is_p256_point(point: bytes) -> bool:
    """An uncompressed point (``04 || x || y``) on P-256, not the point at infinity."""
    if len(point) != POINT_LEN or point[0] != 0x04:
        return False
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(_CURVE, point)
    except ValueError:
        return False
    return True


def check_public_key(point: bytes, field: str) -> None:
    if not is_p256_point(point):
        raise ApiError(400, "bad_request", f"invalid request ({field}: not a point on P-256)")


def check_wrap(wrapped: bytes, field: str) -> None:
    """``01 || ephemeral point (65) || nonce || AES-GCM``: the format byte and the point."""
    if len(wrapped) != WRAPPED_KEY_LEN or wrapped[0] != WRAP_FORMAT or not is_p256_point(wrapped[1:1 + POINT_LEN]):
        raise ApiError(400, "bad_request", f"invalid request ({field}: not a key wrap to a P-256 point)")
