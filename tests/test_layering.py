"""Imports flow one way: cli → build/ingest → render/pages/content → article → model."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "digest"
# A module may import only from the layers listed after its own.
LAYERS = [
    {"cli"},
    {"build", "ingest", "scaffold", "serve"},
    {"render", "search", "content"},
    {"pages", "output", "state"},
    {"article.parse"},
    {"article.fields", "article.places", "article.clean", "article.decode", "article.normalize"},
    {"markup", "yamlio", "gazetteer", "lexicon", "fingerprint", "defaults", "forked", "schema", "files"},
    {"yamlfast"},
    {"model", "errors"},
]


def layer_of(module: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if module in names)


def imports_of(path: Path) -> set[str]:
    module = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
    package = module.rsplit(".", 1)[0] if "." in module else ""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".") if node.level == 1 and package else []
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            prefix = ".".join(base + ([node.module] if node.module else []))
            names = [prefix] if node.module else [f"{prefix}.{a.name}".strip(".") for a in node.names]
            found.update(n for n in names if n)
    return found


def test_imports_flow_one_way():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        module = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        if module.endswith("__init__") or module.startswith("data"):
            continue
        for imported in imports_of(path):
            if imported in ("article", "data", "__version__") or imported.startswith("data"):
                continue
            if layer_of(imported) <= layer_of(module) and imported != module:
                same = layer_of(imported) == layer_of(module)
                if not same or module.startswith("article.") != imported.startswith("article."):
                    wrong.append(f"{module} imports {imported}")
    assert wrong == []
