"""The command line as a new user meets it: the version, a misspelt command, where `new` writes, and
what ingest and check print."""

from __future__ import annotations

import shutil

import pytest

from digest import __version__
from digest.cli import main

ZHEJIANG = """2026年1月5日,浙江各地开工第一天

科技创新

杭州举办新春人工智能大会,发布政策文件10份。

宁波推出重大项目200个。
"""


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"digest {__version__}"


@pytest.mark.parametrize("word, said", [
    ("biuld", "digest: unknown command 'biuld' — did you mean `build`?"),
    ("chek", "digest: unknown command 'chek' — did you mean `check`?"),
    ("injest", "digest: unknown command 'injest' — did you mean `ingest`?"),
    ("publish", "digest: unknown command 'publish' — use one of build, ingest, new, check, serve (see --help)"),
])
def test_a_misspelt_command_is_named_and_nothing_runs(tmp_path, monkeypatch, capsys, word, said):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, word, "--strict")
    assert code == 2 and err.strip() == said and out == ""
    assert list(tmp_path.iterdir()) == []  # no site, no cache


@pytest.fixture
def two_provinces(seed_content, tmp_path, capsys):
    """The committed content and an ingested 浙江 round-up."""
    article = tmp_path / "zhejiang.txt"
    article.write_text(ZHEJIANG, encoding="utf-8")
    code, out, err = run(capsys, "ingest", str(article), "--content", str(seed_content))
    assert code == 0 and "ingested 2026-01-05-zhejiang: 2 entries, 4 files written" in out, out + err
    return seed_content


def test_new_writes_into_the_digest_of_the_places_province(two_provinces, capsys):
    content = str(two_provinces)
    code, out, _ = run(capsys, "new", "昆山", "--theme", "民生", "--content", content)
    assert code == 0 and (two_provinces / "2026-01-04-jiangsu" / "kunshan.yaml").exists(), out
    code, out, _ = run(capsys, "new", "温州", "--theme", "民生", "--content", content)
    assert code == 0 and (two_provinces / "2026-01-05-zhejiang" / "wenzhou.yaml").exists(), out
    assert not (two_provinces / "2026-01-05-zhejiang" / "kunshan.yaml").exists()


def test_new_never_writes_into_another_provinces_digest(two_provinces, capsys):
    code, _, err = run(capsys, "new", "江阴", "--theme", "民生", "--content", str(two_provinces),
                       "--digest", "2026-01-05-zhejiang")
    assert code == 1 and err.strip().endswith("2026-01-05-zhejiang: a digest of 浙江省, and 江阴 is in 江苏省 — "
                                              "pass --digest with a digest of 江苏省 or of several provinces")
    code, _, err = run(capsys, "new", "广州", "--theme", "民生", "--content", str(two_provinces))
    assert code == 1 and "no digest of 广东省 to add the entry to — ingest a round-up of 广东省 first" in err
    assert not list(two_provinces.glob("*/jiangyin.yaml")) and not list(two_provinces.glob("*/guangzhou.yaml"))


def test_new_asks_which_digest_when_the_province_has_several(seed_content, capsys):
    second = seed_content / "2026-01-11-jiangsu"
    second.mkdir()
    text = (seed_content / "2026-01-04-jiangsu" / "digest.yaml").read_text(encoding="utf-8")
    (second / "digest.yaml").write_text(text.replace("id: 2026-01-04-jiangsu", "id: 2026-01-11-jiangsu"),
                                        encoding="utf-8")
    code, _, err = run(capsys, "new", "昆山", "--theme", "民生", "--content", str(seed_content))
    assert code == 1 and "2 digests of 江苏省: 2026-01-04-jiangsu, 2026-01-11-jiangsu — pass --digest with the one " \
                         "to add the entry to" in err
    assert not list(seed_content.glob("*/kunshan.yaml"))
    code, _, _ = run(capsys, "new", "昆山", "--theme", "民生", "--content", str(seed_content),
                     "--digest", "2026-01-11-jiangsu")
    assert code == 0 and (second / "kunshan.yaml").exists()


def test_a_digest_of_several_provinces_takes_any_place_when_named(two_provinces, capsys):
    digest = two_provinces / "2026-01-05-zhejiang" / "digest.yaml"
    digest.write_text(digest.read_text(encoding="utf-8").replace("province: 浙江省\n", ""), encoding="utf-8")
    code, _, _ = run(capsys, "new", "江阴", "--theme", "民生", "--content", str(two_provinces),
                     "--digest", "2026-01-05-zhejiang")
    assert code == 0 and (two_provinces / "2026-01-05-zhejiang" / "jiangyin.yaml").exists()


def test_ingest_prints_its_notes_then_its_summary(tmp_path, capsys):
    """A guessed date is a note on stderr; what was written, on stdout."""
    article = tmp_path / "2026-02-03-浙江.txt"
    article.write_text(ZHEJIANG.replace("2026年1月5日,", ""), encoding="utf-8")
    code, out, err = run(capsys, "ingest", str(article), "--content", str(tmp_path / "content"))
    assert code == 0
    assert err.startswith("note: date 2026-02-03 taken from the file's own date — pass --date to change it"), err
    assert out.startswith("ingested 2026-02-03-zhejiang: 2 entries, 4 files written"), out


def test_check_counts_in_words(seed_content, capsys):
    path = seed_content / "2026-01-04-jiangsu" / "wuxi.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("theme: 科创", "theme: 体育"), encoding="utf-8")
    code, _, err = run(capsys, "check", "--content", str(seed_content))
    assert code == 1 and err.strip().splitlines()[-1] == "1 error, 0 warnings"
    shutil.rmtree(seed_content / "2026-01-04-jiangsu")
    code, _, err = run(capsys, "check", "--content", str(seed_content))
    assert code == 0 and err.strip().splitlines()[-1] == "0 errors, 0 warnings"
