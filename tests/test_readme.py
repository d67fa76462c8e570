"""The README's "Add or correct a city by hand" runs as written on a copy of the committed content.

Each command block of the section is run in turn in a fresh project folder (the committed
content/ and build.py); between them the test does what the section's words ask of the reader
(write the new entry's headline and body), and checks what the words promise."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SEED_CONTENT

SECTION = "## Add or correct a city by hand"


def section(text: str, heading: str) -> str:
    start = text.index(heading + "\n")
    following = text.find("\n## ", start + len(heading))
    return text[start:following if following != -1 else len(text)]


def command_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def run_block(block: str, project: Path) -> subprocess.CompletedProcess:
    """The block as written, run by bash in `project`, `python` being this interpreter."""
    tools = project.parent / "bin"
    tools.mkdir(exist_ok=True)
    if not (tools / "python").exists():
        (tools / "python").symlink_to(sys.executable)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(["bash", "-ec", block], cwd=project, env=env, capture_output=True, text=True, timeout=120)


def test_the_add_a_city_section_runs_as_written(tmp_path):
    text = section((ROOT / "README.md").read_text(encoding="utf-8"), SECTION)
    blocks = command_blocks(text)
    assert len(blocks) == 2, "the test knows the section as: new …, then (headline and body written) check and build"
    project = tmp_path / "project"
    shutil.copytree(SEED_CONTENT, project / "content")
    shutil.copy(ROOT / "build.py", project / "build.py")

    done = run_block(blocks[0], project)
    assert done.returncode == 0, done.stdout + done.stderr
    named = re.findall(r"`(content/[^`]+\.yaml)`", text)
    assert named, "the section names the file new writes"
    entry = project / named[0]
    written = entry.read_text(encoding="utf-8")
    for key in ("city", "code", "province", "parent", "date"):  # what the section says new fills in
        assert re.search(rf"^{key}: '?[^'\s]", written, re.M), f"{key} is not filled in:\n{written}"

    refused = run_block("python build.py check", project)  # "check refuses the entry until you do"
    assert refused.returncode == 1 and "'headline' is empty" in refused.stderr and "placeholder" in refused.stderr

    entry.write_text(written.replace("headline: ''", "headline: 昆山开出新春第一场招聘会")
                     .replace("body: '正文写在这里。'", "body: 昆山举办新春招聘会,提供岗位三千个。"), encoding="utf-8")
    done = run_block(blocks[1], project)
    assert done.returncode == 0, done.stdout + done.stderr
    page = project / "site" / "cities" / entry.stem / "index.html"
    assert "昆山开出新春第一场招聘会" in page.read_text(encoding="utf-8")
