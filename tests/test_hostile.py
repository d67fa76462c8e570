"""Hostile content: every bad file gets a clear error (file, line, what to do), never a traceback,
never code execution, never a write outside the content and output folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest.build import build_site
from digest.check import problems_in
from digest.errors import DigestError

ENTRY = "2026-01-04-jiangsu/nanjing.yaml"
LAUGHS = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))

# name → (file, text or bytes, words the message must contain, the line it must point at or None)
YAML_CASES = {
    "python object tag": (ENTRY, "city: !!python/object/apply:os.system ['touch /tmp/digest-pwned']\n",
                          "unsafe or unknown YAML tag", 1),
    "python name tag": (ENTRY, "city: !!python/name:os.system\n", "unsafe or unknown YAML tag", 1),
    "billion laughs": (ENTRY, LAUGHS, "aliases", None),
    "deep flow nesting": (ENTRY, "city: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested more than", None),
    "deep block nesting": (ENTRY, "city:\n" + "".join("  " * i + "- \n" for i in range(1, 60)) + "  " * 60 + "x\n",
                           "nested more than", None),
    "duplicate key": (ENTRY, "city: 南京\nslug: nanjing\ncity: 北京\n", "duplicate key 'city'", 3),
    "list as text": (ENTRY, "city: 南京\nslug: nanjing\nheadline: [一, 二]\n", "'headline' must be text", 3),
    "number as city": (ENTRY, "city: 12\nslug: nanjing\n", "'city' must be a name", 1),
    "mapping as theme": (ENTRY, "city: 南京\ntheme: {a: b}\n", "'theme' must be text", 2),
    "unknown key": (ENTRY, "city: 南京\nslug: nanjing\ncolour: red\n", "unknown key 'colour'", 3),
    "bad date": (ENTRY, "city: 南京\ndate: 2026-13-45\n", "must be a date", 2),
    "figure not a number": (ENTRY, "city: 南京\nfigures:\n- {value: 很多, unit: 个}\n", "must be a number", 2),
    "people not a list": (ENTRY, "city: 南京\npeople: 王剑锋\n", "'people' must be a list", 2),
    "paragraph out of range": (ENTRY, "city: 南京\nsource:\n  paragraphs: [999]\n", "does not exist", 3),
    "not a mapping": (ENTRY, "- 南京\n- 北京\n", "must be a mapping", 1),
    "complex key": (ENTRY, "? [a, b]\n: c\n", "mapping key must be plain text", 1),
    "tab indentation": (ENTRY, "city: 南京\npeople:\n\t- name: x\n", "", 3),
    "unclosed quote": (ENTRY, "city: '南京\nslug: nanjing\n", "", None),
    "oversized file": (ENTRY, "body: |\n" + "  很长的正文。\n" * 200_000, "limit", None),
    "not UTF-8": (ENTRY, "city: 南京\nheadline: 南京召开大会\n".encode("gb18030"), "not UTF-8", None),
    "NUL byte": (ENTRY, b"city: \xe5\x8d\x97\nslug: \x00\n", "not allowed", 2),
    "empty entry": (ENTRY, "", "'city' is missing", None),
    "site.yaml wrong type": ("site.yaml", "per_page: lots\n", "'per_page' must be a whole number", 1),
    "site.yaml bad url": ("site.yaml", "base_url: javascript:alert(1)\n", "'base_url' must start with http", 1),
    "themes.yaml not a list": ("themes.yaml", "themes: 科创\n", "must hold a list of themes", 1),
    "theme colour injection": ("themes.yaml", "themes:\n- {name: 科创, slug: kechuang, color: 'red;}</style>'}\n",
                               "not a #rrggbb colour", 2),
}

# slug (or folder name) → must be refused at validation
UNSAFE_SLUGS = ["../evil", "a/b", "a\\\\b", "/etc/passwd", "nul", "con", "aux", "\\0x", "bell\\a", "Ünïcode",
                "UPPER", "-dash", "x" * 200, "..", ".", "a b"]


@pytest.mark.parametrize("name", YAML_CASES)
def test_hostile_yaml_gets_a_clear_error(seed_content, tmp_path, name):
    relative, text, words, line = YAML_CASES[name]
    target = seed_content / relative
    target.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    problems = [p for p in problems_in(seed_content) if not p.warning]
    shown = [str(p) for p in problems if p.path.endswith(relative)]
    assert shown, f"no error for {name}: {[str(p) for p in problems]}"
    assert any(words in text for text in shown), shown
    if line is not None:
        assert any(f"{relative}:{line}:" in text for text in shown), shown
    assert all(" — " in text for text in shown)  # every message says what to do
    assert not Path("/tmp/digest-pwned").exists()


def test_a_hostile_file_fails_the_build_and_keeps_the_site(seed_content, tmp_path):
    site = tmp_path / "site"
    build_site(seed_content, site, search=False)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    (seed_content / ENTRY).write_text(LAUGHS, encoding="utf-8")
    with pytest.raises(DigestError):
        build_site(seed_content, site, search=False)
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("slug", UNSAFE_SLUGS)
def test_unsafe_slugs_are_refused(seed_content, slug):
    entry = seed_content / ENTRY
    entry.write_text(entry.read_text(encoding="utf-8").replace("slug: nanjing", f'slug: "{slug}"'), encoding="utf-8")
    problems = [str(p) for p in problems_in(seed_content) if not p.warning]
    assert any("nanjing.yaml" in p and "slug" in p for p in problems), problems


@pytest.mark.parametrize("name", ["x..y", "con", "a b", "-x", "x" * 150])
def test_unsafe_digest_folders_are_refused(seed_content, name):
    (seed_content / "2026-01-04-jiangsu").rename(seed_content / name)
    problems = [str(p) for p in problems_in(seed_content) if not p.warning]
    assert any("digest id" in p or "differs from its folder" in p for p in problems), problems


def test_symlinks_out_of_the_content_folder_are_not_followed(seed_content, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("city: 秘密\nslug: secret\n", encoding="utf-8")
    os.symlink(outside / "secret.yaml", seed_content / "2026-01-04-jiangsu" / "secret.yaml")
    (outside / "digest.yaml").write_text("title: x\n", encoding="utf-8")
    os.symlink(outside, seed_content / "linked-digest")
    problems = [str(p) for p in problems_in(seed_content) if not p.warning]
    assert sum("links outside the content folder" in p for p in problems) == 2, problems


def test_builds_write_only_into_the_output_and_the_projects_cache(seed_content, tmp_path):
    """Every file a build creates is under the output folder or the project's .digest-cache/."""
    def files():
        return {p for p in tmp_path.rglob("*") if p.is_file()}

    before = files()
    build_site(seed_content, tmp_path / "out" / "site", search=False)
    build_site(seed_content, tmp_path / "out" / "site", search=False, clean=True)
    created = files() - before
    allowed = (tmp_path / "out" / "site", seed_content.parent / ".digest-cache")
    assert created and all(any(a in p.parents for a in allowed) for p in created)
