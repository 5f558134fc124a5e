"""Every command README shows works FIRST on a fresh clone: each installs what it needs.

Each test copies the project's files (what git tracks, plus new files not
ignored — no ``.venv``, no ``build/``) to an empty folder and runs one README
command there as its first command, so a dependency that only another
command's install brings in (``packaging``, once only in the ``test`` extra)
breaks the test as it would break a new user's first try.  The commands use
the machine's pip cache like a user's machine would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.support import ROOT, free_port, wait_for_port

pytestmark = pytest.mark.slow


def fresh_clone(target: Path) -> Path:
    """The project's files as a fresh clone has them (plus uncommitted work), without any install."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    assert not (target / ".venv").exists()
    return target


def command_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "DISPLAY")}
    # The outer test run's venv must not be what the command finds first.
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if "/.venv/" not in p + "/")
    return {**env, **extra}


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.read()


def run_until_served(clone: Path, command: str, port: int, env: dict[str, str], timeout: float) -> subprocess.Popen:
    log = (clone / "command.log").open("w")
    process = subprocess.Popen([command], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        wait_for_port(port, process, timeout=timeout)
    except (RuntimeError, TimeoutError):
        stop(process)
        pytest.fail(f"{command} did not serve on a fresh clone:\n" + (clone / "command.log").read_text()[-3000:])
    return process


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, 15)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()


def test_tools_run_starts_the_app_first_on_a_fresh_clone(tmp_path):
    clone = fresh_clone(tmp_path)
    port = free_port()
    process = run_until_served(clone, "tools/run", port, command_env(
        FLET_SERVER_PORT=str(port), FLET_APP_STORAGE_DATA=str(tmp_path / "data")), timeout=300)
    try:
        status, page = get(f"http://127.0.0.1:{port}/")
        assert status == 200 and b"<html" in page.lower()
    finally:
        stop(process)
    # Only the app's own dependencies: nothing of the test, server or web extras.
    installed = subprocess.run([clone / ".venv/bin/python", "-m", "pip", "list", "--format=json"],
                               capture_output=True, check=True).stdout
    names = {p["name"].lower() for p in json.loads(installed)}
    assert "flet" in names and not {"pytest", "hypothesis", "sqlalchemy", "brotli"} & names


def test_tools_serve_builds_the_web_app_and_serves_it_with_the_api_first_on_a_fresh_clone(tmp_path):
    clone = fresh_clone(tmp_path)
    port = free_port()
    process = run_until_served(clone, "tools/serve", port, command_env(
        STAPPENPLAN_SERVER_PORT=str(port), STAPPENPLAN_SERVER_DATA=str(tmp_path / "server-data")), timeout=600)
    try:
        status, page = get(f"http://127.0.0.1:{port}/")
        assert status == 200 and b"Stappenplan" in page
        status, health = get(f"http://127.0.0.1:{port}/api/v1/health")
        assert status == 200 and json.loads(health)["status"] == "ok"
    finally:
        stop(process)
    assert (clone / "build" / "web" / "sw.js").is_file()


def test_tools_build_web_builds_first_on_a_fresh_clone(tmp_path):
    clone = fresh_clone(tmp_path)
    out = tmp_path / "site"
    result = subprocess.run(["tools/build-web", "--out", str(out)], cwd=clone, env=command_env(),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (out / "index.html").is_file() and (out / "app.tar.gz").is_file() and (out / "sw.js").is_file()


def test_tools_test_installs_and_runs_tests_first_on_a_fresh_clone(tmp_path):
    clone = fresh_clone(tmp_path)
    result = subprocess.run(["tools/test", "-q", "-p", "no:cacheprovider", "tests/test_routes.py"], cwd=clone,
                            env=command_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout
