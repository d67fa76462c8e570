"""`digest check`: every problem a build would stop at, found without writing anything.

The read stage's problems, two pages on one path (the plan's), and templates
that do not load: the same checks, and messages, as a build's.
"""

from __future__ import annotations

from pathlib import Path

from . import content, plan, render, theme
from .errors import DigestError, Problem


def problems_in(content_dir: Path) -> list[Problem]:
    """Every problem (warnings included) of a content folder, without raising."""
    warnings: list[Problem] = []
    try:
        site = content.read_site(Path(content_dir), warnings)
        plan.plan(site)
        _check_templates(theme.template_folders(Path(content_dir), site.settings.templates))
    except DigestError as exc:
        return exc.problems + warnings
    return warnings


def _check_templates(folders: list[Path]) -> None:
    """Load every template the site's theme folders hold (a syntax error or a bad file stops a build)."""
    env = render.environment(folders)
    for name in env.list_templates(extensions=("html", "xml", "txt")):
        try:
            env.get_template(name)
        except Exception as exc:  # noqa: BLE001 - reported as the build would report it
            raise render.template_problem(exc, name) from None
