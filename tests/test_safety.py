"""Data safety: a build never loses or publishes a file that is not the site's own (issue "Data safety").

Each test stages what a careless or hostile user did, then checks that digest refused it with one line
naming the path and why (no traceback), or handled it, and that every file outside the output folder is
byte-identical afterwards."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest
from lxml import etree

from digest.build import build_site
from digest.build.output import MANIFEST, recover
from digest.build.place import place_of
from digest.check import problems_in
from digest.cli import main
from digest.errors import DigestError

from .conftest import write_tree

ENTRY = "2026-01-04-jiangsu/nanjing.yaml"


def tree_hash(folder: Path, skip: Path | None = None) -> dict[str, str]:
    """Every file under `folder` (links as links), but those under `skip`, by hash."""
    found = {}
    for current, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(current, d))]:
            path = Path(current, name)
            if skip and (path == skip or skip in path.parents):
                continue
            found[str(path.relative_to(folder))] = (f"link:{os.readlink(path)}" if path.is_symlink()
                                                    else hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def refused(capsys, *argv: str) -> str:
    """Run the command line, expect exit 1 and one clear line on stderr (no traceback); that line."""
    assert main(list(argv)) == 1
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def build(content: Path, output: Path, *extra: str) -> int:
    return main(["build", "--content", str(content), "--output", str(output), "--no-search", *extra])


# --- the output folder is the user's too ----------------------------------------------------------

def test_a_folder_of_someone_elses_files_is_refused_and_left_alone(seed_content, tmp_path, capsys):
    site = tmp_path / "site"
    write_tree(site, {"notes.txt": "mine", ".git/HEAD": "ref: refs/heads/main\n", "CNAME": "news.example.org\n"})
    before = tree_hash(tmp_path, skip=seed_content.parent / ".digest-cache")
    err = refused(capsys, "build", "--content", str(seed_content), "--output", str(site), "--no-search")
    assert "site: holds files digest did not write (e.g. notes.txt)" in err and "--force-output" in err
    assert tree_hash(tmp_path, skip=seed_content.parent / ".digest-cache") == before


def test_force_output_builds_beside_foreign_files_and_never_touches_them(seed_content, tmp_path):
    site = tmp_path / "site"
    mine = {"notes.txt": "mine", ".git/HEAD": "ref\n", "CNAME": "news.example.org\n", ".nojekyll": "",
            ".well-known/security.txt": "Contact: x\n", "digests/old-page.html": "kept"}
    write_tree(site, mine)
    assert build(seed_content, site, "--force-output") == 0
    (seed_content / "2026-01-04-jiangsu" / "nantong.yaml").unlink()  # a page to delete
    assert build(seed_content, site) == 0 and build(seed_content, site, "--clean") == 0
    assert all((site / path).read_text() == text for path, text in mine.items())
    assert (site / "index.html").exists() and not (site / "cities" / "nantong").exists()


def test_a_deploy_checkout_of_dot_files_and_cname_is_used_and_kept(seed_content, tmp_path):
    site = tmp_path / "site"
    write_tree(site, {".git/HEAD": "ref\n", "CNAME": "news.example.org\n"})
    before = tree_hash(site)
    assert build(seed_content, site) == 0 and build(seed_content, site, "--clean") == 0
    assert {path: digest for path, digest in tree_hash(site).items() if path in before} == before


def test_a_file_digest_did_not_write_where_a_page_goes_stops_the_build(seed_content, tmp_path, capsys):
    site = tmp_path / "site"
    write_tree(site, {"about/index.html": "my own about page"})
    assert main(["build", "--content", str(seed_content), "--output", str(site), "--no-search",
                 "--force-output"]) == 1
    err = capsys.readouterr().err
    assert "about/index.html: a file digest did not write stands where digest must write" in err
    assert (site / "about" / "index.html").read_text() == "my own about page"
    assert not (site / "index.html").exists()  # the failed build was rolled back whole


@pytest.mark.parametrize("where", ["home", ".", "..", "/", "content", "inside content", "holding content",
                                   "a file", "digest's cache"])
def test_outputs_that_would_put_other_files_at_risk_are_refused(seed_content, tmp_path, monkeypatch, capsys, where):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("x")
    output = {"home": str(home), ".": ".", "..": "..", "/": "/", "content": str(seed_content),
              "inside content": str(seed_content / "site"), "holding content": str(tmp_path),
              "a file": str(tmp_path / "a-file"), "digest's cache": str(tmp_path / ".digest-cache" / "x")}[where]
    before = tree_hash(tmp_path)
    err = refused(capsys, "build", "--content", str(seed_content), "--output", output, "--no-search")
    assert "cannot be the output folder" in err
    assert tree_hash(tmp_path) == before  # no lock, no cache folder, nothing moved


def test_a_symlinked_output_is_written_through_and_stays_a_link(seed_content, tmp_path):
    www = tmp_path / "srv" / "www"
    write_tree(www, {"old/notes.txt": "the server's own"})
    (tmp_path / "site").symlink_to(www)
    assert build(seed_content, tmp_path / "site", "--force-output") == 0
    (seed_content / "2026-01-04-jiangsu" / "nantong.yaml").unlink()
    assert build(seed_content, tmp_path / "site", "--clean") == 0
    assert (tmp_path / "site").is_symlink() and (www / "index.html").exists()
    assert (www / "old" / "notes.txt").read_text() == "the server's own"


def test_the_output_and_its_cache_are_all_a_build_writes(seed_content, tmp_path):
    before = tree_hash(tmp_path)
    assert build(seed_content, tmp_path / "out" / "site") == 0
    changed = {path for path, digest in tree_hash(tmp_path).items() if before.get(path) != digest}
    assert changed and all(path.startswith(("out/site/", ".digest-cache/")) for path in changed), changed


def test_recovery_does_not_trust_the_paths_a_journal_names(seed_content, tmp_path):
    site = tmp_path / "site"
    assert build(seed_content, site) == 0
    journal = site / ".digest" / "journal" / "forged"
    journal.mkdir(parents=True)
    outside = tmp_path / "content" / "themes.yaml"
    before = outside.read_bytes()
    import struct

    records = b""
    for name in ("../content/themes.yaml", "/etc/hostname", "a/../../content/site.yaml"):
        records += struct.pack("<cIQ", b"N", len(name.encode()), 0) + name.encode()
    (journal / "1.log").write_bytes(records)
    notes = recover(site)
    assert outside.read_bytes() == before and (tmp_path / "content" / "site.yaml").exists()
    assert any("could not undo" in note for note in notes) and not journal.exists()


def test_a_damaged_journal_is_noted_and_the_build_goes_on(seed_content, tmp_path, capsys):
    site = tmp_path / "site"
    assert build(seed_content, site) == 0
    journal = site / ".digest" / "journal" / "damaged"
    journal.mkdir(parents=True)
    (journal / "1.log").write_bytes(b"\xff" * 40)
    assert build(seed_content, site) == 0
    assert "damaged journal log" in capsys.readouterr().err and not journal.exists()


# --- nothing from outside the content and theme folders is published -------------------------------

@pytest.mark.parametrize("link", ["page", "digest.yaml", "pages folder", "static file", "static folder"])
def test_links_out_of_the_content_or_theme_folder_are_refused(seed_content, tmp_path, capsys, link):
    secret = tmp_path / "secret"
    write_tree(secret, {"passwd.md": "root:x:0:0\n", "digest.yaml": "title: x\n", "key.css": "secret"})
    theme = seed_content / "mytheme"
    (theme / "static").mkdir(parents=True)
    (seed_content / "site.yaml").write_text("templates: mytheme\n", encoding="utf-8")
    target, source = {"page": (seed_content / "pages" / "leak.md", secret / "passwd.md"),
                      "digest.yaml": (seed_content / "2026-01-04-jiangsu" / "digest.yaml", secret / "digest.yaml"),
                      "pages folder": (seed_content / "pages", secret),
                      "static file": (theme / "static" / "leak.css", secret / "key.css"),
                      "static folder": (theme / "static" / "leak", secret)}[link]
    if target.exists():
        target.unlink() if target.is_file() else __import__("shutil").rmtree(target)
    target.symlink_to(source)
    site = tmp_path / "site"
    assert main(["build", "--content", str(seed_content), "--output", str(site), "--no-search"]) == 1
    assert "links outside" in capsys.readouterr().err
    assert not site.exists() or not any("root:x" in p.read_text(errors="ignore") or "secret" == p.read_text(errors="ignore")
                                        for p in site.rglob("*") if p.is_file())


def test_a_templates_folder_outside_the_project_is_refused(seed_content, tmp_path, capsys):
    (seed_content / "site.yaml").write_text("templates: /\n", encoding="utf-8")
    err = refused(capsys, "build", "--content", str(seed_content), "--output", str(tmp_path / "site"), "--no-search")
    assert "site.yaml: templates folder '/' is outside the project folder" in err


# --- text every output format accepts --------------------------------------------------------------

@pytest.mark.parametrize("char", ["\\v", "\\x01", "\\e", "\\0", "\\uFFFE"])
def test_characters_xml_forbids_are_refused_with_their_line(seed_content, tmp_path, char):
    entry = seed_content / ENTRY
    lines = entry.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("headline:"))
    lines[number - 1] = f'headline: "南京{char}召开大会"'
    entry.write_text("\n".join(lines) + "\n", encoding="utf-8")
    messages = [str(p) for p in problems_in(seed_content) if not p.warning]
    assert any(f"nanjing.yaml:{number}: 'headline' holds the control character" in m for m in messages), messages
    with pytest.raises(DigestError):
        build_site(seed_content, tmp_path / "site", search=False)


def test_feeds_and_pages_are_well_formed_xml(seed_content, tmp_path):
    site = tmp_path / "site"
    build_site(seed_content, site, search=False)
    etree.parse(str(site / "feed.xml"))  # raises on a character XML forbids


# --- Markdown that would take minutes, or nest without end -----------------------------------------

@pytest.mark.parametrize("body, words", [
    ("[" * 100_000, "more than 1000 '['"),
    ("![" * 8_000, "more than 1000 '['"),
    ("\n".join("    " * depth + "- x" for depth in range(300)), "lists or quotes nested more than 16 levels"),
    ("\n".join(">" * depth + " x" for depth in range(1, 300)), "lists or quotes nested more than 16 levels"),
], ids=["unclosed brackets", "unclosed image brackets", "nested lists", "nested quotes"])
def test_pathological_markdown_is_refused_at_its_line(seed_content, body, words):
    entry = seed_content / ENTRY
    text = entry.read_text(encoding="utf-8")
    start = text.index("body: |-\n")
    end = text.index("\n", text.index("\n", start) + 1)
    indented = "\n".join("  " + line for line in body.split("\n"))
    entry.write_text(text[:start] + "body: |-\n" + indented + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 1
    messages = [str(p) for p in problems_in(seed_content) if not p.warning]
    assert any(f"nanjing.yaml:{line}: 'body' has {words}" in m for m in messages), messages


def test_a_page_over_the_size_limit_or_not_utf8_is_refused(seed_content):
    (seed_content / "pages" / "big.md").write_text("# 大\n\n" + "很长的正文。\n" * 400_000, encoding="utf-8")
    (seed_content / "pages" / "gbk.md").write_bytes("# 关于\n".encode("gb18030"))
    messages = " ".join(str(p) for p in problems_in(seed_content))
    assert "big.md: file is" in messages and "over the 2048 KiB limit" in messages
    assert "gbk.md: not UTF-8 text" in messages


# --- builds that finish, and recover by themselves --------------------------------------------------

def test_a_damaged_compiled_template_is_compiled_again(seed_content, tmp_path):
    site = tmp_path / "site"
    build_site(seed_content, site, search=False)
    expected = (site / "index.html").read_bytes()
    compiled = list(place_of(seed_content, site).cache.glob("templates/*/*.cache"))
    assert compiled
    for path in compiled:  # flip one byte past the header in each: it may still unmarshal, as wrong code
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x20
        path.write_bytes(bytes(data))
    build_site(seed_content, site, search=False, clean=True)
    assert (site / "index.html").read_bytes() == expected


def test_a_disk_full_in_the_middle_of_a_build_leaves_the_old_site(seed_content, tmp_path, monkeypatch):
    from digest.build import output

    site = tmp_path / "site"
    build_site(seed_content, site, search=False)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    (seed_content / "site.yaml").write_text("title: 新的站名\n", encoding="utf-8")  # every page changes
    writes = []
    real = output.os.write

    def filling(fd, data):
        writes.append(fd)
        if len(writes) == 40:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(output.os, "write", filling)
    with pytest.raises(OSError):
        build_site(seed_content, site, search=False, workers=1)
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


def test_an_edit_that_keeps_size_time_and_inode_is_seen(seed_content, tmp_path):
    site = tmp_path / "site"
    entry = seed_content / ENTRY
    old = entry.stat()
    os.utime(entry, ns=(old.st_atime_ns, old.st_mtime_ns - 10 * 10**9))  # old enough to be trusted
    build_site(seed_content, site, search=False)
    stat = entry.stat()
    text = entry.read_text(encoding="utf-8")
    at = text.index("headline: ") + len("headline: ")
    changed = text[:at] + "改" + text[at + 1:]  # one character for another of as many bytes
    with open(entry, "r+b") as fh:  # same inode, same size
        fh.write(changed.encode("utf-8"))
    os.utime(entry, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same modification time
    assert entry.stat().st_size == stat.st_size and entry.stat().st_ino == stat.st_ino
    result = build_site(seed_content, site, search=False)
    assert result.parsed == 1 and "改" in (site / "digests/2026-01-04-jiangsu/nanjing/index.html").read_text()


def test_entries_that_would_silently_vanish_are_errors(seed_content):
    (seed_content / "2026-01-04-jiangsu" / "digest.yaml").rename(seed_content / "digest-moved.txt")
    write_tree(seed_content, {"2026-01-05-zhejiang/hangzhou.yml": "city: 杭州\n"})
    messages = [str(p) for p in problems_in(seed_content) if not p.warning]
    assert any("2026-01-04-jiangsu: entries without a digest.yaml" in m for m in messages), messages
    assert any("2026-01-05-zhejiang: entries without a digest.yaml" in m for m in messages), messages


def test_check_rejects_what_build_rejects(seed_content, tmp_path):
    write_tree(seed_content, {"pages/cities.md": "# 城市\n", "mytheme/entry.html": "{% if %}"})
    (seed_content / "site.yaml").write_text("templates: mytheme\n", encoding="utf-8")
    entry = seed_content / ENTRY
    text = entry.read_text(encoding="utf-8")
    figure = "- {value: 0x" + "f" * 5000 + ", unit: 个}\n"
    text = text.replace("\nfigures:\n", "\nfigures:\n" + figure, 1) if "\nfigures:\n" in text else text + "figures:\n" + figure
    entry.write_text(text, encoding="utf-8")
    messages = " ".join(str(p) for p in problems_in(seed_content) if not p.warning)
    assert "a figure's 'value' must be a finite number below 10^15" in messages
    with pytest.raises(DigestError) as built:
        build_site(seed_content, tmp_path / "site", search=False)
    assert {str(p) for p in built.value.problems} <= set(str(p) for p in problems_in(seed_content))


def test_check_names_two_pages_on_one_path_and_a_broken_template(seed_content):
    write_tree(seed_content, {"pages/search.md": "# 搜索\n", "mytheme/entry.html": "{% if %}"})
    (seed_content / "site.yaml").write_text("templates: mytheme\n", encoding="utf-8")
    messages = " ".join(str(p) for p in problems_in(seed_content))
    assert "two pages would be written to search/index.html" in messages
    (seed_content / "pages" / "search.md").unlink()
    messages = " ".join(str(p) for p in problems_in(seed_content))
    assert "entry.html:1: template error" in messages


@pytest.mark.parametrize("template, words", [
    ("{{ 1 // 0 }}", "ZeroDivisionError"),
    ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "calls itself without end"),
])
def test_template_errors_name_the_template_and_line(seed_content, tmp_path, capsys, template, words):
    write_tree(seed_content, {"mytheme/404.html": "{% extends 'base.html' %}{% block main %}\n" + template
                              + "\n{% endblock %}"})
    (seed_content / "site.yaml").write_text("templates: mytheme\n", encoding="utf-8")
    err = refused(capsys, "build", "--content", str(seed_content), "--output", str(tmp_path / "site"), "--no-search")
    assert "mytheme/404.html:2:" in err and words in err


def test_a_template_that_is_not_utf8_is_named(seed_content, tmp_path, capsys):
    (seed_content / "mytheme").mkdir()
    (seed_content / "mytheme" / "404.html").write_bytes("{% extends 'base.html' %}关于".encode("gb18030"))
    (seed_content / "site.yaml").write_text("templates: mytheme\n", encoding="utf-8")
    err = refused(capsys, "build", "--content", str(seed_content), "--output", str(tmp_path / "site"), "--no-search")
    assert "404.html: template is not UTF-8 text" in err


def test_unsafe_base_urls_and_languages_are_refused(seed_content, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["build", "--content", str(seed_content), "--output", str(tmp_path / "s"), "--base-url", "javascript:x"])
    assert "is not an http:// or https:// address" in capsys.readouterr().err
    (seed_content / "site.yaml").write_text('language: "zh-CN\\" onload=\\"x"\n', encoding="utf-8")
    assert any("'language' must be a language tag" in str(p) for p in problems_in(seed_content))


def test_the_manifest_lists_exactly_the_files_digest_wrote(seed_content, tmp_path):
    site = tmp_path / "site"
    build_site(seed_content, site, search=False)
    listed = {line.split("  ", 1)[1] for line in (site / MANIFEST).read_text().splitlines()[1:]}
    on_disk = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()} - {MANIFEST}
    assert listed == on_disk
