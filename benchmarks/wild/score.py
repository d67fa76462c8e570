"""Score `ingest` on real round-ups: `python benchmarks/wild/score.py --pages DIR [--repo PATH] [--date-given]`.

The pages are not in the repository (not ours to copy): DIR holds each one as `<id>.txt` (or .html),
saved from the addresses in labels.yaml beside this script.  Each page is ingested by the command line
of the code under --repo (default: this checkout) into a temporary content folder, as a new user would,
and the entries are compared with the labels:

  no flags      the article ingests with `ingest ARTICLE` alone (exit 0)
  places found  labelled places that got an entry
  entries right emitted entries that are a labelled place (listed places and the prefectures of
                labelled places are neither right nor wrong; anything else is wrong)
  officials     labelled officials found in their own place's entry (or the entry they act in);
                misfiled: found only in another place's entry; wrong: a byline, a private person or
                a provincial/central leader given as an official
  editorial     entries whose headline and summary pass the rules of docs/ingest.md
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SUFFIXES = ("自治县", "自治州", "新区", "市", "县", "区", "盟", "旗")
LEANING = ("则", "同样", "而", "随后", "当天", "当日", "同时", "此外", "另外", "与此同时", "他", "她", "其", "该", "这",
           "此", "并", "也", "还", "但", "对此", "为此", "会上", "会议", "上述")
SPEECH_END = ("表示", "宣布", "指出", "强调", "说", "认为", "介绍", "称", "提出", "要求")
SENTENCE_END = ("。", "!", "?", "！", "？", "…")
CLOSERS = "”’」』)）\"'"
HEADLINE_MAX = 36
SUMMARY_MAX = 150


def names_of(name: str) -> set[str]:
    """A place's name and its name without the administrative suffix: 沭阳县 → {沭阳县, 沭阳}."""
    found = {name}
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            found.add(name[: -len(suffix)])
    return found


def same_place(city: str, label: dict) -> bool:
    wanted = set().union(*(names_of(n) for n in [label["name"], *label.get("alt", ())]))
    return bool(names_of(city) & wanted)


def plain(text: str) -> str:
    return re.sub(r"\s+", "", text).rstrip("。!?！？…")


def editorial_problems(entry: dict) -> list[str]:
    """What an editor would change before publishing the entry's headline and summary (the rules of
    issue 22, point 10)."""
    problems = []
    headline, summary, body = (str(entry.get(k) or "").strip() for k in ("headline", "summary", "body"))
    bare = headline.rstrip(CLOSERS)
    if not headline or len(headline) > HEADLINE_MAX:
        problems.append("headline length")
    if headline.startswith(LEANING):
        problems.append("headline leans on the paragraph before")
    if bare.endswith(SPEECH_END) or bare[-1:] in ",:、;,:;“(—":
        problems.append("headline stops mid-clause")
    if bare.endswith(("…", "...")):
        problems.append("headline cut short")
    if "【" in headline or "】" in headline:
        problems.append("headline carries a tag")
    if headline and plain(headline) == plain(summary):
        problems.append("headline is the summary")
    tail = summary.rstrip(CLOSERS)
    if not summary or len(summary) > SUMMARY_MAX:
        problems.append("summary length")
    if not tail.endswith(SENTENCE_END):
        problems.append("summary is not whole sentences")
    if len(re.findall(r"[。!?！？]", summary)) > 2:
        problems.append("summary has more than two sentences")
    sentences = re.findall(r"[。!?！？]", body)
    if summary and len(sentences) > 2 and plain(summary) == plain(body):
        problems.append("summary is the whole body")
    return problems


@dataclass
class Score:
    pages: int = 0
    no_flags: int = 0
    places: int = 0
    places_found: int = 0
    entries: int = 0
    entries_right: int = 0
    entries_neutral: int = 0
    officials: int = 0
    officials_found: int = 0
    misfiled: int = 0
    wrong_officials: int = 0
    editorial_pass: int = 0
    failures: list[str] = field(default_factory=list)


def ingest(repo: Path, page: Path, content: Path, date: str | None) -> tuple[int, str, list[dict]]:
    command = [sys.executable, str(repo / "build.py"), "ingest", str(page), "--content", str(content)]
    if date:
        command += ["--date", date]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    entries = []
    for path in content.glob("*/*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "city" in data:
            entries.append(data)
    return done.returncode, (done.stderr or done.stdout).strip(), entries


def score_page(label: dict, code: int, message: str, entries: list[dict], score: Score, verbose: bool) -> None:
    score.pages += 1
    score.no_flags += code == 0
    if code != 0:
        score.failures.append(f"{label['id']}: exit {code}: {message.splitlines()[-1] if message else ''}")
    places = label.get("places", [])
    score.places += len(places)
    missing = [p["name"] for p in places if not any(same_place(e["city"], p) for e in entries)]
    score.places_found += len(places) - len(missing)
    neutral_names = [{"name": n} for n in label.get("listed", [])]
    neutral_names += [{"name": p["prefecture"]} for p in places if p.get("prefecture")
                      and p["prefecture"] not in label.get("not_places", [])]
    neutral_names += [{"name": o["place"]} for o in label.get("officials", []) if o.get("acts_in")]
    wrong = []
    for entry in entries:
        if any(same_place(entry["city"], p) for p in places):
            score.entries += 1
            score.entries_right += 1
        elif any(same_place(entry["city"], p) for p in neutral_names):
            score.entries_neutral += 1
        else:
            score.entries += 1
            wrong.append(entry["city"])
        score.editorial_pass += not editorial_problems(entry)
    people = {(e["city"], p["name"]) for e in entries for p in e.get("people", []) or []}
    lost, misfiled = [], []
    for official in label.get("officials", []):
        score.officials += 1
        home = next((p for p in places if p["name"] == official["place"]), {"name": official["place"]})
        homes = [home] + ([{"name": official["acts_in"]}] if official.get("acts_in") else [])
        where = [city for city, name in people if name == official["name"]]
        if any(same_place(city, home) for city in where for home in homes):
            score.officials_found += 1
        elif where:
            misfiled.append(f"{official['name']}→{where[0]}")
        else:
            lost.append(official["name"])
    score.misfiled += len(misfiled)
    strangers = sorted({name for _, name in people if name in label.get("not_officials", [])})
    score.wrong_officials += len(strangers)
    if verbose and (missing or wrong or lost or misfiled or strangers or code):
        print(f"{label['id']}: missing {missing} wrong {wrong} officials lost {lost} misfiled {misfiled} "
              f"strangers {strangers}", file=sys.stderr)
    if verbose:
        for entry in entries:
            problems = editorial_problems(entry)
            if problems:
                print(f"  {label['id']}/{entry['city']}: {', '.join(problems)}: {entry.get('headline', '')!r}",
                      file=sys.stderr)


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}% ({part}/{whole})" if whole else "–"


def table(score: Score) -> str:
    rows = [
        ("articles ingested with no flags", f"{score.no_flags} of {score.pages}", "all"),
        ("places found", percent(score.places_found, score.places), "> 90%"),
        ("entries that are right", percent(score.entries_right, score.entries), "> 95%"),
        ("officials found", percent(score.officials_found, score.officials), "≥ 90%"),
        ("officials misfiled", str(score.misfiled), "0"),
        ("bylines, private people or non-local leaders as officials", str(score.wrong_officials), "0"),
        ("entries passing the editorial rules", percent(score.editorial_pass, score.entries + score.entries_neutral),
         "≥ 90%"),
    ]
    lines = ["| measure | result | goal |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, required=True, help="folder of saved pages, <id>.txt or <id>.html")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose ingest is scored")
    parser.add_argument("--date-given", action="store_true", help="pass each page's date with --date")
    parser.add_argument("--labels", type=Path, default=HERE / "labels.yaml")
    parser.add_argument("-v", "--verbose", action="store_true", help="list what each page got wrong")
    args = parser.parse_args()
    labels = yaml.safe_load(args.labels.read_text(encoding="utf-8"))["pages"]
    score = Score()
    for label in labels:
        candidates = [args.pages / f"{label['id']}.txt", args.pages / f"{label['id']}.html", args.repo / label["url"]]
        page = next((p for p in candidates if p.is_file()), None)
        if page is None:
            print(f"{label['id']}: no saved page in {args.pages}", file=sys.stderr)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / f"{label['id']}{page.suffix}"
            shutil.copyfile(page, copy)
            code, message, entries = ingest(args.repo, copy, Path(tmp) / "content",
                                            str(label["date"]) if args.date_given else None)
        score_page(label, code, message, entries, score, args.verbose)
    print(table(score))
    for failure in score.failures:
        print(f"  {failure}", file=sys.stderr)


if __name__ == "__main__":
    main()
