"""Ingest keeps to its folder and to its article: checked ids, confined paths, one article per id,
deleted entries left deleted, size limits, and dates that never block an ingest."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import yaml

from digest.cli import main
from digest.ingest import MAX_ARTICLE_BYTES, ingest

ZHEJIANG = """\
2025年2月5日,浙江各地开工第一天

2025年2月5日,蛇年首个工作日,浙江各地纷纷按下快进键。

杭州召开全市高质量发展大会,市委书记刘捷出席并讲话,全年计划新开工重大项目300个。

宁波举行重大项目集中开工活动,总投资超过800亿元,涉及先进制造、港口物流等领域。

温州召开新春第一会,聚焦民营经济高质量发展,现场签约项目42个。
"""

FUJIAN = """\
2025年2月5日,福建各地开工第一天

2025年2月5日,福建各地铆足干劲抓发展。

福州举办新春文旅消费季,发放消费券1000万元。

厦门召开全市高质量发展大会,推出重点项目200个。

泉州举行重大项目集中开工,总投资300亿元。
"""


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("bad_id", ["../x", "x/y", "a" * 300, ".hidden", "CON", "../../somewhere"])
def test_bad_ids_are_refused_in_one_line_and_nothing_is_written(tmp_path, capsys, bad_id):
    article = write(tmp_path, "zj.txt", ZHEJIANG)
    content = tmp_path / "site" / "content"
    content.mkdir(parents=True)
    before = tree_hash(tmp_path)
    code, _, err = run(capsys, "ingest", article, "--content", str(content), "--id", bad_id)
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "--id" in err and "Traceback" not in err
    assert tree_hash(tmp_path) == before


def linked_out(tmp_path: Path, link: str) -> tuple[str, Path, Path]:
    """An article, a content folder, and a folder outside it that `content/<link>` points to."""
    content, elsewhere = tmp_path / "content", tmp_path / "elsewhere"
    content.mkdir()
    elsewhere.mkdir()
    os.symlink(elsewhere, content / link)
    return write(tmp_path, "zj.txt", ZHEJIANG), content, elsewhere


def test_a_digest_folder_that_is_a_symlink_out_of_the_content_is_refused(tmp_path, capsys):
    article, content, elsewhere = linked_out(tmp_path, "zj")
    (elsewhere / "notes.yaml").write_text("mine: true\n", encoding="utf-8")
    before = tree_hash(elsewhere)
    code, _, err = run(capsys, "ingest", article, "--content", str(content), "--id", "zj", "--force")
    assert code == 1 and "outside the content folder" in err and len(err.strip().splitlines()) == 1
    assert tree_hash(elsewhere) == before


def test_an_articles_folder_that_is_a_symlink_out_of_the_content_is_refused(tmp_path, capsys):
    article, content, elsewhere = linked_out(tmp_path, "articles")
    code, _, err = run(capsys, "ingest", article, "--content", str(content))
    assert code == 1 and "outside the content folder" in err
    assert list(elsewhere.iterdir()) == [] and not any(content.glob("*/digest.yaml"))


def test_a_different_article_under_an_existing_id_is_refused_then_replaced_with_force(tmp_path, capsys):
    content = tmp_path / "content"
    first, second = write(tmp_path, "zj.txt", ZHEJIANG), write(tmp_path, "fj.txt", FUJIAN)
    assert run(capsys, "ingest", first, "--content", str(content), "--id", "kaigong")[0] == 0
    folder = content / "kaigong"
    edited = folder / "hangzhou.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("headline: ", "headline: 我改的 ", 1),
                      encoding="utf-8")
    before = tree_hash(content)
    code, _, err = run(capsys, "ingest", second, "--content", str(content), "--id", "kaigong")
    assert code == 1 and "another article" in err and "--force" in err
    assert tree_hash(content) == before
    code, out, err = run(capsys, "ingest", second, "--content", str(content), "--id", "kaigong", "--force")
    assert code == 0
    names = {p.name for p in folder.glob("*.yaml")}
    assert {"xiamen.yaml", "quanzhou.yaml"} <= names and any(n.startswith("fuzhou") for n in names)
    assert "ningbo.yaml" not in names and "wenzhou.yaml" not in names, "the old article's entries cite other text now"
    assert "我改的" in edited.read_text(encoding="utf-8"), "a person's edit is kept"
    assert "hangzhou.yaml" in err and "changed" in err, "…and flagged as citing changed paragraphs"
    digest = yaml.safe_load((folder / "digest.yaml").read_text(encoding="utf-8"))
    assert "福建" in digest["title"]


def test_a_corrected_article_updates_the_same_digest_without_force(tmp_path, capsys):
    content = tmp_path / "content"
    article = write(tmp_path, "zj.txt", ZHEJIANG)
    assert run(capsys, "ingest", article, "--content", str(content))[0] == 0
    write(tmp_path, "zj.txt", ZHEJIANG.replace("800亿元", "900亿元"))
    code, out, _ = run(capsys, "ingest", article, "--content", str(content))
    assert code == 0
    assert "900亿元" in (content / "2025-02-05-zhejiang" / "ningbo.yaml").read_text(encoding="utf-8")
    assert "900亿元" in (content / "articles" / "2025-02-05-zhejiang.txt").read_text(encoding="utf-8")


def test_the_same_article_under_another_id_is_reported(tmp_path, capsys):
    content = tmp_path / "content"
    article = write(tmp_path, "zj.txt", ZHEJIANG)
    assert run(capsys, "ingest", article, "--content", str(content))[0] == 0
    code, _, err = run(capsys, "ingest", article, "--content", str(content), "--id", "again")
    assert code == 0 and "already ingested as 2025-02-05-zhejiang" in err


def test_a_deleted_entry_stays_deleted_and_is_recorded(tmp_path, capsys):
    content = tmp_path / "content"
    article = write(tmp_path, "zj.txt", ZHEJIANG)
    assert run(capsys, "ingest", article, "--content", str(content))[0] == 0
    gone = content / "2025-02-05-zhejiang" / "wenzhou.yaml"
    gone.unlink()
    assert run(capsys, "ingest", article, "--content", str(content))[0] == 0
    assert not gone.exists()
    record = (content / "2025-02-05-zhejiang" / ".ingest.json").read_text(encoding="utf-8")
    assert "2025-02-05-zhejiang/wenzhou.yaml" in record.split('"deleted"')[1]


def test_an_oversized_article_is_refused(tmp_path, capsys):
    article = tmp_path / "huge.txt"
    article.write_bytes(ZHEJIANG.encode("utf-8") + b"x" * MAX_ARTICLE_BYTES)
    code, _, err = run(capsys, "ingest", str(article), "--content", str(tmp_path / "content"))
    assert code == 1 and "limit" in err and not (tmp_path / "content").exists()


def dated(tmp_path: Path, text: str, name: str = "page.txt", **options):
    article = write(tmp_path, name, text)
    notes = []
    report = ingest(article, tmp_path / "content", note=notes.append, **options)
    digest = yaml.safe_load((tmp_path / "content" / report.digest_id / "digest.yaml").read_text(encoding="utf-8"))
    return digest["date"], digest.get("date_source"), notes


BODY = """
杭州召开全市高质量发展大会,全年计划新开工重大项目300个。

宁波举行重大项目集中开工活动,总投资超过800亿元。
"""


@pytest.mark.parametrize("head, date, source", [
    ("2025年2月5日,浙江各地开工第一天\n", "2025-02-05", "title"),
    ("浙江各地开工第一天\n\n2025年2月5日,蛇年首个工作日,浙江各地按下快进键。\n", "2025-02-05", "intro"),
    ("浙江各地开工第一天\n2025-02-06 08:12:30 来源:某某日报\n", "2025-02-06", "timestamp"),
    ("浙江各地开工第一天\n发布时间:2025年02月06日 08:12\n", "2025-02-06", "timestamp"),
    ("浙江各地开工第一天\n2025-02-06 08:12:30 来源:某某日报\n\n今天(2月5号),浙江各地开工。\n", "2025-02-05", "month-day"),
    ("浙江一周(6.9-6.15)在忙啥\n2025-06-16 09:00 来源:浙江发布\n", "2025-06-09", "month-day"),
    ("2024年浙江各地开工第一天\n\n2月18日,浙江各地开工。\n", "2024-02-18", "month-day"),
    ("浙江各地开工第一天\n2026-01-02 10:00 来源:某某日报\n\n12月31日,浙江各地辞旧迎新。\n", "2025-12-31", "month-day"),
])
def test_dates_come_from_the_best_evidence(tmp_path, head, date, source):
    found, found_source, notes = dated(tmp_path, head + BODY)
    assert (found, found_source) == (date, source)
    assert bool(notes) == (source not in ("title", "intro"))
    assert all("pass --date" in n and len(n.splitlines()) == 1 for n in notes)


def test_without_any_date_the_files_own_date_is_used_and_said(tmp_path):
    found, source, notes = dated(tmp_path, "浙江各地开工第一天\n" + BODY, name="2025-03-04-zhejiang.txt")
    assert (found, source) == ("2025-03-04", "file")
    assert notes == ["date 2025-03-04 taken from the file's own date — pass --date to change it"]


def test_the_given_date_wins(tmp_path):
    import datetime as dt

    found, source, notes = dated(tmp_path, "2025年2月5日,浙江各地开工第一天\n" + BODY, date=dt.date(2025, 2, 7))
    assert (found, source, notes) == ("2025-02-07", "given", [])
