"""The layout a newcomer relies on: one route table, no import cycles, screens that
know the app only through ``AppContext``, and every package packed."""

from __future__ import annotations

import ast
import inspect
import re
import tomllib
from pathlib import Path

import pytest

from screens import routes
from screens.context import AppContext

ROOT = Path(__file__).resolve().parent.parent
#: Every package, from the ground floor up: a module imports only from its own package and from
#: packages before it.  The app's floors first (content, storage, school, the sync protocol and
#: client, the words, the report, the letters, the screens); then the team server, which runs
#: apart from the app and shares only the protocol with it; then the tools, which build and
#: measure everything.
ORDER = ("content", "storage", "school", "sync", "words", "report", "letters", "screens", "server", "tools")
#: What the team server may use of the app: the protocol (and what it stands on), never the UI.
SERVER_USES = ("content", "storage", "sync")
#: Longest module, in lines (data files such as content/data/*.yaml are not modules).
MAX_MODULE_LINES = 600


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    """Module -> the modules of ``packages`` it imports, counting every import
    statement (inside functions and ``if TYPE_CHECKING:`` too)."""
    modules = {module_name(p, root): p for package in packages for p in (root / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative import
                    anchor = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle (as a list of modules, first == last), or []."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_no_import_cycles():
    graph = import_graph(ROOT, ORDER)
    assert {"screens.app", "screens.plan.home", "screens.journal.incident", "report.pdf", "storage.web",
            "server.app", "tools.build_web"} <= set(graph)
    assert find_cycle(graph) == []


def test_every_package_is_in_the_order():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages == set(ORDER)


def test_no_package_imports_from_a_package_above_it():
    upward = [f"{module} -> {target}" for module, targets in import_graph(ROOT, ORDER).items() for target in targets
              if ORDER.index(target.split(".")[0]) > ORDER.index(module.split(".")[0])]
    assert upward == []


def test_the_team_server_uses_only_the_protocol_of_the_app():
    used = {target.split(".")[0] for module, targets in import_graph(ROOT, ("server", *SERVER_USES)).items()
            if module.startswith("server.") for target in targets}
    assert used <= {"server", *SERVER_USES}


def test_no_module_is_longer_than_the_limit():
    long = {p.relative_to(ROOT).as_posix(): n for package in ORDER for p in (ROOT / package).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_the_cycle_check_finds_a_cycle(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import c\n")
    (package / "c.py").write_text("def f():\n    import pkg.a\n")
    assert find_cycle(import_graph(tmp_path, ("pkg",))) == ["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]
    (package / "c.py").write_text("import json\n")
    assert find_cycle(import_graph(tmp_path, ("pkg",))) == []


def test_only_main_imports_the_app():
    """Besides ``main.py``, only the tools that build and measure the app start it."""
    graph = import_graph(ROOT, ORDER)
    assert [m for m, edges in graph.items() if "screens.app" in edges and not m.startswith("tools.")] == []


# -- the route table ---------------------------------------------------------------------------


@pytest.mark.parametrize("route", routes.ROUTES, ids=lambda r: r.name)
def test_every_route_has_a_builder_for_its_parameters(route):
    build = route.builder()
    parameters = list(inspect.signature(build).parameters)
    assert parameters[:2] == ["app", "route"], route.screen
    assert set(parameters[2:]) >= set(route.parameters), route.screen
    assert route.screen.startswith(("screens.plan.", "screens.journal.", "screens.team."))


@pytest.mark.parametrize("route", routes.ROUTES, ids=lambda r: r.name)
def test_every_route_has_a_parent_chain_to_home(route):
    seen = []
    current = route
    while current.parent is not None:
        assert current.parent in routes.BY_NAME, f"{current.name}: unknown parent {current.parent}"
        assert current.parent not in seen, f"a circle of parents: {seen}"
        seen.append(current.parent)
        current = routes.BY_NAME[current.parent]
        assert not current.parameters, f"{current.name} is a parent, so it must not take parameters"
    assert current.name == "home"


def test_route_names_and_paths_are_unique():
    assert len(routes.BY_NAME) == len(routes.ROUTES)
    assert len({r.path for r in routes.ROUTES}) == len(routes.ROUTES)


def test_a_route_with_the_wrong_parameters_is_refused():
    with pytest.raises(ValueError):
        routes.path("step", number=9)
    with pytest.raises(TypeError):
        routes.path("incident")
    with pytest.raises(KeyError):
        routes.path("no-such-screen")


def _route_links(source: str) -> list[tuple[str, set[str]]]:
    links = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "path"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "routes"):
            assert node.args and isinstance(node.args[0], ast.Constant), ast.unparse(node)
            links.append((node.args[0].value, {k.arg for k in node.keywords}))
    return links


def test_every_link_names_a_route_with_its_parameters():
    found = 0
    for path in [*(ROOT / "screens").rglob("*.py")]:
        for name, params in _route_links(path.read_text(encoding="utf-8")):
            found += 1
            assert name in routes.BY_NAME, f"{path.name}: routes.path({name!r})"
            assert params == set(routes.BY_NAME[name].parameters), f"{path.name}: routes.path({name!r}, {params})"
    assert found >= 15


def test_journal_routes_are_behind_the_gate():
    assert {r.name for r in routes.ROUTES if r.needs_journal} == {
        "journal", "incident", "overview", "journal_settings", "policy", "team", "team_create", "team_join",
        "letters", "letter", "parents_letter", "deleted"}
    assert routes.needs_journal("/logboek/incident/0b7f6a1e-4c36-4b8e-9a55-6d4c1f0b2a11")
    assert routes.needs_journal("/logboek/incident/0b7f6a1e-4c36-4b8e-9a55-6d4c1f0b2a11/brief/alle-ouders")
    assert not routes.needs_journal("/acuut") and not routes.needs_journal("/bestaat-niet")
    # a letter written stand-alone (from a step) and the school profile need no passphrase
    assert not routes.needs_journal("/brieven/alle-ouders") and not routes.needs_journal("/instellingen/schoolprofiel")


# -- the app as screens see it ------------------------------------------------------------------


def test_the_app_provides_everything_screens_may_use():
    from screens.app import App

    declared = set(AppContext.__annotations__) | {
        name for name, value in vars(AppContext).items() if callable(value) or isinstance(value, property)
    } - {name for name in vars(object)}
    declared = {n for n in declared if not n.startswith("_")}
    source = inspect.getsource(App)
    assigned = set(re.findall(r"self\.(\w+)(?::[^=\n]+)? = ", source))
    provided = {n for n in dir(App) if not n.startswith("_")} | assigned | set(App.__annotations__)
    assert declared and declared <= provided, declared - provided


def test_screens_use_of_the_app_is_declared():
    """What screens call on ``app`` is in ``AppContext`` (nothing reaches past it)."""
    declared = set(AppContext.__annotations__) | {n for n in vars(AppContext) if not n.startswith("_")}
    used = set()
    for path in (ROOT / "screens").rglob("*.py"):
        if path.name in ("app.py", "context.py"):
            continue
        used |= set(re.findall(r"(?<![\w.])app\.(\w+)", path.read_text(encoding="utf-8")))
    assert used and used <= declared, used - declared


# -- packaging ------------------------------------------------------------------------------------


def test_every_package_is_packed():
    """pyproject's package list is what the wheel and the web build (tools/build_web.py) ship."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {module_name(p.parent) for p in ROOT.glob("*/**/__init__.py")
             if p.relative_to(ROOT).parts[0] not in ("tests", "tools", ".venv", "build", "node_modules")}
    assert listed == found


def test_test_modules_share_helpers_through_support_not_conftest():
    for path in (ROOT / "tests").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from tests\.conftest|from conftest|import conftest)", text, re.M), path.name
    for path in (ROOT / "tools").rglob("*.py"):
        assert "tests.conftest" not in path.read_text(encoding="utf-8"), path.name

