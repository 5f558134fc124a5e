"""Material 3 themes, light and dark; the app follows the system setting.

Buttons get enough padding for a 48 px tap target on every platform: Flutter
only pads tap targets on phones, and school Chromebooks are often touch screens.
"""

import flet as ft

SEED = "#1f5f8b"  # calm blue; urgency is carried by the error colour of the acute button

_BUTTON = ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=14))


def _theme() -> ft.Theme:
    return ft.Theme(
        color_scheme_seed=SEED,
        visual_density=ft.VisualDensity.STANDARD,
        button_theme=ft.ButtonTheme(style=_BUTTON),
        filled_button_theme=ft.FilledButtonTheme(style=_BUTTON),
        outlined_button_theme=ft.OutlinedButtonTheme(style=_BUTTON),
        text_button_theme=ft.TextButtonTheme(style=_BUTTON),
        icon_button_theme=ft.IconButtonTheme(style=ft.ButtonStyle(padding=12)),
    )


def apply(page: ft.Page) -> None:
    page.theme = _theme()
    page.dark_theme = _theme()
    page.theme_mode = ft.ThemeMode.SYSTEM
    # The client has drawn its first frame with the default theme; fading
    # into ours would hold the first screen back by the fade's duration.
    page.theme_animation_style = ft.AnimationStyle.no_animation()
