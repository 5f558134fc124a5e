"""Settings that are not secret and must be there before the journal is unlocked
(the school's own police contact, the language), kept with Flet's
SharedPreferences: the device's preferences store, localStorage on the web."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Optional

import flet as ft

from content.model import Phone
from school.profile import valid_phone

_PREFIX = "stappenplan."
POLICE_NAME = _PREFIX + "police_contact.name"
POLICE_PHONE = _PREFIX + "police_contact.phone"
LANGUAGE = _PREFIX + "language"


@dataclass(frozen=True)
class PoliceContact:
    """The school's contact at the police (e.g. the community officer)."""

    name: str
    phone: Phone


class Preferences:
    """Loaded once per session; writes go straight through."""

    def __init__(self) -> None:
        self._store = ft.SharedPreferences()
        self.police_contact: Optional[PoliceContact] = None
        self.language: Optional[str] = None  # None: follow the device

    async def load(self) -> None:
        name, phone, language = await asyncio.gather(
            self._store.get(POLICE_NAME), self._store.get(POLICE_PHONE), self._store.get(LANGUAGE)
        )
        if isinstance(phone, str) and valid_phone(phone):
            self.police_contact = PoliceContact(str(name or ""), Phone(phone.strip()))
        self.language = language if isinstance(language, str) else None

    async def set_language(self, language: Optional[str]) -> None:
        if language is None:
            await self._store.remove(LANGUAGE)
        else:
            await self._store.set(LANGUAGE, language)
        self.language = language

    async def set_police_contact(self, contact: Optional[PoliceContact]) -> None:
        if contact is None:
            await self._store.remove(POLICE_NAME)
            await self._store.remove(POLICE_PHONE)
        else:
            await self._store.set(POLICE_NAME, contact.name)
            await self._store.set(POLICE_PHONE, contact.phone.display)
        self.police_contact = contact
