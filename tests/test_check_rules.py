"""`check`'s rules: each one flags what it is for, at the key's line, and leaves right content alone.

And `check` rejects whatever `build` rejects, with the same messages."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from digest import gazetteer, lint
from digest.build import build_site
from digest.check import problems_in
from digest.cli import main
from digest.errors import DigestError
from digest.model import Entry
from tests.conftest import SEED_CONTENT

DIGEST = "2026-01-04-jiangsu"


def edit(path: Path, *replacements: tuple[str, str]) -> None:
    """Replace whole lines (by their start) in a YAML file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for start, new in replacements:
        index = next(i for i, line in enumerate(lines) if line.startswith(start))
        lines[index:index + 1] = [] if new is None else [new]
    path.write_text("\n".join(lines), encoding="utf-8")


def set_body(path: Path, body: str) -> None:
    """Replace the entry's '|' block body with a one-line one."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"\nbody: \|-?\n(  .*\n|\n)+", f"\nbody: {body}\n", text, count=1), encoding="utf-8")


def line_of(path: Path, start: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if line.startswith(start))


def found(path: Path) -> list[str]:
    """What check says about one entry file (of a digest of the content folder)."""
    return [str(p) for p in problems_in(path.parent.parent) if p.path.endswith(f"/{path.name}")]


def at(path: Path, key: str, message: str) -> str:
    """A problem's line: the file, the line of `key`, the message."""
    return f"{path}:{line_of(path, key + ':')}: {message}"


def test_the_committed_content_passes_check_strict(capsys):
    assert main(["check", "--strict", "--content", str(SEED_CONTENT)]) == 0
    assert capsys.readouterr().err.strip().endswith("0 errors, 0 warnings")


def test_the_placeholder_body_is_refused_by_check_and_build(seed_content, tmp_path):
    path = seed_content / DIGEST / "wuxi.yaml"
    set_body(path, "'正文写在这里。'")
    expected = at(path, "body", "'body' still holds the placeholder '正文写在这里。' — write the place's news in its place")
    assert found(path) == [expected]
    with pytest.raises(DigestError) as refused:
        build_site(seed_content, tmp_path / "site", search=False)
    assert expected in refused.value.format()


def test_a_summary_that_is_the_whole_body_is_a_warning(seed_content):
    path = seed_content / DIGEST / "wuxi.yaml"
    set_body(path, "无锡开工。无锡签约。无锡投产。")
    edit(path, ("summary:", "summary: 无锡开工。无锡签约。无锡投产。"))
    assert found(path) == [at(path, "summary", "warning: the summary repeats the whole body — shorten it to the "
                                               "one or two sentences cards and feeds show")]
    edit(path, ("summary:", "summary: 无锡开工。"), ("body:", "body: 无锡开工。"))
    assert found(path) == []  # a one-sentence body is its own summary


def test_a_copy_of_another_citys_file_is_told_which_code_is_right(seed_content):
    """苏州's file with only city and slug changed to 宁波."""
    path = seed_content / DIGEST / "ningbo.yaml"
    path.write_text((seed_content / DIGEST / "suzhou-jiangsu.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    edit(path, ("city:", "city: 宁波"), ("slug:", "slug: ningbo"))
    assert found(path) == [at(path, "code", "code '320500' is 苏州's, not 宁波's — 宁波 is '330200' in 浙江省: "
                                            "set code: '330200' and province: 浙江省, or correct the city")]


def test_a_wrong_province_is_an_error_saying_the_right_one(seed_content):
    path = seed_content / DIGEST / "wuxi.yaml"
    edit(path, ("province:", "province: 浙江省"))
    # and no second message about the digest's province
    assert found(path) == [at(path, "province", "无锡 is in 江苏省, not 浙江省 — set province: 江苏省")]


def test_a_code_of_no_place(seed_content):
    path = seed_content / DIGEST / "wuxi.yaml"
    edit(path, ("code:", "code: '999999'"))
    assert found(path) == [at(path, "code", "code '999999' is no division code of the gazetteer — 无锡 is '320200' "
                                            "in 江苏省: set code: '320200', or correct the city")]


def as_place(path: Path, city: str, slug: str, code: str, province: str, parent: str | None) -> None:
    edit(path, ("city:", f"city: {city}"), ("slug:", f"slug: {slug}"), ("code:", f"code: '{code}'"),
         ("province:", f"province: {province}"))
    if parent is not None:
        edit(path, ("province:", f"province: {province}\nparent: {parent}"))


def test_parents_are_checked(seed_content):
    kunshan = seed_content / DIGEST / "kunshan.yaml"
    (seed_content / DIGEST / "wuxi.yaml").rename(kunshan)
    as_place(kunshan, "昆山", "kunshan", "320583", "江苏省", "无锡")
    assert found(kunshan) == [at(kunshan, "parent", "昆山's prefecture is 苏州, not 无锡 — set parent: 苏州")]
    edit(kunshan, ("parent:", "parent: 苏州"))
    assert found(kunshan) == []
    suzhou = seed_content / DIGEST / "suzhou-jiangsu.yaml"
    edit(suzhou, ("province:", "province: 江苏省\nparent: 江苏"))
    assert found(suzhou) == [at(suzhou, "parent", "苏州 is no county-level place: it has no parent — "
                                                  "remove the 'parent:' line")]


@pytest.mark.parametrize("city, code, province, parent", [
    ("北京", "110000", "北京市", ""), ("海淀区", "110108", "北京市", "北京"), ("江苏", "320000", "江苏省", ""),
    ("义乌", "330782", "浙江省", "金华"), ("昆山", "320583", "江苏省", "苏州"), ("鼓楼区", "350102", "福建省", "福州"),
    ("南京", "", "", ""),
])
def test_places_as_ingest_writes_them_are_right(city, code, province, parent):
    entry = Entry(city=city, code=code, province=province, parent=parent)
    assert lint.place_findings(entry, gazetteer.load()) == []


def test_a_name_of_several_places_with_a_wrong_code_lists_them():
    entry = Entry(city="鼓楼区", code="320500", province="江苏省")
    [finding] = lint.place_findings(entry, gazetteer.load())
    assert (finding.key, finding.message, finding.hint) == (
        "code", "code '320500' is 苏州's, not 鼓楼区's",
        "鼓楼区 is '320106' (江苏省南京), '320302' (江苏省徐州): set the code of the one meant, or correct the city")


def test_a_place_the_gazetteer_does_not_know_is_a_warning_with_near_names(seed_content):
    path = seed_content / DIGEST / "nanjing.yaml"
    edit(path, ("city:", "city: 南经"))
    shown = found(path)
    assert len(shown) == 1 and shown[0].startswith(at(path, "city", "warning: '南经' is not a place of the "
                                                                    "gazetteer — did you mean 南京")), shown


def test_an_entry_of_another_province_than_its_digest_is_a_warning(seed_content):
    path = seed_content / DIGEST / "ningbo.yaml"
    (seed_content / DIGEST / "wuxi.yaml").rename(path)
    as_place(path, "宁波", "ningbo", "330200", "浙江省", None)
    assert found(path) == [at(path, "province", "warning: province 浙江省 differs from its digest's (江苏省) — "
                                                "move the entry to a digest of 浙江省, or correct its province")]
    edit(seed_content / DIGEST / "digest.yaml", ("province:", None))  # a digest of several provinces
    assert found(path) == []


def test_a_missing_image_credit_is_a_warning_only_where_the_article_had_a_picture(seed_content):
    changzhou, lianyungang = seed_content / DIGEST / "changzhou.yaml", seed_content / DIGEST / "lianyungang.yaml"
    assert "\nimage_credit:" not in lianyungang.read_text(encoding="utf-8")  # its paragraph had no picture
    edit(changzhou, ("image_credit:", None))
    assert found(changzhou) == [at(changzhou, "source", "warning: no image credit, though paragraph 6 it cites had "
                                                        "a picture (credited to 常州发布) — add image_credit: 常州发布")]
    assert found(lianyungang) == []
    (seed_content / "articles" / f"{DIGEST}.txt").unlink()  # no copy of the article: nothing to go by
    assert found(changzhou) == []


def custom_theme(content: Path, files: dict[str, str | bytes]) -> None:
    edit(content / "site.yaml", ("per_page:", "per_page: 20\ntemplates: mytheme"))
    for name, text in files.items():
        (content / "mytheme" / name).parent.mkdir(parents=True, exist_ok=True)
        (content / "mytheme" / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


TEMPLATE_FAILURES = {
    "a template failing as it renders": {
        "home.html": '{% extends "base.html" %}{% block main %}{{ 1 / 0 }}{% endblock %}\n'},
    "a template failing on one entry's data": {
        "entry.html": '{% extends "base.html" %}{% block main %}{{ entry.figures[0].value }}{% endblock %}\n'},
    "a template's syntax error": {"home.html": '{% extends "base.html" %}{% block main %}{% if %}{% endblock %}\n'},
    "a template that is not UTF-8": {"home.html": '{% extends "base.html" %}{% block main %}\xff{% endblock %}\n'
                                                  .encode("latin-1")},
}


@pytest.mark.parametrize("name", TEMPLATE_FAILURES)
def test_check_rejects_what_build_rejects_with_the_same_message(seed_content, tmp_path, name):
    custom_theme(seed_content, TEMPLATE_FAILURES[name])
    shown = [str(p) for p in problems_in(seed_content)]
    assert len(shown) == 1 and any(template in shown[0] for template in TEMPLATE_FAILURES[name]), shown
    with pytest.raises(DigestError) as refused:
        build_site(seed_content, tmp_path / "site", search=False)
    assert shown == [str(p) for p in refused.value.problems]


def test_check_rejects_a_theme_file_linked_from_outside(seed_content, tmp_path):
    custom_theme(seed_content, {"static/own.css": "body {}\n"})
    (tmp_path / "secret.txt").write_text("not the site's\n", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", seed_content / "mytheme" / "static" / "leak.txt")
    with pytest.raises(DigestError) as refused:
        build_site(seed_content, tmp_path / "site", search=False)
    shown = [str(p) for p in problems_in(seed_content)]
    assert shown == [str(p) for p in refused.value.problems] and "links outside its theme folder" in shown[0]
