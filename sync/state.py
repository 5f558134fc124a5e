"""What a device keeps about its team: ``TeamState`` (inside the encrypted journal).

It holds secrets — the device's private key, every team key version, the
access token — so the journal stores ``to_bytes()`` only inside its own
encrypted file, never beside it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from sync.crypto import KEY_LEN, DeviceKey, b64d, b64e

STATE_FORMAT = 1


@dataclass(frozen=True)
class TeamState:
    server_url: str  # "" = the origin the app was loaded from (browser build)
    team_id: str
    team_name: str
    member_id: str
    token: str
    coordinator: bool
    device_key: DeviceKey
    keys: dict[int, bytes] = field(default_factory=dict)  # key version -> team key
    cursor: int = 0  # the last change sequence number taken in
    removed: bool = False  # the server said this device is no longer in the team

    @property
    def key_version(self) -> int:
        return max(self.keys)

    @property
    def team_key(self) -> bytes:
        return self.keys[self.key_version]

    def with_key(self, version: int, key: bytes) -> "TeamState":
        return replace(self, keys={**self.keys, version: key})

    def to_bytes(self) -> bytes:
        payload = {
            "format": STATE_FORMAT,
            "server_url": self.server_url,
            "team_id": self.team_id,
            "team_name": self.team_name,
            "member_id": self.member_id,
            "token": self.token,
            "coordinator": self.coordinator,
            "device_key": self.device_key.to_jwk(),
            "keys": {str(v): b64e(k) for v, k in sorted(self.keys.items())},
            "cursor": self.cursor,
            "removed": self.removed,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> "TeamState":
        """Raises ``ValueError`` on anything that is not a state this code wrote."""
        try:
            p: dict[str, Any] = json.loads(data)
            if p.get("format") != STATE_FORMAT:
                raise ValueError("unknown team state format")
            keys = {int(v): b64d(k) for v, k in p["keys"].items()}
            if not keys or any(len(k) != KEY_LEN for k in keys.values()):
                raise ValueError("team keys")
            state = cls(
                server_url=str(p["server_url"]), team_id=str(p["team_id"]), team_name=str(p["team_name"]),
                member_id=str(p["member_id"]), token=str(p["token"]), coordinator=bool(p["coordinator"]),
                device_key=DeviceKey.from_jwk(p["device_key"]), keys=keys, cursor=int(p["cursor"]),
                removed=bool(p["removed"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"team state: {exc}") from None
        return state

    def __repr__(self) -> str:  # no token, no keys
        return f"TeamState(team={self.team_id}, member={self.member_id}, versions={sorted(self.keys)}, cursor={self.cursor})"


def find_version_gap(keys: dict[int, bytes]) -> Optional[int]:
    """The first missing version in 1..max(keys), or ``None`` if the ring is complete."""
    for version in range(1, max(keys) + 1):
        if version not in keys:
            return version
    return None


__all__ = ["TeamState", "find_version_gap"]
