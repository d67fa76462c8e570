"""A YAML mistake gets one message, at the line of the mistake, saying what to type instead.

Each case breaks one line of a valid entry the way people do (a Chinese keyboard's full-width
colon, a line of a '|' block that lost its indentation, an unquoted ': ' in a headline …) and
checks that `check` reports exactly that file once, at that line, with that hint.
"""

from __future__ import annotations

import pytest

from digest.check import problems_in
from digest.yamlio import load_text

ENTRY = "2026-01-04-jiangsu/changzhou.yaml"
LINES = [
    "city: 常州",                          # 1
    "slug: changzhou",                     # 2
    "code: '320400'",                      # 3
    "province: 江苏省",                    # 4
    "theme: 科创",                         # 5
    "headline: 常州走出了另一条特色路径",  # 6
    "summary: 常州发展智能体产业。",       # 7
    "body: |-",                            # 8
    "  常州发展智能体产业。",              # 9
    "",                                    # 10
    "  常州举办智能体开发者大会。",        # 11
    "people:",                             # 12
    "- name: 王剑锋",                      # 13
    "  title: 市委书记",                   # 14
    "image_credit: 常州发布",              # 15
    "source:",                             # 16
    "  digest: 2026-01-04-jiangsu",        # 17
    "  paragraphs: [6]",                   # 18
]


def entry_with(changes: dict[int, str]) -> str:
    """The entry with some lines (numbered from 1) replaced; None removes the line."""
    lines = [changes.get(number, line) for number, line in enumerate(LINES, start=1)]
    return "\n".join(line for line in lines if line is not None) + "\n"


def problems_of(seed_content, text: str) -> list[str]:
    (seed_content / ENTRY).write_text(text, encoding="utf-8")
    return [str(p) for p in problems_in(seed_content) if not p.warning]


def test_the_unbroken_entry_has_no_problem(seed_content):
    assert problems_of(seed_content, entry_with({})) == []


# name → (the lines changed, the one message expected: its line, its words, words of its hint)
MISTAKES = {
    "full-width colon after a key": (
        {6: "headline：常州走出了另一条特色路径"}, 6, "full-width colon '：' after 'headline'",
        "use the half-width ':' and a space: headline: …"),
    "full-width colon before a block": (
        {7: "summary：常州发展智能体产业。"}, 7, "full-width colon '：' after 'summary'", "summary: …"),
    "no space after a key's colon": (
        {2: "slug:changzhou"}, 2, "no space after 'slug:'", "put a space after the colon: slug: changzhou"),
    "a line of a '|' block not indented": (
        {11: "常州举办智能体开发者大会。"}, 11, "this line of 'body: |' is not indented, so it ends the text",
        "indent it by 2 spaces like the lines above it"),
    "the first line of a '|' block not indented": (
        {9: "常州发展智能体产业。", 11: None, 10: None}, 9, "this line of 'body: |' is not indented",
        "indent it by 2 spaces"),
    "an unquoted ': ' in a value": (
        {6: "headline: 常州: 走出另一条特色路径"}, 6, "': ' inside the value of 'headline'",
        "quote the value: headline: '常州: 走出另一条特色路径'"),
    "an unquoted ': ' in a nested value": (
        {14: "  title: 市委书记: 主持会议"}, 14, "': ' inside the value of 'title'",
        "quote the value: title: '市委书记: 主持会议'"),
    "a key indented under another": (
        {2: "  slug: changzhou"}, 2, "'slug' is indented under the line above", "same column"),
    "a tab": ({13: "-\tname: 王剑锋"}, 13, "a tab in the indentation", "indent with spaces, not tabs"),
    "a tab before a key": ({4: "\tprovince: 江苏省"}, 4, "a tab in the indentation", "indent with spaces"),
}


@pytest.mark.parametrize("name", MISTAKES)
def test_one_message_at_the_line_of_the_mistake(seed_content, name):
    changes, line, words, hint = MISTAKES[name]
    shown = problems_of(seed_content, entry_with(changes))
    assert len(shown) == 1, shown  # nothing about keys that look missing after it
    assert f"{ENTRY}:{line}: " in shown[0], shown
    assert words in shown[0] and hint in shown[0], shown


def test_a_text_line_that_lost_its_indentation_but_reads_as_a_key(seed_content):
    shown = problems_of(seed_content, entry_with({11: "常州举办: 智能体开发者大会。"}))
    assert len(shown) == 1 and f"{ENTRY}:11: unknown key '常州举办'" in shown[0], shown
    assert "indent it like the lines above" in shown[0]


def test_empty_and_missing_keys_are_told_apart(seed_content):
    shown = problems_of(seed_content, entry_with({6: "headline: ''"}))
    assert len(shown) == 1 and f"{ENTRY}:6: 'headline' is empty — write the headline after 'headline:'" in shown[0]
    shown = problems_of(seed_content, entry_with({6: None}))
    assert len(shown) == 1 and f"{ENTRY}:1: 'headline' is missing — add a 'headline:' line" in shown[0]


def test_a_broken_digest_file_gives_its_one_error(seed_content):
    """A broken digest.yaml: its entries are not checked against a digest that could not be read."""
    path = seed_content / "2026-01-04-jiangsu" / "digest.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith("title: "))
    lines[number] = lines[number].replace("title: ", "title：", 1)  # the first key: libyaml reports it differently
    path.write_text("\n".join(lines), encoding="utf-8")
    shown = [str(p) for p in problems_in(seed_content) if not p.warning]
    assert len(shown) == 1 and f"digest.yaml:{number + 1}: full-width colon '：' after 'title'" in shown[0], shown


def test_a_broken_themes_file_gives_its_one_error(seed_content):
    """No entry is told its theme is not defined while the themes cannot be read."""
    (seed_content / "themes.yaml").write_text("themes:\n- name: 科创\n  slug：kechuang\n", encoding="utf-8")
    shown = [str(p) for p in problems_in(seed_content) if not p.warning]
    assert len(shown) == 1 and "themes.yaml:3: full-width colon '：' after 'slug'" in shown[0], shown
    (seed_content / "themes.yaml").unlink()
    shown = [str(p) for p in problems_in(seed_content) if not p.warning]
    assert len(shown) == 1 and "themes.yaml is missing" in shown[0], shown


@pytest.mark.parametrize("text, line, words", [
    ("city: 常州\nevents:\n- 大会: 开幕: 了\n", 3, "quote the item: - '大会: 开幕: 了'"),
    ("city: 常州\nheadline: '南京': 打造\n", 2, 'quote the value: headline: "\'南京\': 打造"'),
    ("city: 常州\nsource:\n  quote: |\n    第一段\n  第二段\n  digest: x\n", 5,
     "this line of 'quote: |' is not indented, so it ends the text — indent it by 4 spaces"),
    ("headline：常州\nslug: changzhou\n", 1, "full-width colon '：' after 'headline'"),
    ("city: 常州\n第二段没有缩进\nslug: x\n", 2, "'第二段没有缩进' is not a 'key: value' line"),
])
def test_yaml_hints_on_other_shapes(text, line, words):
    _, problem = load_text(text, "x.yaml")
    assert problem is not None and problem.line == line and words in str(problem), problem
