"""Imports flow one way: commands → build → stages (content, plan, render) → article → model.

And the stages know nothing of the build's machinery: no module outside digest/build/ imports
from it, but the commands that run a build (cli, serve)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "digest"
# A module may import only from the layers listed after its own (a package's __init__ counts as the
# package's name; modules of one layer may not import each other).
LAYERS = [
    {"cli"},
    {"serve"},
    {"build", "ingest", "scaffold", "check"},
    {"build.output", "build.cache"},
    {"build.changes", "build.place", "build.workers", "build.compiled"},
    {"search", "render", "lint"},
    {"opendata"},
    {"plan", "content"},
    {"content.records", "maps"},
    {"content.reader", "theme"},
    {"article.parse"},
    {"article.fields", "article.places", "article.clean", "article.decode", "article.normalize"},
    {"markup", "yamlio", "gazetteer", "lexicon", "files", "people"},
    {"schema", "yamlfast"},
    {"model", "errors"},
]
RUN_BUILDS = {"cli", "serve"}
"""The commands that run a build: the only modules outside build/ that may import it."""


def module_name(path: Path) -> str:
    name = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
    return name.removesuffix(".__init__")


def imports_of(module: str, source: str, is_package: bool = False) -> set[str]:
    """The digest modules `source` (the text of `module`) imports, by name."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".") if package else []
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            prefix = ".".join(base + ([node.module] if node.module else []))
            names = [prefix] if node.module else [f"{prefix}.{a.name}".strip(".") for a in node.names]
            found.update(n for n in names if n)
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0):
            for name in ([a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]):
                if name == "digest" or name.startswith("digest."):
                    found.add(name.removeprefix("digest").lstrip("."))
    return found


def layer_of(module: str) -> int | None:
    for name in (module, module.rpartition(".")[0]):
        for number, names in enumerate(LAYERS):
            if name in names:
                return number
    return None


def wrong_imports(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """Every import against the layering, for {module: (source, is_package)}."""
    wrong = []
    for module, (source, is_package) in sources.items():
        for imported in imports_of(module, source, is_package):
            if imported in ("article", "data", "") or imported.startswith("data") or imported == module:
                continue
            if imported == "__version__":
                continue
            if (imported == "build" or imported.startswith("build.")) and not module.startswith("build") \
                    and module not in RUN_BUILDS:
                wrong.append(f"{module} imports {imported}: the stages know nothing of the build's machinery")
            elif layer_of(imported) is None or layer_of(module) is None:
                wrong.append(f"{module} imports {imported}: add both to a layer of LAYERS")
            elif layer_of(imported) < layer_of(module) or (layer_of(imported) == layer_of(module) and not (
                    module.startswith("article.") and imported.startswith("article."))):
                wrong.append(f"{module} imports {imported}")  # the parser's helpers may use each other
    return wrong


def package_sources() -> dict[str, tuple[str, bool]]:
    return {module_name(path): (path.read_text(encoding="utf-8"), path.name == "__init__.py")
            for path in PACKAGE.rglob("*.py") if not module_name(path).startswith("data") and module_name(path)}


def test_imports_flow_one_way():
    assert wrong_imports(package_sources()) == []


def test_a_wrong_import_is_caught():
    sources = package_sources()
    records, is_package = sources["content.records"]
    sources["content.records"] = (records + "\nfrom ..build import cache\n", is_package)
    sources["model"] = (sources["model"][0] + "\nfrom . import render\n", False)
    assert sorted(wrong_imports(sources)) == [
        "content.records imports build: the stages know nothing of the build's machinery", "model imports render"]


def long_functions(limit: int = 50) -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.name} ({length} lines)")
    return found


def test_no_function_is_longer_than_a_screen():
    """A function a reader can see whole: split one that grows past 50 lines."""
    assert long_functions() == []


def test_the_length_rule_finds_a_long_function():
    assert long_functions(limit=5), "the rule must see functions longer than its limit"
