"""Stappenplan online incidenten — start the app.

``python main.py`` opens a desktop window; on a machine without a display
Flet serves the app in the browser instead (``FLET_SERVER_PORT`` picks the
port).  Every file is served by the app itself (``no_cdn``), so it works
offline.
"""

import flet as ft

from screens.app import App


async def main(page: ft.Page) -> None:
    await App(page).start()


if __name__ == "__main__":
    ft.run(main, assets_dir="assets", no_cdn=True, web_renderer=ft.WebRenderer.CANVAS_KIT)
