"""An entry's fields from its text: people, figures, events, headline, summary.

Works on simplified text (normalize.simplify); knows nothing of files or YAML.
"""

from __future__ import annotations

import re

from ..lexicon import Lexicon
from ..model import Figure, Person

SENTENCE = re.compile(r"[^。!?;]+[。!?;]?")
CLAUSE = re.compile(r"[^,。!?;:]+")
LEADING_TIME = re.compile(r"^(?:\d{4}年)?(?:\d{1,2}月\d{1,2}日|当天|当日|近日|日前|今天|昨天|新年首个工作日|元旦假期后首个工作日)"
                          r"(?:[上下]午|晚|早)?(?:\d{1,2}时半?)?,?")
NUMBER = re.compile(r"(?<![\d.A-Za-z])(\d+(?:\.\d+)?)\s?(多|余)?(万亿|亿|万|千)?(多|余)?")
QUOTED = re.compile(r"[“\"《]([^”\"》]{1,30})[”\"》]")
HEADLINE_MAX = 30
SUMMARY_MAX = 120
SUMMARY_MIN = 40


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


def people(text: str, lex: Lexicon, foreign_prefix) -> list[Person]:
    """Officials named after a local title: 市委书记王剑锋, 市长刘浩, 社区党委书记王静.

    `foreign_prefix(text_before)` says whether the words before a title name
    another place (南京市委书记 in a 苏州 entry) — those officials are not ours.
    """
    found: dict[str, Person] = {}
    for title in lex.local_titles:
        for match in re.finditer(re.escape(title), text):
            before = text[max(0, match.start() - 8):match.start()]
            if _is_nonlocal(before, lex) or foreign_prefix(before):
                continue
            if _longer_title_here(text, match.start(), title, lex):
                continue
            name = _name_after(text, match.end(), lex)
            if name and name not in found:
                found[name] = Person(name=name, title=title)
    return sorted(found.values(), key=lambda p: text.find(p.name))


def _longer_title_here(text: str, start: int, title: str, lex: Lexicon) -> bool:
    """市长 inside 副市长 or 市委书记 inside 社区党委书记 belongs to the longer title."""
    for longer in lex.local_titles:
        if len(longer) > len(title) and longer.endswith(title):
            if text[max(0, start - len(longer) + len(title)):start + len(title)] == longer:
                return True
    return False


def _is_nonlocal(before: str, lex: Lexicon) -> bool:
    clause = re.split(r"[,。;、:()“”]", before)[-1]
    return any(clause.endswith(prefix) or clause.endswith(prefix + "党委") for prefix in lex.nonlocal_title_prefixes)


def _name_after(text: str, start: int, lex: Lexicon) -> str:
    """A 2–3 character personal name, ended by punctuation or a following verb."""
    rest = text[start:start + 6]
    surname_len = 2 if rest.startswith(lex.compound_surnames) else 1
    if rest[:surname_len] not in lex.surnames and surname_len == 1:
        return ""
    for length in (surname_len + 1, surname_len + 2):
        name, after = rest[:length], rest[length:]
        if len(name) < length or not all("\u4e00" <= ch <= "\u9fff" for ch in name):
            return ""
        if not after or not ("\u4e00" <= after[0] <= "\u9fff") or after.startswith(lex.name_followers):
            return name
    name = rest[:surname_len + 2]
    return name if text.count(name) > 1 else ""


def figures(text: str, lex: Lexicon) -> list[Figure]:
    """Numbers with units: 13800 PFLOPS, 2.7万亿元, 463家; not dates, codes or phone numbers."""
    found: list[Figure] = []
    quoted_spans = [m.span(1) for m in QUOTED.finditer(text)]
    for match in NUMBER.finditer(text):
        digits = match.group(1)
        if any(a <= match.start() < b for a, b in quoted_spans):
            continue  # “1030” 清单, “12345” 热线: code names, not quantities
        if len(digits.replace(".", "")) >= 7 and "." not in digits:
            continue  # phone or document numbers
        multiplier = match.group(3) or ""
        unit = next((u for u in lex.figure_units if text.startswith(u, match.end())), "")
        unit = multiplier + unit if unit or multiplier else ""
        if not unit or text[match.start() - 1:match.start()] in ("第", "〔", "["):
            continue
        value = float(digits) if "." in digits else int(digits)
        found.append(Figure(value=value, unit=unit, text=_clause_around(text, match.start())))
    return found


def _clause_around(text: str, at: int) -> str:
    for clause in CLAUSE.finditer(text):
        if clause.start() <= at < clause.end():
            return clause.group().strip()[:60]
    return ""


def events(text: str, lex: Lexicon) -> list[str]:
    """Named meetings and initiatives: 全市科技创新和产业创新深度融合发展大会, 《…行动方案》."""
    found: list[str] = []
    suffixes = "|".join(map(re.escape, lex.event_suffixes))
    for match in re.finditer(rf"(?:{suffixes})(?![室厅场馆址纪精议])", text):
        phrase = _phrase_before(text, match.end(), lex)
        if phrase and len(phrase) - len(match.group()) >= 3:
            found.append(phrase)
    for match in re.finditer(r"《([^》]{4,60})》", text):
        if match.group(1).endswith(lex.document_suffixes):
            found.append(match.group())
    unique = []
    for event in found:
        if not any(event != other and event in other for other in found) and event not in unique:
            unique.append(event)
    return unique


def _phrase_before(text: str, end: int, lex: Lexicon) -> str:
    start = end
    while start > 0:
        ch = text[start - 1]
        if ch in ",。;:、!?()《》的\n" or (ch == "“" and "”" not in text[start:end]):
            break
        opener = next((o for o in lex.event_openers if text.startswith(o, start - len(o))), None)
        if opener and start < end - 2:
            break
        start -= 1
    phrase = LEADING_TIME.sub("", text[start:end]).strip()
    if phrase.count("“") != phrase.count("”"):
        phrase = phrase.strip("“”")
    return phrase


def headline(sentence_list: list[str], names: tuple[str, ...]) -> str:
    """A short headline from the first sentence: its leading clauses, including the place."""
    if not sentence_list:
        return ""
    first = LEADING_TIME.sub("", sentence_list[0]).rstrip("。!?;")
    clauses = [c.strip() for c in re.split(r"(?<=[,:])", first)
               if c.strip() and not LEADING_TIME.fullmatch(c.strip())]
    if not any(n in first for n in names):
        clauses = clauses or [first]
    else:
        while clauses and not any(n in clauses[0] for n in names) and len("".join(clauses)) > HEADLINE_MAX:
            clauses.pop(0)
    chosen = ""
    for clause in clauses:
        if chosen and len(chosen + clause) > HEADLINE_MAX:
            break
        chosen += clause
    chosen = chosen.rstrip(",:")
    return chosen if len(chosen) <= HEADLINE_MAX + 10 else chosen[:HEADLINE_MAX] + "…"


def summary(sentence_list: list[str]) -> str:
    """The first one or two sentences, at most about 120 characters."""
    chosen = ""
    for sentence in sentence_list[:2]:
        if chosen and len(chosen + sentence) > SUMMARY_MAX and len(chosen) >= SUMMARY_MIN:
            break
        chosen += sentence
    if len(chosen) > SUMMARY_MAX:
        cut = max(chosen.rfind(ch, 0, SUMMARY_MAX) for ch in ",;")
        chosen = chosen[:cut if cut > 40 else SUMMARY_MAX] + "…"
    return chosen
