"""Choosing a passphrase: typed twice, its strength shown (zxcvbn), and the warning
that nobody can recover it."""

from __future__ import annotations

from typing import Optional, Sequence

import flet as ft

from words.i18n import _

#: zxcvbn's score (0-4) a new passphrase needs: 3 is "safely unguessable"
#: (about 10^10 guesses), which PBKDF2's 600,000 iterations make slow to try.
MIN_SCORE = 3
MIN_LENGTH = 10

#: Words a guesser would try first for this app.
APP_WORDS = ("stappenplan", "logboek", "incident", "school", "veiligheid", "wachtwoord", "leerling")


def score(passphrase: str, user_inputs: Sequence[str] = ()) -> int:
    if not passphrase:
        return 0
    from zxcvbn import zxcvbn  # its word lists take a while to load: only when a passphrase is chosen

    return zxcvbn(passphrase[:100], user_inputs=[*APP_WORDS, *user_inputs])["score"]


def problem(passphrase: str, repeated: str, user_inputs: Sequence[str] = ()) -> Optional[tuple[int, str]]:
    """Why this new passphrase cannot be used yet: (which field, 0 or 1; message), or None."""
    if len(passphrase) < MIN_LENGTH:
        return 0, _("Use at least {n} characters, for example four unrelated words.").format(n=MIN_LENGTH)
    if score(passphrase, user_inputs) < MIN_SCORE:
        return 0, _("This passphrase is too easy to guess. Add another unusual word.")
    if passphrase != repeated:
        return 1, _("The two passphrases are not the same.")
    return None


def _strength_text(value: int) -> str:
    return [_("Very weak"), _("Weak"), _("Fair"), _("Strong"), _("Very strong")][value]


class NewPassphrase:
    """Two password fields, a strength meter, and the no-recovery warning."""

    def __init__(self, label: str, user_inputs: Sequence[str] = ()) -> None:
        self._user_inputs = tuple(user_inputs)
        self.first = ft.TextField(label=label, password=True, can_reveal_password=True,
                                  on_change=self._changed)
        self.second = ft.TextField(label=_("Repeat the passphrase"), password=True, can_reveal_password=True)
        self._meter = ft.ProgressBar(value=0, bar_height=8, border_radius=4)
        self._meter_text = ft.Text(_("Strength: {level}").format(level=_strength_text(0)))
        self.control = ft.Column(
            spacing=8,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            controls=[
                self.first,
                self._meter,
                self._meter_text,
                self.second,
                ft.Text(
                    _("There is no way to recover a forgotten passphrase, not even by the makers of the app. "
                      "Write it down somewhere safe, and make an encrypted backup regularly."),
                    color=ft.Colors.ERROR,
                ),
            ],
        )

    def _changed(self, e) -> None:
        value = score(self.first.value or "", self._user_inputs)
        self._meter.value = (value + 1) / 5
        self._meter.color = [ft.Colors.ERROR, ft.Colors.ERROR, ft.Colors.AMBER, ft.Colors.GREEN,
                             ft.Colors.GREEN][value]
        self._meter_text.value = _("Strength: {level}").format(level=_strength_text(value))
        self._meter.update()
        self._meter_text.update()

    def validate(self) -> Optional[str]:
        """Show and return the problem, if any."""
        found = problem(self.first.value or "", self.second.value or "", self._user_inputs)
        fields = (self.first, self.second)
        for field in fields:
            field.error = None
        if found:
            fields[found[0]].error = found[1]
        for field in fields:
            field.update()
        return found[1] if found else None

    @property
    def value(self) -> str:
        return self.first.value or ""
