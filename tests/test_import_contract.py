"""The import contract: no import runs the wrong way between the project's layers, or between assistant/'s
sub-packages, and no modules import each other in a circle.

Layers, from the bottom up: knowledge → intents → assistant → web → server → cli, with voice below
assistant and eval beside cli (it drives assistant, never the web app or the command). A lower layer never
imports a higher one. Inside assistant/, each sub-package may import only the ones its __init__ docstring
names on its "May import:" line; ALLOWED below is the same table, and a test holds the two together.

A small AST walk over the source, not import-linter: for the layers every import counts, at the top of a
module, inside a function or under TYPE_CHECKING, since each is a dependency a reader has to follow; for
circles, the imports that run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# What each top-level part may import of the others (settings is configuration, for anyone).
LAYERS: dict[str, frozenset[str]] = {
    "settings": frozenset(),
    "knowledge": frozenset({"settings"}),
    "intents": frozenset({"knowledge", "settings"}),
    "voice": frozenset({"knowledge", "settings"}),
    "assistant": frozenset({"knowledge", "intents", "voice", "settings"}),
    "web": frozenset({"assistant", "knowledge", "intents", "voice", "settings"}),
    "eval": frozenset({"assistant", "knowledge", "intents", "voice", "settings"}),
    "server": frozenset({"web", "assistant", "knowledge", "intents", "voice", "settings"}),
    "cli": frozenset({"server", "web", "eval", "assistant", "knowledge", "intents", "voice", "settings"}),
}

# assistant/'s sub-packages, from the bottom up, and which of the others each may import.
ALLOWED: dict[str, frozenset[str]] = {
    "storage": frozenset(),
    "common": frozenset(),
    "privacy": frozenset({"storage"}),
    "cases": frozenset({"storage", "common", "privacy"}),
    "proactive": frozenset({"storage", "common", "privacy", "cases"}),
    "copilot": frozenset({"storage", "common", "privacy", "cases"}),
    "dialogue": frozenset({"storage", "common", "privacy", "cases", "proactive"}),
    "insight": frozenset({"storage", "common", "privacy", "cases", "dialogue"}),
    "staff": frozenset({"storage", "common", "privacy", "cases", "dialogue", "insight"}),
    "migrations": frozenset({"storage"}),  # Alembic's scripts read the table definitions
}
# Modules directly in assistant/: the composition root, which wires every sub-package together and which
# no sub-package imports. A new module goes into the sub-package that owns it, or here if it wires them.
TOP_MODULES = frozenset({"__init__", "factory", "services"})
NOT_CODE = frozenset({"data", "__pycache__"})


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for part in LAYERS:
        if (ROOT / f"{part}.py").is_file():
            found[part] = ROOT / f"{part}.py"
        else:
            for path in (ROOT / part).rglob("*.py"):
                found[_module_name(path)] = path
    return found


SOURCES = _sources()


def _imports(name: str, path: Path) -> Iterator[tuple[int, str, bool]]:
    """(line, the module or package named, whether only for type checking) for every import in the file."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, id(node) in typing_only
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                # `from assistant.cases import applications` names a module; `from x import Name` names x
                named = f"{module}.{alias.name}" if f"{module}.{alias.name}" in SOURCES else module
                yield node.lineno, named, id(node) in typing_only


def _resolve(imported: str) -> str | None:
    """The first-party module an import lands in (its longest known prefix), or None for a third party."""
    parts = imported.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in SOURCES:
            return ".".join(parts[:n])
    return None


IMPORTS = {name: list(_imports(name, path)) for name, path in SOURCES.items()}
# Every import, a type checker's included: each is a dependency a reader follows.
EDGES: dict[str, set[tuple[int, str]]] = {
    name: {(line, target) for line, imported, _ in found if (target := _resolve(imported)) and target != name}
    for name, found in IMPORTS.items()
}
# The imports that run: a circle among these is one Python has to untangle at import time.
RUNTIME: dict[str, set[str]] = {
    name: {target for _, imported, typing in found if not typing and (target := _resolve(imported)) and target != name}
    for name, found in IMPORTS.items()
}


def _sub_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "assistant" and len(parts) > 1 and parts[1] in ALLOWED else None


def test_the_walk_sees_the_project() -> None:
    # a walk that found nothing would pass every test below
    assert {"assistant", "assistant.factory", "intents.router", "web.routes", "cli", "server"} <= set(SOURCES)
    assert sum(len(e) for e in EDGES.values()) > 300


def _against_layers(edges: dict[str, set[tuple[int, str]]]) -> list[str]:
    return sorted(
        f"{name}:{line} imports {target}"
        for name, found in edges.items()
        for line, target in found
        if (a := name.split(".")[0]) != (b := target.split(".")[0]) and b not in LAYERS[a]
    )


def _against_sub_packages(edges: dict[str, set[tuple[int, str]]]) -> list[str]:
    wrong = []
    for name, found in edges.items():
        source = _sub_package(name)
        for line, target in found:
            dest = _sub_package(target)
            if source is not None and dest is not None and dest != source and dest not in ALLOWED.get(source, frozenset()):
                wrong.append(f"{name}:{line}: {source} imports {target} ({dest})")
            if source is not None and target.startswith("assistant.") and target.count(".") == 1 and dest is None:
                wrong.append(f"{name}:{line}: {source} imports {target}, which wires the sub-packages together")
        if source is None and name.startswith("assistant.") and name.split(".")[1] not in TOP_MODULES:
            wrong.append(f"{name}: a module directly in assistant/; put it in the sub-package that owns it")
    return sorted(wrong)


def test_no_layer_imports_a_higher_one() -> None:
    wrong = _against_layers(EDGES)
    assert not wrong, "imports against the layers (knowledge → intents → assistant → web → server → cli):\n" + "\n".join(wrong)


def test_assistant_sub_packages_import_only_those_below_them() -> None:
    wrong = _against_sub_packages(EDGES)
    assert not wrong, "\n".join(wrong)


def test_the_checks_catch_the_wrong_way_imports_issue_20_found() -> None:
    planted = {
        "intents.tuning": {(22, "eval.dataset")},
        "voice.errors": {(11, "assistant.common.messages")},
        "web.rebuild": {(24, "assistant.insight.tables")},  # allowed by the layers; the sub-package test is not for web
        "assistant.cases.applications": {(24, "assistant.common.forms"), (25, "assistant.dialogue.states")},
        "assistant.privacy.crypto": {(1, "assistant.cases.numbers")},
        "assistant.dialogue.engine": {(3, "assistant.factory")},
        "assistant.stray": set(),
    }
    assert _against_layers(planted) == ["intents.tuning:22 imports eval.dataset", "voice.errors:11 imports assistant.common.messages"]
    assert _against_sub_packages(planted) == [
        "assistant.cases.applications:25: cases imports assistant.dialogue.states (dialogue)",
        "assistant.dialogue.engine:3: dialogue imports assistant.factory, which wires the sub-packages together",
        "assistant.privacy.crypto:1: privacy imports assistant.cases.numbers (cases)",
        "assistant.stray: a module directly in assistant/; put it in the sub-package that owns it",
    ]


def test_every_sub_package_says_what_it_may_import_as_the_contract_does() -> None:
    packages = {p.name for p in (ROOT / "assistant").iterdir() if p.is_dir() and p.name not in NOT_CODE}
    assert packages == set(ALLOWED), "a sub-package of assistant/ without a line in ALLOWED, or the reverse"
    for package in sorted(set(ALLOWED) - {"migrations"}):
        doc = ast.get_docstring(ast.parse((ROOT / "assistant" / package / "__init__.py").read_text(encoding="utf-8"))) or ""
        said = re.search(r"^May import: (.*)\.$", doc, re.MULTILINE)
        assert said, f"assistant/{package}/__init__.py: no 'May import: …' line in its docstring"
        named = set() if said.group(1) == "nothing else in assistant" else {n.strip() for n in said.group(1).split(",")}
        assert named == ALLOWED[package], f"assistant/{package}/__init__.py says {sorted(named)}; the contract {sorted(ALLOWED[package])}"


def test_the_sub_packages_form_layers_without_a_circle() -> None:
    done: set[str] = set()

    def visit(package: str, path: tuple[str, ...]) -> None:
        assert package not in path, f"sub-packages allowed in a circle: {' → '.join((*path, package))}"
        if package not in done:
            for lower in ALLOWED[package]:
                visit(lower, (*path, package))
            done.add(package)

    for package in ALLOWED:
        visit(package, ())


def test_no_modules_import_each_other_in_a_circle() -> None:
    """At run time; one that needs the other only for a type annotation imports it under TYPE_CHECKING."""
    graph = RUNTIME
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    stack: list[str] = []
    circles: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(graph.get(name, ())):
            if target.endswith("__init__") or target not in graph:
                continue
            if state.get(target) == 1 and not _is_package(target):
                circles.append(" → ".join([*stack[stack.index(target):], target]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert not circles, "modules importing each other:\n" + "\n".join(circles)


def _is_package(name: str) -> bool:
    # a package's __init__ is entered on the way to any of its modules; a module importing its own
    # package's __init__ (for a docstring-only __init__) is no circle worth naming
    return SOURCES[name].name == "__init__.py"


def test_the_readme_map_is_the_contract() -> None:
    """The README's table of assistant/'s sub-packages names each with what it may import, as ALLOWED does."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\s*\| `(\w+)/` \|[^|]*\| ([^|]*) \|$", readme, re.MULTILINE)
    shown = {package: frozenset() if deps.strip() == "—" else frozenset(d.strip() for d in deps.split(",")) for package, deps in rows}
    assert shown == {package: allowed for package, allowed in ALLOWED.items() if package != "migrations"}
