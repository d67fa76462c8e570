"""A Markdown page keeps its headings: its own first '# ' heading is its title and its one <h1>."""

from __future__ import annotations

import re


from digest.check import problems_in
from digest.content import read_site
from digest.content.records import page_title


def test_the_first_heading_is_the_title_and_leaves_the_body():
    assert page_title("# 关于本站\n\n本站介绍。\n") == ("关于本站", "本站介绍。\n")
    assert page_title("开头。\n\n# 标题 #\n\n正文。") == ("标题", "开头。\n\n\n正文。")


def test_later_top_headings_stay_headings_and_fenced_lines_stay_text():
    title, body = page_title("# 一\n\n# 二\n\n```\n# 注释\n```\n\n~~~\n# 也是注释\n~~~\n")
    assert title == "一" and "## 二" in body and "\n# 注释\n" in body and "\n# 也是注释\n" in body


def test_a_page_without_a_heading_is_titled_by_its_name(seed_content):
    (seed_content / "pages" / "colophon.md").write_text("本站用 digest 构建。\n", encoding="utf-8")
    pages = {page.slug: page for page in read_site(seed_content).pages}
    assert pages["colophon"].title == "colophon" and pages["about"].title == "关于本站"
    assert "关于本站" not in pages["about"].body
    assert problems_in(seed_content) == []


def test_the_built_page_has_one_h1_its_title(seed_site):
    main = re.search(r"<main.*?</main>", (seed_site / "about" / "index.html").read_text(encoding="utf-8"), re.S)
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", main.group()) == ["关于本站"]
    assert main.group().count("关于本站") == 1
