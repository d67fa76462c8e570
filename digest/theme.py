"""The theme: which template folders a site uses and which static files they hold, by one rule.

The default theme (templates/ in digest's project) is always there; a site's
own folder, named by site.yaml's `templates:`, overrides it template by
template and static file by static file.  A site's folder must lie inside the
project (the content folder's parent), and no link inside a theme folder may
lead out of it: a theme is published, so it must not reach files elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DigestError, Problem, display_path

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "templates"
"""The templates and static files every site starts from."""
STATIC = "static"
"""A theme's folder of files copied as they are to the site's assets/."""


def template_folders(content_dir: Path, templates: str) -> list[Path]:
    """The site's own template folder (when `templates` names one), then the default theme."""
    if not templates:
        return [DEFAULT_THEME]
    settings = display_path(Path(content_dir) / "site.yaml")
    folder = (Path(content_dir) / templates).resolve()
    project = Path(content_dir).resolve().parent
    if not folder.is_relative_to(project) or folder == project:
        raise DigestError(Problem(settings, f"templates folder '{templates}' is outside the project folder",
                                  hint=f"keep the site's templates in a folder inside {display_path(project)}"))
    if not folder.is_dir():
        raise DigestError(Problem(settings, f"templates folder '{templates}' not found",
                                  hint="create it or remove 'templates:' from site.yaml"))
    return [folder, DEFAULT_THEME]


def files_in(folder: Path) -> list[Path]:
    """The files under `folder`, sorted.  A link that stays inside is read where it points (a linked
    folder's files are found under their own path); DigestError names the first link that leads out,
    since a theme is published and must not reach the rest of the file system."""
    root = folder.resolve()
    found = []
    for current, dirs, files in os.walk(folder, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(current, name)
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                raise DigestError(Problem(display_path(path), "links outside its theme folder",
                                          hint="replace the link with the file itself"))
        found.extend(Path(current, name) for name in files if Path(current, name).is_file())
    return sorted(found)


def static_files(folders: list[Path]) -> dict[str, Path]:
    """Output path (assets/…) → the theme file it is copied from, the site's own folder winning."""
    found: dict[str, Path] = {}
    for folder in reversed(folders):
        source = folder / STATIC
        if source.is_dir():
            for path in files_in(source):
                found[f"assets/{path.relative_to(source).as_posix()}"] = path
    return found
