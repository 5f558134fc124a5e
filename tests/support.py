"""What the browser tests share besides fixtures: paths, Chromium, and the app served as a user starts it.

Browser tests start ``python main.py`` exactly as a user would on a machine
without a display (Flet serves it on ``FLET_SERVER_PORT``), then drive the
real UI through Flutter's semantics tree (see ``tests/browser.py``).  The
fixtures built on these are in ``conftest.py``; test modules and tools
import from here, never from ``conftest``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app exited with code {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"app did not listen on port {port}")


class AppServer:
    """``python main.py`` in web-server mode with its own data directory.

    ``cwd`` runs another ``main.py`` the same way (the benchmark's hello-world).
    """

    def __init__(self, data_dir: Path, extra_env: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        env = {
            **os.environ,
            "FLET_SERVER_PORT": str(self.port),
            "FLET_FORCE_WEB_SERVER": "1",
            "FLET_APP_STORAGE_DATA": str(data_dir),
            **(extra_env or {}),
        }
        env.pop("DISPLAY", None)
        self.log = (data_dir.parent / f"app-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "main.py"], cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        wait_for_port(self.port, self.process)
        self.url = f"http://127.0.0.1:{self.port}"
        self._log_path = Path(self.log.name)
        self._log_checked = 0

    def new_errors(self) -> list[str]:
        """Exceptions raised in the app's own code since the last call.

        Flet and uvicorn also log tracebacks when a browser tab closes its
        websocket; those have no frame in the project and are not errors.
        """
        self.log.flush()
        text = self._log_path.read_text(errors="replace")
        fresh, self._log_checked = text[self._log_checked:], len(text)
        own_code = [f'"{ROOT / part}' for part in
                    ("screens", "words", "report", "letters", "sync", "storage", "content", "school", "main.py")]
        found = []
        for block in re.split(r"(?=Traceback \(most recent call last\):)", fresh)[1:]:
            if any(marker in block for marker in own_code):
                lines = [line for line in block.strip().splitlines() if line and not line.startswith(" ")]
                found.append(lines[-1])
        return found

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
