"""The shape of app/'s imports, read from the source with `ast`: no module imports
itself through others (no cycle, TYPE_CHECKING and function-level imports
included), and the layers only import downwards: the core imports nothing of
the app and no web framework; the presentation package (Flask-free, like the
core) imports the core but not the web layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WEB_FRAMEWORK = {"flask", "werkzeug", "jinja2", "markupsafe"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted((ROOT / "app").rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module `name` imports anywhere in its source: app modules by their full
    name (a submodule when `from package import submodule` names one), others by
    their top-level package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            submodules = {f"{source}.{alias.name}" for alias in node.names} & known
            found |= submodules
            if len(submodules) < len(node.names):  # names defined in `source` itself
                found.add(source)
    return {module if module in known else module.split(".")[0] for module in found}


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (the first one again at the end), or None."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" after

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target in edges and target not in state:
                cycle = visit(target, path + [target])
                if cycle:
                    return cycle
        state[node] = "done"
        return None

    for start in sorted(edges):
        if start not in state:
            cycle = visit(start, [start])
            if cycle:
                return cycle
    return None


def test_the_graph_is_read_from_the_source():
    edges = graph()
    assert "app.core.grading" in edges["app.api"]
    assert {"app.core.answers", "app.core.diagnosis"} <= edges["app.core.grading"]
    assert "app.core.answers" in edges["app.core.diagnosis"]
    assert {"app.api", "app.practice"} <= edges["app"]  # imported inside create_app
    assert "numpy" in edges["app.core.problem"] and "flask" in edges["app.practice"]


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "numpy"}, "b": set()}) is None


def test_app_has_no_import_cycle():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


# Each Flask-free layer and what of the app it may import: the core, the domain
# alone; the presentation, the core.
LAYERS = {"app.core": ("app.core",), "app.present": ("app.core", "app.present")}


@pytest.mark.parametrize("layer", LAYERS)
def test_a_flask_free_layer_imports_only_what_is_below_it(layer):
    edges = graph()
    assert any(name.startswith(layer) for name in edges), f"no modules in {layer}"
    for name, imported in edges.items():
        if name.startswith(layer):
            above = {module for module in imported if module.startswith("app")
                     and not module.startswith(LAYERS[layer])}
            assert not above, f"{name} imports {above}"
            assert not imported & WEB_FRAMEWORK, f"{name} imports {imported & WEB_FRAMEWORK}"
