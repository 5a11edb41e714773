"""The layout keeps its promises: one concern per package, and the README's map is true."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "directory_api"
README = REPO / "README.md"

DOMAIN = ("search", "geo", "imports", "versions", "hours")
WEB_LIBRARIES = {"flask", "flask_smorest", "flask_limiter", "werkzeug", "webargs"}
SQL_LIBRARIES = {"sqlalchemy", "alembic", "psycopg", "sqlite3"}
GEO_LIBRARIES = {"shapely", "geopy"}


def modules() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" not in path.parts:
            yield path


def dotted(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(path: Path, *, top_level_only: bool = False) -> set[str]:
    """Absolute names a module imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = dotted(path) if path.name == "__init__.py" else dotted(path).rpartition(".")[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names |= {f"{module}.{alias.name}" for alias in node.names}
    return names


def package_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE).parts
    return rel[0] if len(rel) > 1 else "(root)"


def users_of(libraries: set[str]) -> set[str]:
    return {
        str(path.relative_to(REPO))
        for path in modules()
        if "migrations" not in path.parts
        and {name.split(".")[0] for name in imported(path)} & libraries
    }


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_packages_import_no_flask(package):
    users = {u for u in users_of(WEB_LIBRARIES) if u.startswith(f"directory_api/{package}/")}
    assert not users


def test_only_the_store_speaks_sql():
    assert {u.split("/")[1] for u in users_of(SQL_LIBRARIES)} == {"store"}


def test_only_geo_touches_shapely_and_geopy():
    assert {u.split("/")[1] for u in users_of(GEO_LIBRARIES)} == {"geo"}


def test_no_module_is_over_400_lines():
    long = {
        str(p.relative_to(REPO)): n
        for p in modules()
        if (n := p.read_text(encoding="utf-8").count("\n")) > 400
    }
    assert not long


def test_at_most_12_modules_at_the_package_root():
    assert len(list(PACKAGE.glob("*.py"))) <= 12


def test_every_package_says_what_it_holds():
    for init in PACKAGE.rglob("__init__.py"):
        if "migrations" in init.parts:
            continue
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc.split()) >= 12, f"{init.relative_to(REPO)} needs a docstring"


def test_no_route_is_swapped_behind_flask():
    for path in modules():
        assert not re.search(r"view_functions\[[^\]]*\]\s*=", path.read_text(encoding="utf-8"))


def test_no_import_circle_between_modules():
    """Module-level imports form no cycle (an import inside a function does not count: it
    runs after both modules are loaded)."""
    names = {dotted(p): p for p in modules()}
    graph = {
        name: {m for m in imported(path, top_level_only=True) if m in names and m != name}
        for name, path in names.items()
    }
    # a package's __init__ imported by its own modules is no circle of concerns
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :] + [nxt]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)


def architecture_section() -> str:
    text = README.read_text(encoding="utf-8")
    assert "\n## Architecture\n" in text, "README needs an Architecture section"
    return text.split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0]


def test_readme_architecture_names_every_package():
    section = architecture_section()
    packages = {
        p.parent.relative_to(REPO).as_posix() + "/"
        for p in PACKAGE.glob("*/__init__.py")
        if p.parent.name != "migrations"
    }
    named = set(re.findall(r"`(directory_api/[\w/]+/)`", section))
    assert packages <= named, f"not in the README's Architecture: {packages - named}"


def test_readme_architecture_names_only_what_exists():
    section = architecture_section()
    paths = re.findall(r"`(directory_api/[\w/.]+)`", section)
    assert len(paths) >= 10
    for rel in paths:
        assert (REPO / rel).exists(), f"README's Architecture names {rel}, which does not exist"
    for dotted_name, attr in re.findall(r"`(directory_api(?:\.\w+)+)[.:](\w+)\(\)`", section):
        module = __import__(dotted_name, fromlist=[attr])
        assert hasattr(module, attr), f"{dotted_name} has no {attr}"
