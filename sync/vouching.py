"""What a device checks of the keys other members sent, before it relies on them.

Every member's public key comes from the server with a MAC under the team key
(``PROTOCOL.md``, "Wrapping a team key to a member"). The server cannot make
that MAC, but a member can make a wrong one — by a bug, or on purpose to break
the team — and a compromised server can swap a public key. A device therefore
takes a member's key as the team's only when it is a point on P-256 *and* its
MAC checks out under the key version the member list is under
(``unvouched``). The coordinator's device wraps new team keys only to vouched
members; every device names the others (``SyncStatus.faults``), so the
coordinator can remove them.

The point check is plain arithmetic (``y² = x³ − 3x + b`` over P-256's field),
the same on every platform and in the browser, without a crypto backend.
"""

from __future__ import annotations

import hmac
from typing import Mapping

from sync.crypto import POINT_LEN, member_key_mac
from sync.messages import Member, TeamInfo

# P-256 (FIPS 186-4, D.1.2.3): y² = x³ − 3x + b over the prime field of P.
P256_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B


def is_p256_point(point: bytes) -> bool:
    """An uncompressed point (``04 || x || y``) on P-256.

    P-256 has cofactor 1, so every point on the curve is in the group ECDH
    works in; the point at infinity has no uncompressed encoding.
    """
    if len(point) != POINT_LEN or point[0] != 0x04:
        return False
    x = int.from_bytes(point[1:33], "big")
    y = int.from_bytes(point[33:], "big")
    if x >= P256_P or y >= P256_P:
        return False
    return (y * y - (x * x * x - 3 * x + P256_B)) % P256_P == 0


def vouched(team_key: bytes, team_id: str, member: Member) -> bool:
    """Whether the team vouches for ``member``'s public key under ``team_key``."""
    if not is_p256_point(member.public_key):
        return False
    expected = member_key_mac(team_key, team_id, member.member_id, member.public_key)
    return hmac.compare_digest(expected, member.key_mac)


def unvouched(keys: Mapping[int, bytes], team_id: str, info: TeamInfo) -> list[Member]:
    """The members of ``info`` whose public key the team does not vouch for.

    The MACs in a member list are under the list's key version; a device
    that does not hold that version (yet) cannot tell, and finds none.
    """
    key = keys.get(info.key_version)
    if key is None:
        return []
    return [m for m in info.members if not vouched(key, team_id, m)]


__all__ = ["is_p256_point", "unvouched", "vouched"]
