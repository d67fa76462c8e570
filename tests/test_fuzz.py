"""Parser fuzzing: whatever the bytes, ingest writes valid content or stops with a clear error.

Random Unicode, random bytes, and round-ups (the seed and one of our own) mangled the ways pasted
pages are: paragraphs shuffled, duplicated, cut off, page noise injected, headings dropped, other
encodings, full-width and ASCII punctuation swapped, whitespace changed, wrapped in HTML.

The budget is small here; `python benchmarks/hardening.py` runs the same properties with tens of
thousands of examples and counts the outcomes.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from digest.check import problems_in
from digest.errors import DigestError
from digest.ingest import ingest

from .conftest import SEED_ARTICLE, SEED_CONTENT

OUTCOMES: Counter = Counter()
"""What the examples gave: entries, a clear error — read by benchmarks/hardening.py."""
BUDGET = int(os.environ.get("DIGEST_FUZZ_EXAMPLES", "100"))

SEED_LINES = SEED_ARTICLE.read_text(encoding="utf-8").splitlines()
OWN_LINES = """2025年2月5日,浙江各地开工第一天

2025年2月5日,蛇年首个工作日,浙江各地纷纷按下快进键。

一、科技创新

杭州召开全市高质量发展大会,市委书记刘捷出席并讲话,全年计划新开工重大项目300个。

二、项目建设

宁波举行重大项目集中开工活动,总投资超过800亿元,涉及先进制造、港口物流等领域。

三、民生保障

温州召开新春第一会,聚焦民营经济高质量发展,现场签约项目42个。

责任编辑:张三
相关推荐
""".splitlines()
NOISE = ["相关推荐", "热点推荐", "打开APP阅读更多", "责任编辑:李四", "点击展开全文", "广告", "©2026 网易",
         "举报", "0评论", "分享到微信", "↑返回顶部", "\u3000\u3000", "【】", "http://example.com/a?b=c", "<br>"]
WIDTH = str.maketrans(",。:;!?()【】", ",.:;!?()[]")
WIDE = str.maketrans(",.:;!?()", ",。:;!?()")


def mangle(lines: list[str], data) -> list[str]:
    """Apply a random series of the ways a pasted round-up gets mangled."""
    lines = list(lines)
    for operation in data.draw(st.lists(st.sampled_from(
            ["shuffle", "duplicate", "truncate", "noise", "drop_headings", "narrow", "widen", "space", "drop"]),
            max_size=5)):
        if not lines:
            break
        if operation == "shuffle":
            lines = data.draw(st.permutations(lines))
        elif operation == "duplicate":
            i = data.draw(st.integers(0, len(lines) - 1))
            lines[i:i] = [lines[i]] * data.draw(st.integers(1, 3))
        elif operation == "truncate":
            text = "\n".join(lines)
            lines = text[: data.draw(st.integers(0, len(text)))].splitlines()
        elif operation == "noise":
            for _ in range(data.draw(st.integers(1, 6))):
                lines.insert(data.draw(st.integers(0, len(lines))),
                             data.draw(st.sampled_from(NOISE) | st.text(max_size=30)))
        elif operation == "drop_headings":
            lines = [line for line in lines if not (0 < len(line.strip()) < 25 and "。" not in line)]
        elif operation == "narrow":
            lines = [line.translate(WIDTH) for line in lines]
        elif operation == "widen":
            lines = [line.translate(WIDE) for line in lines]
        elif operation == "space":
            padding = data.draw(st.sampled_from([" ", "\t", "\u3000", "\xa0", "\r", "  "]))
            lines = [padding + line + padding for line in lines]
        elif operation == "drop":
            del lines[data.draw(st.integers(0, len(lines) - 1))]
    return lines


def encode(lines: list[str], data) -> tuple[bytes, str]:
    """The text as a file: some encoding, maybe inside an HTML page."""
    html = data.draw(st.booleans())
    text = "\n".join(lines)
    if html:
        body = "".join(f"<p>{line}</p>\n" for line in lines)
        text = f"<html><head><title>{lines[0] if lines else ''}</title></head><body><nav>首页 新闻</nav>" \
               f"<article>{body}</article><aside>相关推荐</aside></body></html>"
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16"]))
    return text.encode(encoding, errors="replace"), ".html" if html else ".txt"


def check_ingest(tmp: Path, data: bytes, suffix: str) -> None:
    """Ingest `data`: valid content with entries, or a DigestError naming the file with nothing written."""
    content = tmp / "content"
    content.mkdir()
    (content / "themes.yaml").write_bytes((SEED_CONTENT / "themes.yaml").read_bytes())
    article = tmp / f"article{suffix}"
    article.write_bytes(data)
    try:
        report = ingest(str(article), content)
    except DigestError as exc:
        message = exc.format()
        assert "article" in message and " — " in message, message
        assert sorted(p.name for p in content.rglob("*")) == ["themes.yaml"], "an error left files behind"
        OUTCOMES["clear error"] += 1
        return
    assert report.entries > 0
    errors = [str(p) for p in problems_in(content) if not p.warning]
    assert errors == [], errors
    OUTCOMES["entries written"] += 1


FUZZ = settings(max_examples=BUDGET, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@FUZZ
@given(text=st.text(max_size=3000))
def test_random_unicode(tmp_path_factory, text):
    check_ingest(tmp_path_factory.mktemp("u"), text.encode("utf-8", "surrogatepass"), ".txt")


@FUZZ
@given(raw=st.binary(max_size=4000), suffix=st.sampled_from([".txt", ".html"]))
def test_random_bytes(tmp_path_factory, raw, suffix):
    check_ingest(tmp_path_factory.mktemp("b"), raw, suffix)


@FUZZ
@given(data=st.data(), source=st.sampled_from(["seed", "own"]))
def test_mangled_round_ups(tmp_path_factory, data, source):
    lines = mangle(SEED_LINES if source == "seed" else OWN_LINES, data)
    raw, suffix = encode(lines, data)
    check_ingest(tmp_path_factory.mktemp("m"), raw, suffix)


def test_a_heading_of_punctuation_makes_no_theme(tmp_path):
    """Found by fuzzing: page noise such as "|<" standing alone looked like a section heading."""
    lines = OWN_LINES[:4] + ["|<"] + OWN_LINES[4:]
    check_ingest(tmp_path, "\n".join(lines).encode("utf-8"), ".txt")
