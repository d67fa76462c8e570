"""The build pipeline: read → plan → render → swap in.

    build_site(content_dir, output) -> BuildResult

Content is read and validated completely before anything is rendered; pages
are rendered into a staging folder that replaces the output only when every
page was written, so a failed or interrupted build leaves the old site as it was.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from . import content, pages, render
from .output import locked, remove_stale, staging_folder, swap_in


@dataclass
class BuildResult:
    pages: int
    files: int
    seconds: float
    output: Path

    def summary(self) -> str:
        return f"built {self.pages} pages ({self.files} files) into {self.output} in {self.seconds:.2f} s"


def build_site(content_dir: Path, output: Path, base_url: str | None = None, clean: bool = False,
               search: bool = True) -> BuildResult:
    started = time.perf_counter()
    content_dir, output = Path(content_dir), Path(output)
    with locked(output, "build"):
        remove_stale(output)
        site = content.read_site(content_dir)
        if base_url is not None:
            site.settings = dataclasses.replace(site.settings, base_url=base_url.rstrip("/") + "/" if base_url else "")
        folders = render.template_folders(site, content_dir)
        jobs = pages.plan(site)
        staging = staging_folder(output)
        try:
            files = render.render_all(site, jobs, staging, folders)
            if search:
                from .search import index_site

                index_site(staging)
            swap_in(staging, output)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    html = sum(1 for j in jobs if j.path.endswith(".html"))
    return BuildResult(html, files, time.perf_counter() - started, output)
