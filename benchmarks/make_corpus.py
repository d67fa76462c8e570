"""Write a synthetic content folder for benchmarks: `python benchmarks/make_corpus.py N OUT [--seed S]`.

N entries in digest's own format, spread over round-ups (13–20 places each)
for every province and over all of the gazetteer's prefectures and counties,
with Chinese bodies of 300–600 characters (some Markdown), people, figures
and the three standard themes.  The same N and seed give the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from collections import defaultdict
from pathlib import Path

from digest import yamlio
from digest.gazetteer import load
from digest.ingest import DIGEST_HEADER, ENTRY_HEADER

ROOT = Path(__file__).resolve().parent.parent
THEMES = {"科创": "kechuang", "产业": "chanye", "民生": "minsheng"}
HEADINGS = {"科创": "科创领航:锚定未来赛道,锻造产业高地", "产业": "产业攻坚:一线破解难题,跑出建设加速度",
            "民生": "民生为要:用心用情用力,绘就幸福底色"}
TITLES = ["市委书记", "市长", "区委书记", "县委书记", "副市长", "县长", "区长", "党工委书记", "社区党委书记"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国伟明华军平强磊洋勇艳杰娟涛超秀英敏静丽刚桂芳海波鹏辉斌宇浩凯健俊帆帅旭宁龙林欣佳晨阳雪梅琳雯玲晶颖冬正锋盛蕾"
EVENTS = ["高质量发展大会", "重大项目集中开工仪式", "科技创新大会", "优化营商环境大会", "新春第一会", "招商引资推进会",
          "民生实事项目推进会", "产业链协同发展座谈会", "数字经济发展大会", "城市更新工作会议"]
SUBJECTS = ["人工智能", "算力中心", "新能源汽车", "光伏组件", "生物医药", "集成电路", "低空经济", "智能制造", "海洋装备",
            "新材料", "储能电池", "工业互联网", "智能体", "6G通信", "文旅消费", "零工市场", "养老服务", "托育中心",
            "老旧小区改造", "口袋公园", "便民服务中心", "就业驿站", "灯塔工厂", "跨境电商", "现代农业"]
VERBS = ["聚焦", "锚定", "加快", "深化", "推进", "打造", "培育", "壮大", "提升", "拓展"]
CLAUSES = [
    "{city}{verb}{subject}产业,{n}个重点项目同步开工,总投资{money}亿元。",
    "当天,{city}召开{event},明确全年{subject}发展目标,力争规模突破{money}亿元。",
    "在{subject}领域,{city}已集聚企业{n}家,去年产值同比增长{pct}%。",
    "{person}{title}表示,要以“开局就是决战”的状态,把{subject}作为主攻方向,抓项目、强产业、惠民生。",
    "新年首个工作日,{city}各级干部深入一线,走访{subject}企业{n}家,现场解决问题{m}个。",
    "据介绍,{city}今年将新建{subject}项目{m}个,新增就业岗位{n}个,让群众在家门口享受更多便利。",
    "走进{city}的{subject}园区,生产线一派繁忙景象,工人们正抓紧赶制订单,{pct}%的产能已排到二季度。",
    "{city}还将设立{money}亿元{subject}产业基金,支持企业加大研发投入、建设创新平台。",
    "“我们要把有限的财力用在民生上。”{person}说,{city}今年民生支出占比将保持在{pct}%以上。",
    "围绕{subject},{city}与高校院所签约合作项目{m}个,推动科技成果就地转化。",
]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _body(rng: random.Random, city: str, people: list[dict]) -> tuple[str, list[dict], list[str]]:
    """A 300–600 character paragraph (sometimes two, with bold or a list) and its figures and events."""
    target = rng.randint(300, 600)
    sentences, figures, events = [], [], []
    while sum(map(len, sentences)) < target:
        person = rng.choice(people) if people else {"name": _name(rng), "title": rng.choice(TITLES)}
        values = {"city": city, "verb": rng.choice(VERBS), "subject": rng.choice(SUBJECTS),
                  "event": rng.choice(EVENTS), "n": rng.randint(3, 900), "m": rng.randint(2, 60),
                  "money": round(rng.uniform(1, 900), 1), "pct": rng.randint(3, 45),
                  "person": person["name"], "title": person["title"]}
        sentence = rng.choice(CLAUSES).format(**values)
        if "亿元" in sentence and len(figures) < 4:
            figures.append({"value": values["money"], "unit": "亿元", "text": sentence[:40]})
        if values["event"] in sentence and values["event"] not in events:
            events.append(values["event"])
        sentences.append(sentence)
    if rng.random() < 0.2:
        sentences[0] = f"**{sentences[0]}**"
    body = "".join(sentences)
    if rng.random() < 0.15:
        middle = len(sentences) // 2
        body = "".join(sentences[:middle]) + "\n\n" + "".join(sentences[middle:])
    if rng.random() < 0.1:
        body += "\n\n" + "\n".join(f"- {rng.choice(SUBJECTS)}项目{rng.randint(2, 30)}个" for _ in range(3))
    return body, figures, events


def corpus(count: int, seed: int) -> dict[str, str]:
    """Relative path → file text for a content folder of `count` entries."""
    rng = random.Random(seed)
    gazetteer = load()
    provinces = {p.code: p for p in gazetteer.places if p.level == "province"}
    by_province: dict[str, list] = defaultdict(list)
    for place in gazetteer.places:
        if place.level in ("prefecture", "county") and place.alias != "none" and place.code not in provinces:
            by_province[place.province].append(place)
    for places in by_province.values():
        rng.shuffle(places)
    cursors = dict.fromkeys(by_province, 0)
    files = {"site.yaml": yamlio.dump({"title": "各地动态汇编(基准)", "per_page": 20}),
             "themes.yaml": (ROOT / "content" / "themes.yaml").read_text(encoding="utf-8")}
    day = dt.date(2023, 1, 3)
    made, number = 0, 0
    province_codes = sorted(by_province)
    while made < count:
        code = province_codes[number % len(province_codes)]
        province = provinces[code]
        size = min(rng.randint(13, 20), count - made)
        places = []
        for _ in range(size):
            pool = by_province[code]
            place = pool[cursors[code] % len(pool)]
            cursors[code] += 1
            if place not in places:
                places.append(place)
        digest_id = f"{day.isoformat()}-{province.slug}"
        files.update(_digest_files(rng, digest_id, day, province, places))
        made += len(places)
        number += 1
        if number % len(province_codes) == 0:
            day += dt.timedelta(days=rng.randint(1, 4))
    return files


def _digest_files(rng: random.Random, digest_id: str, day: dt.date, province, places) -> dict[str, str]:
    themes = list(THEMES)
    files, paragraphs, sections = {}, [], []
    for index, place in enumerate(places):
        theme = themes[min(index * 3 // len(places), 2)]
        if not sections or sections[-1]["theme"] != theme:
            paragraphs.append(HEADINGS[theme])
            sections.append({"heading": HEADINGS[theme], "theme": theme, "first": len(paragraphs) + 1})
        city = place.display
        people = [{"name": _name(rng), "title": rng.choice(TITLES)} for _ in range(rng.choice((0, 1, 1, 2)))]
        body, figures, events = _body(rng, city, people)
        paragraphs.append(body)
        entry = {"city": city, "slug": place.slug, "code": place.code, "province": province.name,
                 "theme": theme, "date": day.isoformat(), "headline": body.split("。")[0].strip("*")[:40],
                 "summary": body.split("。")[0].strip("*") + "。", "body": body, "people": people,
                 "figures": figures, "events": events, "image_credit": rng.choice(["新华社", "人民网", "本地日报"]),
                 "source": {"digest": digest_id, "paragraphs": [len(paragraphs)], "quote": body[:30]}}
        files[f"{digest_id}/{place.slug}.yaml"] = yamlio.dump(entry, ENTRY_HEADER)
    digest = {"title": f"{day.year}年{day.month}月{day.day}日,{province.short}各地在忙啥", "id": digest_id,
              "region": province.short, "province": province.name, "date": day.isoformat(),
              "outlet": "基准日报", "intro": f"{province.short}各地以实干开局。", "sections": sections,
              "paragraphs": paragraphs}
    files[f"{digest_id}/digest.yaml"] = yamlio.dump(digest, DIGEST_HEADER)
    return files


def write(files: dict[str, str], out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    for relative, text in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of entries")
    parser.add_argument("out", type=Path, help="content folder to (re)create")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    files = corpus(args.count, args.seed)
    write(files, args.out)
    entries = sum(1 for p in files if p.count("/") == 1 and not p.endswith("digest.yaml"))
    print(f"wrote {entries} entries in {sum(1 for p in files if p.endswith('digest.yaml'))} digests to {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
