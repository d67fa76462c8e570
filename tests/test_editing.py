"""The editing loop: `new` a city, `check` it, build, and see it on its theme, city and home pages."""

from __future__ import annotations

import re

from digest.cli import main


def run(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_new_check_build_shows_the_city_everywhere(seed_content, tmp_path, capsys):
    content, site = str(seed_content), str(tmp_path / "site")
    code, out = run(capsys, "new", "昆山", "--theme", "民生", "--content", content)
    assert code == 0
    path = seed_content / "2026-01-04-jiangsu" / "kunshan.yaml"
    assert re.search(r"^wrote \S+kunshan\.yaml: write its headline and body", out) and path.exists()
    text = path.read_text(encoding="utf-8")
    assert "city: 昆山" in text and "province: 江苏省" in text and "theme: 民生" in text and "date: '2026-01-04'" in text
    assert "parent: 苏州" in text and "code: '320583'" in text

    code, out = run(capsys, "check", "--content", content)
    assert code == 1 and re.search(r"kunshan\.yaml:\d+: 'headline' is empty", out)
    assert re.search(r"kunshan\.yaml:\d+: 'body' still holds the placeholder '正文写在这里。'", out)
    code, out = run(capsys, "build", "--content", content, "--output", site, "--no-search")
    assert code == 1 and "placeholder" in out  # a build refuses it too: it is never published

    path.write_text(text.replace("headline: ''", "headline: 昆山开出新春第一场招聘会")
                    .replace("summary: ''", "summary: 昆山新春招聘会提供岗位三千个。")
                    .replace("body: '正文写在这里。'", "body: 昆山举办新春招聘会,提供岗位三千个。"), encoding="utf-8")
    code, out = run(capsys, "check", "--strict", "--content", content)
    assert code == 0 and "0 errors, 0 warnings" in out

    assert run(capsys, "build", "--content", content, "--output", site, "--no-search")[0] == 0
    for page in ("themes/minsheng/index.html", "cities/kunshan/index.html", "index.html"):
        assert "昆山开出新春第一场招聘会" in (tmp_path / "site" / page).read_text(encoding="utf-8"), page


def test_new_refuses_to_overwrite_and_suggests_names(seed_content, capsys):
    code, out = run(capsys, "new", "南京", "--theme", "科创", "--content", str(seed_content))
    assert code == 1 and "nanjing.yaml" in out and "already exists" in out
    code, out = run(capsys, "new", "南经", "--theme", "科创", "--content", str(seed_content))
    assert code == 1 and "南京" in out
    code, out = run(capsys, "new", "昆山", "--theme", "体育", "--content", str(seed_content))
    assert code == 1 and "themes.yaml" in out


FUJIAN = """2024年2月18日,福建各地开工第一天

文旅融合:激活消费新动能

福州举办新春文旅消费季,发放消费券1000万元。

厦门推出文旅活动200场。
"""


def test_a_theme_brought_by_an_article_gets_its_page_and_survives_rebuilds(seed_content, tmp_path, capsys):
    """A heading no theme matched becomes a theme in digest.yaml; two digests may both declare it."""
    content, site = str(seed_content), str(tmp_path / "site")
    for number in (1, 2):
        article = tmp_path / f"fujian-{number}.txt"
        article.write_text(FUJIAN, encoding="utf-8")
        assert run(capsys, "ingest", str(article), "--content", content, "--id", f"fujian-{number}")[0] == 0
        code, out = run(capsys, "build", "--content", content, "--output", site, "--no-search")
        assert code == 0, out
    pages = list((tmp_path / "site" / "themes").glob("*/index.html"))
    wenlv = [p for p in pages if "福州" in p.read_text(encoding="utf-8") and "文旅" in p.read_text(encoding="utf-8")]
    assert wenlv, [p.parent.name for p in pages]
    assert run(capsys, "check", "--content", content)[0] == 0
