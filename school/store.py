"""Where a device keeps its school profile, and which profile is in force.

The profile lives in the app's settings (Flet's ``SharedPreferences``: the
device's preferences store, ``localStorage`` in the browser), not in the
passphrase-protected journal: the acute flow shows the school's contacts
before anyone has unlocked anything, and a profile holds no pupil data.  It
is kept there as the text of its ``.stappenplan-school`` file, so the stored
copy is integrity-checked like an imported one.  The store touches its own
key only: importing a profile never touches the journal.

A web build made with ``tools/build_web.py --school-profile`` carries a
profile of its own (:data:`BUNDLED_FILE` in the app package), so the
school's Chromebooks start with it.  :func:`effective_profile` decides
between that one and the device's own copy: the more recently updated wins,
the device's copy on a tie.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Protocol

from school import profile_file
from school.profile import SchoolProfile

PROFILE_KEY = "stappenplan.school_profile"
# Written into the app package by tools/build_web.py --school-profile; absent otherwise.
BUNDLED_FILE = Path(__file__).resolve().parent / "bundled.stappenplan-school"


class KeyValueStore(Protocol):
    """What the store needs of ``ft.SharedPreferences`` (a dict-backed fake in tests)."""

    async def get(self, key: str) -> Any: ...

    async def set(self, key: str, value: str) -> Any: ...

    async def remove(self, key: str) -> Any: ...


def bundled_profile(path: Path = BUNDLED_FILE) -> Optional[SchoolProfile]:
    """The profile the web build was made with, or None.

    The build checked it, so a damaged one means a broken deployment: the
    error is raised rather than hidden.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return profile_file.decode(data)


def effective_profile(stored: Optional[SchoolProfile], bundled: Optional[SchoolProfile]) -> Optional[SchoolProfile]:
    """The device's own copy unless the built-in one was updated later."""
    if stored is None or bundled is None:
        return stored or bundled
    if bundled.updated is not None and (stored.updated is None or bundled.updated > stored.updated):
        return bundled
    return stored


class ProfileStore:
    """The device's school profile, loaded once per session; writes go straight through."""

    def __init__(self, store: KeyValueStore, bundled: Optional[SchoolProfile] = None) -> None:
        self._store = store
        self.bundled = bundled
        self.stored: Optional[SchoolProfile] = None
        # The stored copy could not be read (changed outside the app): the UI says so
        # and offers to import the profile again; the copy is left as it is.
        self.stored_error: Optional[profile_file.ProfileFileError] = None

    @property
    def profile(self) -> Optional[SchoolProfile]:
        return effective_profile(self.stored, self.bundled)

    async def load(self) -> Optional[SchoolProfile]:
        self.stored, self.stored_error = None, None
        text = await self._store.get(PROFILE_KEY)
        if isinstance(text, str) and text:
            try:
                self.stored = profile_file.decode(text.encode("utf-8", "surrogatepass"))
            except profile_file.ProfileFileError as exc:
                self.stored_error = exc
        return self.profile

    async def save(self, profile: SchoolProfile) -> SchoolProfile:
        """Keep ``profile`` (validated: ProfileValidationError leaves the store as it was)."""
        data = profile_file.encode(profile)
        saved = profile_file.decode(data)
        await self._store.set(PROFILE_KEY, data.decode("utf-8"))
        self.stored, self.stored_error = saved, None
        return saved

    async def import_file(self, data: bytes) -> SchoolProfile:
        """Import a ``.stappenplan-school`` file: all of it, or (ProfileFileError) nothing."""
        profile = profile_file.decode(data)
        return await self.save(profile)

    async def remove(self) -> None:
        await self._store.remove(PROFILE_KEY)
        self.stored, self.stored_error = None, None


__all__ = ["BUNDLED_FILE", "KeyValueStore", "PROFILE_KEY", "ProfileStore", "bundled_profile", "effective_profile"]
