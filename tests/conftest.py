"""Shared fixtures: inline content trees, the seed article, built sites."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from digest import search
from digest.build import build_site

ROOT = Path(__file__).resolve().parent.parent
SEED_CONTENT = ROOT / "content"
SEED_ARTICLE = SEED_CONTENT / "articles" / "2026-01-04-jiangsu.txt"


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write {relative path: text} under root (text is dedented)."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def seed_content(tmp_path) -> Path:
    """A private copy of the committed content folder."""
    target = tmp_path / "content"
    shutil.copytree(SEED_CONTENT, target)
    return target


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory) -> Path:
    """The committed content built once (with a base URL so every feature is on)."""
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(SEED_CONTENT, out, base_url="https://example.org/digest/", search=search.available())
    return out


SLOW_MODULES = {"test_browser", "test_crash", "test_crash_points", "test_serve", "test_benchmarks", "test_validators",
                "test_fuzz"}
"""Browser, crash, benchmark, server, external-checker and fuzzing tests: `pytest -m "not slow"` leaves them out
(CI runs everything).  Modules that are slow as a whole are named here; single slow tests carry the mark."""


def pytest_collection_modifyitems(items):
    for item in items:
        if item.module.__name__.rpartition(".")[2] in SLOW_MODULES or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
