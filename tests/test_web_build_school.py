"""A web build for a school's Chromebooks: tools/build_web.py --school-profile.

The school's own contacts are in the static shell (shown before Python has
started), "Eigen school" first with tel: links, and the profile is in the
app package, where the browser's own Pyodide reads it and fills letters
with it (PDF and text; .docx needs lxml, which the browser build has not).
These tests read the generated files; no browser is started.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
import tarfile
from html.parser import HTMLParser

import pytest

from content.loader import load_plan
from school import profile_file
from tests.support import ARTIFACTS, ROOT
from tests.web_helpers.static_server import StaticServer
from tools import web_shell
from tools.school_yaml import read_profile_source

EXAMPLE = ROOT / "docs" / "schoolprofiel.voorbeeld.yaml"
PROFILE = read_profile_source(EXAMPLE)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))


def tel_links(page: str) -> list[str]:
    parser = _Links()
    parser.feed(page)
    return [h for h in parser.hrefs if h and h.startswith("tel:")]


def test_the_shell_lists_the_schools_own_contacts_first_among_the_help_lines():
    shell = web_shell.shell_html(PROFILE)
    assert "<h2>Eigen school: OSG De Linde</h2>" in shell
    assert shell.index("<h2>Stap 1") < shell.index("Eigen school") < shell.index(">Hulplijnen</h2>")
    links = tel_links(shell)
    assert links[0] == "tel:112"  # the emergency number stays on top
    assert links[1:4] == ["tel:0301234568", "tel:0301234560", "tel:0302856616"]  # zorg, directie, Adviespunt
    assert "Marieke Jansen · ma t/m do 8.00-16.30" in shell
    assert "Eigen school" not in web_shell.shell_html()


def test_the_shell_escapes_what_a_profile_holds():
    hostile = dataclasses.replace(PROFILE, school_name='De Linde <img src=x onerror="alert(1)">')
    shell = web_shell.shell_html(hostile)
    assert "<img" not in shell and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in shell


def test_the_built_page_shows_the_schools_contacts_before_python_starts(school_site):
    out, report = school_site
    page = (out / "index.html").read_text(encoding="utf-8")
    assert report["school"] == "OSG De Linde"
    assert web_shell.shell_html(PROFILE) in page
    loading = re.search(r'<div id="loading">.*?</main>', page, re.DOTALL)[0]  # the static shell
    links = tel_links(loading)
    school_links = ["tel:" + "".join(ch for ch in c.phone if ch.isdigit() or ch == "+")
                    for c in PROFILE.contacts]
    assert set(school_links) <= set(links)
    assert links.index("tel:0301234568") < links.index("tel:0302856616")  # own school before the Adviespunt


@pytest.mark.browser
def test_in_chromium_the_schools_contacts_are_on_screen_before_python_starts(school_site, browser):
    from tests.browser import open_session

    out, _ = school_site
    server = StaticServer(out)
    session = open_session(browser, server.url, viewport={"width": 412, "height": 915})
    session.context.route("**/app.tar.gz*", lambda route: route.abort())  # Python never gets its app
    page = session.page
    try:
        page.goto(server.url + "/")
        shell = page.locator("#shell")
        shell.wait_for(state="visible", timeout=10_000)
        heading = shell.get_by_role("heading", name="Eigen school: OSG De Linde", exact=True)
        assert heading.is_visible()
        hrefs = shell.locator('a[href^="tel:"]').evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert hrefs[:4] == ["tel:112", "tel:0301234568", "tel:0301234560", "tel:0302856616"]
        care = shell.get_by_role("link", name="Bel 030 123 45 68")
        first_line = shell.get_by_role("link", name="Bel 030 285 66 16")  # Adviespunt School & Veiligheid
        acute = shell.get_by_role("link", name=load_plan("nl").acute_actions[0].title)
        assert care.is_visible() and first_line.is_visible()
        assert acute.bounding_box()["y"] < care.bounding_box()["y"] < first_line.bounding_box()["y"]
        for link in (care, first_line):  # issue 18: within the first two screens of a phone
            box = link.bounding_box()
            assert box["y"] + box["height"] <= 2 * 915
        assert shell.get_by_text("Marieke Jansen · ma t/m do 8.00-16.30").first.is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web-shell-school.png"))
        assert page.locator("#loading").count() == 1  # still the shell: the app never started
    finally:
        session.context.close()
        server.stop()


def test_the_app_package_carries_the_profile_and_no_docx(school_site):
    out, _ = school_site
    with tarfile.open(out / "app.tar.gz") as tar:
        names = set(tar.getnames())
        bundled = tar.extractfile("school/bundled.stappenplan-school").read()
    assert profile_file.decode(bundled) == PROFILE
    assert {"letters/render.py", "letters/privacy.py", "school/profile_file.py", "content/data/brieven.nl.yaml",
            "content/data/schoolrollen.en.yaml"} <= names
    assert not [n for n in names if n.startswith(("__pypackages__/docx/", "__pypackages__/lxml/"))]


PYODIDE_CHECK = r"""
import json, sys, warnings
sys.path[:0] = ["/app/__pypackages__", "/app"]
warnings.simplefilter("ignore")
import zoneinfo
zoneinfo.reset_tzpath([])
from datetime import datetime, timezone
from letters.export import docx_available, export_formats, letter_pdf, plain_text
from letters.privacy import check_letter
from letters.render import render_letter, unfilled
from letters.templates import load_letters
from school.store import bundled_profile
from storage import incidents as inc
now = datetime(2026, 11, 24, 13, 5, tzinfo=timezone.utc)
profile = bundled_profile()
case = inc.put_pupil(inc.new_incident("x", "bangalijst", now=now), inc.Pupil("p1", "slachtoffer", "Sanne de Vries"))
letter = render_letter(load_letters("nl"), "alle-ouders", profile=profile, incident=case, now=now)
pdf = letter_pdf(letter.subject, letter.body, language="nl", now=now)
print(json.dumps({
    "school": profile.school_name,
    "docx": docx_available(),
    "formats": list(export_formats()),
    "unfilled": len(unfilled(letter.text)),
    "clean": not check_letter(letter.text, case, profile=profile).hits,
    "caught": check_letter("Sanne", case).blocked,
    "pdf": pdf[:5].decode(),
    "has_school": "OSG De Linde" in plain_text(letter.subject, letter.body),
}))
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js (installed by tools/test)")
def test_letters_and_the_profile_work_in_the_browsers_own_python(school_site, tmp_path):
    from tools.webbuild.node import run_pyodide

    out, _ = school_site
    app = tmp_path / "app"
    for package in ("app.tar.gz", "app-later.tar.gz"):  # the app once its later package is unpacked too
        with tarfile.open(out / package) as tar:
            tar.extractall(app, filter="data")
    script = tmp_path / "check.py"
    script.write_text(PYODIDE_CHECK, encoding="utf-8")
    done = run_pyodide(script, "--mount", f"{app}=/app")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"school": "OSG De Linde", "docx": False, "formats": ["pdf", "txt"], "unfilled": 1,
                      "clean": True, "caught": True, "pdf": "%PDF-", "has_school": True}


def test_a_bad_school_profile_stops_the_build_with_a_clear_message(tmp_path):
    """The field as the profile editor names it, counted from 1, in Dutch and in English."""
    bad = tmp_path / "school.yaml"
    bad.write_text("school: De Linde\ncontacts:\n  - role: zorgcoordinator\n    phone: '030 123 45 68'\n"
                   "  - role: directie\n    phone: '12'\n", encoding="utf-8")
    out = tmp_path / "web"
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_web.py"), "--out", str(out), "--school-profile", str(bad)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1
    assert "school.yaml: Contactpersoon 2 (Directie), telefoonnummer: Vul een telefoonnummer in" in done.stderr
    assert "school.yaml: Contact person 2 (Management), phone number: Enter a phone number" in done.stderr
    assert "contacts[" not in done.stderr and not out.exists()
    assert not out.exists()


def test_the_bundled_file_is_never_in_the_repository():
    assert not (ROOT / "school" / "bundled.stappenplan-school").exists()
    assert "school/bundled.stappenplan-school" in (ROOT / ".gitignore").read_text(encoding="utf-8")
