"""Where the default theme lives: a constant light enough for the no-change check to import."""

from __future__ import annotations

from pathlib import Path

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "templates"
"""The templates and static files every site starts from (a site's own templates override them)."""
