"""A hostile member's own client: it joins with whatever public key and key MAC it likes.

The real client (``sync.client.TeamClient.redeem_invite``) always sends a
point on P-256 and the MAC of it under the team key; a member who wants to
break the team sends a junk MAC or a point off the curve instead. The server
checks the point (it can) but not the MAC (it holds no team key).
"""

from __future__ import annotations

from typing import Optional

import httpx

from sync import crypto as c
from sync.native import NativeSyncCrypto
from sync.state import TeamState


async def hostile_join(http: httpx.AsyncClient, code: str, name: str, *, iterations: int,
                       public_key: Optional[bytes] = None,
                       key_mac: Optional[bytes] = None) -> tuple[int, Optional[TeamState]]:
    """Redeem the invite ``code`` through ``http`` (based at the team server); returns the
    HTTP status and, when it was accepted, the member's team state (its real device key)."""
    crypto = NativeSyncCrypto()
    invite = await c.derive_invite_keys(crypto, c.parse_invite_code(code), iterations)
    offer = (await http.get(f"/api/v1/invites/{invite.invite_id}")).json()
    bundle = await c.open_invite_bundle(crypto, invite, c.b64d(offer["bundle"]))
    keys = {int(v): c.b64d(k) for v, k in bundle["keys"].items()}
    version = max(keys)
    device = await c.new_device_key(crypto)
    member_id = c.new_id(crypto)
    public = public_key or device.public
    mac = key_mac or c.member_key_mac(keys[version], offer["team_id"], member_id, public)
    answer = await http.post(f"/api/v1/invites/{invite.invite_id}/redeem", json={
        "key_version": version,
        "member": {"member_id": member_id, "display_name": name, "role": "lid", "device_label": "eigen app",
                   "public_key": c.b64e(public), "key_mac": c.b64e(mac)},
    })
    if answer.status_code != 201:
        return answer.status_code, None
    return 201, TeamState("", offer["team_id"], bundle["team_name"], member_id, answer.json()["token"], False,
                          device, keys)
