"""The reference round-up: ingest gives the 13 expected entries, from text, HTML and GB18030."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from digest.cli import main
from digest.ingest import ingest

from .conftest import SEED_ARTICLE

EXPECTED = {
    "科创": {"南京", "苏州", "无锡", "常州", "徐州"},
    "产业": {"连云港", "淮安", "盐城", "宿迁"},
    "民生": {"扬州", "泰州", "镇江", "南通"},
}


def load_entries(folder: Path) -> dict[str, dict]:
    entries = {}
    for path in folder.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "city" in data:
            entries[data["city"]] = data
    return entries


@pytest.fixture(scope="module")
def seed_entries(tmp_path_factory) -> dict[str, dict]:
    content = tmp_path_factory.mktemp("c") / "content"
    report = ingest(str(SEED_ARTICLE), content)
    return load_entries(content / report.digest_id)


def test_thirteen_entries_under_their_themes(seed_entries):
    assert len(seed_entries) == 13
    by_theme = {}
    for city, entry in seed_entries.items():
        by_theme.setdefault(entry["theme"], set()).add(city)
    assert by_theme == EXPECTED


@pytest.mark.parametrize("city, name, title", [
    ("常州", "王剑锋", "市委书记"), ("连云港", "邢正军", "市委书记"), ("宿迁", "盛蕾", "市委书记"),
    ("宿迁", "刘浩", "市长"), ("泰州", "姜冬冬", "市委书记"), ("镇江", "马明龙", "市委书记"),
    ("扬州", "王静", "社区党委书记"),
])
def test_officials(seed_entries, city, name, title):
    assert {"name": name, "title": title} in seed_entries[city]["people"]


def test_no_bylines_or_strangers_as_officials(seed_entries):
    names = {p["name"] for e in seed_entries.values() for p in e.get("people", [])}
    assert "郭依娜" not in names
    assert names == {"王剑锋", "邢正军", "盛蕾", "刘浩", "姜冬冬", "马明龙", "王静"}


def test_key_figures(seed_entries):
    wuxi = {(f["value"], f["unit"]) for f in seed_entries["无锡"]["figures"]}
    assert (13800, "PFLOPS") in wuxi and (2.7, "万亿元") in wuxi and (463, "家") in wuxi
    suzhou = {(f["value"], f["unit"]) for f in seed_entries["苏州"]["figures"]}
    assert (5, "万亿元") in suzhou
    assert all(f["value"] not in (1030, 12345, 2026) for e in seed_entries.values() for f in e.get("figures", []))


def test_nothing_from_the_page_tail(seed_entries, tmp_path):
    text = "\n".join(yaml.safe_dump(e, allow_unicode=True) for e in seed_entries.values())
    for word in ("河北", "巴萨", "宜家", "网易", "特别声明", "相关推荐"):
        assert word not in text


def test_provenance_and_credits(seed_entries):
    assert seed_entries["苏州"]["image_credit"] == "昆山发布"
    assert seed_entries["南京"]["source"]["paragraphs"] == [3]
    assert all(e["source"]["digest"] == "2026-01-04-jiangsu" for e in seed_entries.values())
    assert seed_entries["南京"]["body"].startswith("1月4日,南京召开")


def test_events_and_slugs(seed_entries):
    assert "全市科技创新和产业创新深度融合发展大会" in seed_entries["南京"]["events"]
    slugs = {e["slug"] for e in seed_entries.values()}
    assert len(slugs) == 13 and all(s.isascii() for s in slugs)
    assert seed_entries["南京"]["slug"] == "nanjing" and seed_entries["南京"]["code"] == "320100"


def test_digest_metadata(tmp_path):
    content = tmp_path / "content"
    ingest(str(SEED_ARTICLE), content)
    digest = yaml.safe_load((content / "2026-01-04-jiangsu" / "digest.yaml").read_text(encoding="utf-8"))
    assert digest["date"] == "2026-01-04" and digest["region"] == "江苏"
    assert digest["author"] == "郭依娜" and digest["outlet"] == "上游新闻"
    assert digest["published"].startswith("2026-01-08")
    assert [s["theme"] for s in digest["sections"]] == ["科创", "产业", "民生"]
    assert "十三座城市" in digest["intro"] and "十三座城市" in digest["closing"]
    assert "盐城市生态环境局" in digest["sources"]


def to_html(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    title, body = lines[1], lines[2:]
    paragraphs = "\n".join(f"<p>{line}</p>" for line in body)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_网易订阅</title>
<script>var x = "南京 北京";</script></head><body>
<nav><a href="/">网易首页</a> &gt; <a href="/">网易号</a></nav>
<header><div class="top">登录 注册</div></header>
<div class="post_main"><h1 class="post_title">{title}</h1>
<div class="post_body">{paragraphs}</div></div>
<aside class="related"><h3>相关推荐</h3><ul><li><a href="#">河北农村的第八个寒冬</a></li></ul></aside>
<footer>网易公司版权所有 ©1997-2026</footer></body></html>"""


@pytest.mark.parametrize("variant", ["html", "gb18030"])
def test_html_and_gb18030_give_the_same_entries(tmp_path, seed_entries, variant):
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    if variant == "html":
        source = tmp_path / "article.html"
        source.write_text(to_html(text), encoding="utf-8")
    else:
        source = tmp_path / "article.txt"
        source.write_bytes(text.encode("gb18030"))
    content = tmp_path / "content"
    report = ingest(str(source), content)
    entries = load_entries(content / report.digest_id)
    assert {c: e["theme"] for c, e in entries.items()} == {c: e["theme"] for c, e in seed_entries.items()}
    assert {c: e.get("people") for c, e in entries.items()} == {c: e.get("people") for c, e in seed_entries.items()}


def test_reingest_keeps_a_persons_edit(tmp_path, capsys):
    content = tmp_path / "content"
    assert main(["ingest", str(SEED_ARTICLE), "--content", str(content)]) == 0
    edited = content / "2026-01-04-jiangsu" / "nanjing.yaml"
    text = edited.read_text(encoding="utf-8").replace("headline: ", "headline: 改过的标题 ", 1)
    edited.write_text(text, encoding="utf-8")
    untouched = content / "2026-01-04-jiangsu" / "wuxi.yaml"
    untouched.unlink()
    capsys.readouterr()
    assert main(["ingest", str(SEED_ARTICLE), "--content", str(content)]) == 0
    out = capsys.readouterr().out
    assert "kept your edit:" in out and "nanjing.yaml" in out
    assert edited.read_text(encoding="utf-8") == text
    assert not untouched.exists(), "an entry a person deleted came back"
    assert main(["ingest", str(SEED_ARTICLE), "--content", str(content), "--force"]) == 0
    assert "改过的标题" not in edited.read_text(encoding="utf-8")
    assert untouched.exists(), "--force brings a deleted entry back"


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"\x00\x01\x02\x03binary\x00" * 20, "binary"),
    ("今天天气很好。我们去公园散步,看到很多花。".encode(), "no places"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, data, reason):
    source = tmp_path / "bad.txt"
    source.write_bytes(data)
    content = tmp_path / "content"
    assert main(["ingest", str(source), "--content", str(content)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bad.txt" in err and reason.split()[0] in err
    assert "Traceback" not in err
    assert not content.exists() or not any(content.rglob("*.yaml"))


def test_stdin(tmp_path, monkeypatch, capsys):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SEED_ARTICLE.read_bytes())))
    content = tmp_path / "content"
    assert main(["ingest", "-", "--content", str(content)]) == 0
    assert len(load_entries(content / "2026-01-04-jiangsu")) == 13
