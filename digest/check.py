"""`digest check`: every problem a build would stop at, and what lint.py finds, without writing anything.

The build's own checks run as the build runs them, with the same messages:
the read stage's problems, two pages on one path (the plan's), templates that
do not load, every page rendered (a template may fail on one page's data), and
the theme's static files.  On content that builds, lint.py's rules follow.
"""

from __future__ import annotations

from pathlib import Path

from . import content, lint, plan, render, theme
from .errors import DigestError, Problem


def problems_in(content_dir: Path) -> list[Problem]:
    """Every problem (warnings included) of a content folder, without raising."""
    warnings: list[Problem] = []
    try:
        site = content.read_site(Path(content_dir), warnings)
        jobs = plan.plan(site)
        folders = theme.template_folders(Path(content_dir), site.settings.templates)
        _check_templates(folders)
        theme.static_files(folders)
        renderer = render.Renderer(site, folders)
        for job in jobs:
            renderer.render(job)
    except DigestError as exc:
        return exc.problems + warnings
    return sorted(lint.problems(site, Path(content_dir)) + warnings, key=lambda p: (p.path, p.line or 0))


def _check_templates(folders: list[Path]) -> None:
    """Load every template the site's theme folders hold (a syntax error or a bad file stops a build)."""
    env = render.environment(folders)
    for name in env.list_templates(extensions=("html", "xml", "txt")):
        try:
            env.get_template(name)
        except Exception as exc:  # noqa: BLE001 - reported as the build would report it
            raise render.template_problem(exc, name) from None
