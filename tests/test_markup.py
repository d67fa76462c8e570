"""Markdown → HTML: the plain-paragraph fast path gives the same bytes as Python-Markdown."""

from hypothesis import given, settings, strategies as st

from digest import markup

ALPHABET = list("南京市算力中心“”‘’,。;:!?、()《》—…ab Z09") + [
    " ", "  ", "\n", "\n\n", "*", "_", "`", "#", ">", "-", "+", "1.", "&", "<", "[", "]", "(", ")", "|", "\\",
    "\t", "\r", "\u200b", "\xad", "\u00e9", "\U0001f600", "\u3000", "\xa0", "\u2028", "\x85", "\ufeff", "=", "~", "!", ":", "http://x.org", "'", '"', "'",
    "&amp;", "**", "---", "    ", "%", "$", "@", "^", "{", "}",
]


slow = markup._full_markdown
"""Python-Markdown and nh3, with no fast path."""


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join))
def test_fast_path_matches_markdown_whenever_it_applies(text):
    fast = markup.plain_paragraphs(text)
    if fast is not None:
        assert fast == slow(text)


PLAIN = list("南京市算力中心“”,。;:!?、()《》ab09%") + ["a b"]
NEWS_WORDS = st.tuples(st.sampled_from(["南", "京", "**南", "**京"]),
                       st.lists(st.sampled_from(PLAIN + ["**", "** ", " **", "***"]), max_size=8).map("".join))
ANY_WORDS = st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=8).map("".join)
LINE_STARTS = st.sampled_from(["", "- ", "-  ", "* ", "1. ", "  - ", "-", "- - ", "> "])


@st.composite
def blocks(draw):
    """Paragraphs and lists: each block's lines share a start, now and then one line differs."""
    result = []
    for _ in range(draw(st.integers(1, 5))):
        start = draw(st.sampled_from(["", "- "]))
        lines = [(draw(LINE_STARTS) if draw(st.integers(0, 9)) == 0 else start)
                 + ("".join(draw(NEWS_WORDS)) if draw(st.integers(0, 9)) else draw(ANY_WORDS))
                 for _ in range(draw(st.integers(1, 4)))]
        result.append("\n".join(lines))
    return result


BLOCKS = blocks()


@settings(max_examples=500, deadline=None)
@given(BLOCKS, st.sampled_from(["\n\n", "\n", "\n\n\n"]))
def test_fast_path_matches_markdown_on_paragraphs_and_lists(blocks, separator):
    """Texts shaped like news bodies: paragraphs and "- " lists, near-misses included."""
    text = separator.join(blocks)
    fast = markup.plain_paragraphs(text)
    if fast is not None:
        assert fast == slow(text)


def test_fast_path_covers_bold_spans_and_simple_lists_only():
    assert markup.plain_paragraphs("**南京召开大会。**会议提出") == "<p><strong>南京召开大会。</strong>会议提出</p>"
    text = "南京召开大会。\n\n- 低空经济项目29个\n- 光伏组件项目18个\n\n无锡同日开工。"
    assert markup.plain_paragraphs(text) == ("<p>南京召开大会。</p>\n<ul>\n<li>低空经济项目29个</li>\n"
                                            "<li>光伏组件项目18个</li>\n</ul>\n<p>无锡同日开工。</p>")
    for marked in ("- 甲\n\n- 乙", "段落\n- 甲", "- 甲\n续行", "- 甲\n  - 乙", "- *甲*", "**甲\n乙**", "** 甲**"):
        assert markup.plain_paragraphs(marked) is None, marked


def test_fast_path_covers_plain_news_paragraphs_and_declines_markup():
    plain = "1月4日,南京召开大会。\n\n无锡“算力”规模达13800 PFLOPS,同比增长12%。"
    assert markup.plain_paragraphs(plain) == "<p>1月4日,南京召开大会。</p>\n<p>无锡“算力”规模达13800 PFLOPS,同比增长12%。</p>"
    for marked in ("*重点*项目", "- 一项\n\n- 两项", "# 标题", "a  \nb", "<script>x</script>", "x & y", "1. 第一"):
        assert markup.plain_paragraphs(marked) is None
        assert markup.to_html(marked) == slow(marked)


def test_sanitiser_removes_scripts_and_unsafe_links():
    html = markup.to_html("[点我](javascript:alert(1)) <script>alert(1)</script> <img src=x onerror=alert(1)>")
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html


SPANS = st.lists(st.tuples(st.lists(st.sampled_from(PLAIN + ["*", " "]), min_size=1, max_size=5).map("".join),
                           st.booleans()), min_size=1, max_size=5)


@settings(max_examples=500, deadline=None)
@given(SPANS)
def test_fast_path_matches_markdown_on_bold_spans(spans):
    text = "".join(f"**{word}**" if bold else word for word, bold in spans)
    fast = markup.plain_paragraphs(text)
    if fast is not None:
        assert fast == slow(text)
