"""An entry's fields from its text: people, figures, events, headline, summary.

Works on simplified text (normalize.simplify); knows nothing of files or YAML.
"""

from __future__ import annotations

import re

from ..lexicon import Lexicon
from ..model import Figure, Person

SENTENCE = re.compile(r"[^。!?;]+[。!?;]?")
CLAUSE = re.compile(r"[^,。!?;:]+")
LEADING_TIME = re.compile(r"^(?:\d{4}年)?(?:\d{1,2}月)?(?:\d{1,2}[日号]|当天|当日|近日|日前|今天|昨天|连日来|近期|"
                          r"新年首个工作日|元旦假期后首个工作日|节后首个工作日)(?:\([^)]{1,8}\))?"
                          r"(?:[上下中]午|晚上?|早上?|凌晨)?(?:\d{1,2}[时点](?:\d{1,2}分|半)?)?,?")
NUMBER = re.compile(r"(?<![\d.A-Za-z])(\d+(?:\.\d+)?)\s?(多|余)?(万亿|亿|万|千)?(多|余)?")
QUOTED = re.compile(r"[“\"《]([^”\"》]{1,30})[”\"》]")
CJK = re.compile(r"[\u4e00-\u9fff]")
HEADLINE_MAX = 30
HEADLINE_HARD_MAX = 36
SUMMARY_MAX = 150
SUMMARY_SHORT = 60
"""A first sentence shorter than this takes the second one along."""
LABEL_MAX = 16
NOT_IN_NAMES = set("市县区省委等的们和与及在")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, its closing mark included."""
    return [match.span() for match in SENTENCE.finditer(text) if match.group().strip()]


def people(text: str, lex: Lexicon, foreign_prefix, officials_of: str = "local") -> list[Person]:
    """Officials as the genre names them: after their title (市委书记王剑锋, 上城区委书记:刘颖, 市文旅局局长
    张三), before it (史志军任淮安市委书记, 选举肖文荪为市长, 蒋建明,…,沭阳县委书记;).

    `foreign_prefix(text_before)` says whether the words before a title name another place (南京市委书记
    in a 苏州 entry); `officials_of` whose titles count: a city's (local), a province's, or a district's of
    a municipality (whose 市委书记 is a provincial leader)."""
    found: dict[str, Person] = {}
    for start, end, title in _titles(text, lex, officials_of):
        before = text[max(0, start - 8):start]
        if _is_nonlocal(before, lex) or foreign_prefix(before):
            continue
        name = _name_after(text, end, lex) or _name_before(text, start, lex)
        if name and name not in found:
            found[name] = Person(name=name, title=title)
    for name, title in _roll_call(text, lex, officials_of):
        found.setdefault(name, Person(name=name, title=title))
    return sorted(found.values(), key=lambda p: text.find(p.name))


def _titles(text: str, lex: Lexicon, officials_of: str) -> list[tuple[int, int, str]]:
    """(start, end, title) of each official title in the text, the longest where titles overlap."""
    titles = lex.province_titles if officials_of == "province" else lex.local_titles
    spans: list[tuple[int, int, str]] = []
    for match in lex.title_pattern(officials_of == "province").finditer(text):
        title = match.group()
        if officials_of == "district" and _citywide(title, text, match.start()):
            continue
        if title in titles or match.lastgroup == "office":
            spans.append((match.start(), match.end(), title))
    return spans


def _citywide(title: str, text: str, start: int) -> bool:
    """A municipality's own leaders (市委书记, 市长…) beside its districts are provincial leaders."""
    return title.startswith("市") and text[start - 1:start] not in ("区", "县")


def _is_nonlocal(before: str, lex: Lexicon) -> bool:
    clause = re.split(r"[,。;、:()“”]", before)[-1]
    return any(clause.endswith(prefix) or clause.endswith(prefix + "党委") for prefix in lex.nonlocal_title_prefixes)


def _name_after(text: str, start: int, lex: Lexicon) -> str:
    """A 2–3 character personal name right after a title (a colon or space between allowed)."""
    while text[start:start + 1] in (":", " "):
        start += 1
    rest = text[start:start + 6]
    surname_len = 2 if rest.startswith(lex.compound_surnames) else 1
    if rest[:surname_len] not in lex.surnames and surname_len == 1:
        return ""
    shorter, longer = rest[:surname_len + 1], rest[:surname_len + 2]
    for name in (shorter, longer):
        after = text[start + len(name):]
        if not _looks_like_name(name, surname_len):
            return ""
        if not after or not CJK.match(after[0]) or after.startswith(lex.name_followers):
            return name
    return _repeated_name(text, shorter, longer, surname_len)


def _repeated_name(text: str, shorter: str, longer: str, surname_len: int) -> str:
    """News writes a name again: the longer form when every mention of the shorter goes on with the
    same character, else the shorter when it stands alone elsewhere."""
    if not _looks_like_name(longer, surname_len):
        return ""
    short_count, long_count = text.count(shorter), text.count(longer)
    if long_count >= 2 and long_count == short_count:
        return longer
    if short_count >= 2 and short_count > long_count:
        return shorter
    return ""


def _looks_like_name(name: str, surname_len: int) -> bool:
    return len(name) > surname_len and all(CJK.match(ch) for ch in name) and not (set(name[1:]) & NOT_IN_NAMES)


def _name_before(text: str, start: int, lex: Lexicon) -> str:
    """史志军任淮安市委书记, 选举肖文荪为人民政府市长: the name before the appointing verb."""
    window = text[max(0, start - 24):start]
    match = re.search(r"([\u4e00-\u9fff]{2,3})(?:调任|出任|任|当选为|当选|担任)([\u4e00-\u9fff]{0,8})$", window)
    if match and not match.group(2).startswith(("过", "职")) and not match.group(1).endswith(tuple("新现原拟继接兼历曾升转")) \
            and _is_name(match.group(1), lex):
        return match.group(1)
    match = re.search(r"(?:选举|任命|决定任命|提名)([\u4e00-\u9fff]{2,3}?)为[^,。;]{0,14}$", window)
    if match and _is_name(match.group(1), lex):
        return match.group(1)
    return ""


def _is_name(name: str, lex: Lexicon) -> bool:
    surname_len = 2 if name.startswith(lex.compound_surnames) else 1
    return (name[:1] in lex.surnames or surname_len == 2) and _looks_like_name(name, surname_len)


def _roll_call(text: str, lex: Lexicon, officials_of: str) -> list[tuple[str, str]]:
    """'蒋建明,1962年12月生,江苏沭阳县委书记;': a name opening a short sentence that ends on a title."""
    found = []
    for sentence in re.split(r"[;。\n]", text):
        sentence = sentence.strip()
        head = re.match(r"([\u4e00-\u9fff]{2,3})(?:\(女\))?[,(]", sentence)
        if not head or len(sentence) > 60 or not _is_name(head.group(1), lex):
            continue
        titles = [t for _, end, t in _titles(sentence, lex, officials_of) if end == len(sentence.rstrip(",等职"))]
        if titles:
            found.append((head.group(1), titles[-1]))
    return found


def figures(text: str, lex: Lexicon) -> list[Figure]:
    """Numbers with units: 13800 PFLOPS, 2.7万亿元, 463家; not dates, codes or phone numbers.  Each with
    what it counts (规上工业总产值) and the shortest clause of the text that holds it."""
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
        unit_end = match.end() + len(unit)
        unit = multiplier + unit if unit or multiplier else ""
        if not unit or text[match.start() - 1:match.start()] in ("第", "〔", "["):
            continue
        value = float(digits) if "." in digits else int(digits)
        clause_start, clause = _clause_around(text, match.start())
        label = _figure_label(clause, match.start() - clause_start, unit_end - clause_start, lex)
        found.append(Figure(value=value, unit=unit, label=label, text=clause[:60]))
    return found


def _clause_around(text: str, at: int) -> tuple[int, str]:
    """The shortest piece of the text holding position `at`: its clause, or, when the clause lists
    several figures (超3.2万亿元、占比力争50%), its item of the list."""
    for clause in CLAUSE.finditer(text):
        if clause.start() <= at < clause.end():
            start, words = clause.start(), clause.group()
            if len(NUMBER.findall(words)) > 1:
                for item in re.finditer(r"[^、]+", words):
                    if item.start() <= at - start < item.end():
                        start, words = start + item.start(), item.group()
                        break
            stripped = words.lstrip()
            return start + len(words) - len(stripped), stripped.rstrip()
    return at, ""


def _figure_label(clause: str, number_at: int, unit_end: int, lex: Lexicon) -> str:
    """What a figure counts: the noun its unit qualifies (2500多家人工智能产业链企业 → 人工智能产业链企业),
    else the words before it less verbs and times (规上工业总产值突破5万亿元 → 规上工业总产值)."""
    after = re.split(r"[,。;、:的和与及]|\d+(?:\.\d+)?\s?[多余]?(?:万亿|亿|万|千)?[个项家名座件台套元%亿]",
                     clause[unit_end:].lstrip("多余"), maxsplit=1)[0]
    for stop in lex.figure_after_stops:
        at = after.find(stop)
        if at >= 0:
            after = after[:at]
    if len(after) >= 2 and CJK.match(after.lstrip("“")) and not after.startswith(lex.figure_after_stops + ("以上", "左右")):
        return after[:LABEL_MAX]
    before = re.split(r"[“”《》()]|[\d.]+[^\u4e00-\u9fff]*|今年|去年|全年|目前|其中|累计",
                      clause[:number_at])[-1].lstrip("个项家名座件台套亿万元多余年月日号")
    for _ in range(4):
        trimmed = before.strip()
        for verb in lex.figure_verbs:
            trimmed = trimmed.removesuffix(verb)
        trimmed = trimmed.removesuffix("的")
        if trimmed == before:
            break
        before = trimmed
    for word in lex.figure_openers:
        if word in before:
            before = before[before.rfind(word) + len(word):]
    label = before.strip()
    return label[-LABEL_MAX:] if len(label) >= 2 and CJK.match(label) else ""


def events(text: str, lex: Lexicon) -> list[str]:
    """Named meetings and initiatives: 全市科技创新和产业创新深度融合发展大会, 《…行动方案》; two joined by
    暨 are one event (新型工业化推进会议暨“AI+制造”创新发展大会)."""
    found: list[str] = []
    suffixes = "|".join(map(re.escape, lex.event_suffixes))
    for match in re.finditer(rf"(?:{suffixes})(?![室厅场馆址纪精议暨])", text):
        phrase = _phrase_before(text, match.end(), lex)
        joined = next((s for s in lex.event_suffixes if phrase.startswith(s + "暨")), "")
        if joined:  # 新型工业化推进会议暨…大会: the name before 暨 is part of this one
            phrase = _phrase_before(text, match.end() - len(phrase) + len(joined), lex) + phrase[len(joined):]
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


def headline(sentence_list: list[str], names: tuple[str, ...], lex: Lexicon, summary_text: str = "") -> str:
    """A short line that stands on its own: the lead's first clauses, from the clause that names the
    place, without a leaning opener (则, 同样, 随后…), a speech verb at its end or a 【tag】, and shorter
    than the summary when that is one sentence."""
    candidates = [c for c in (_headline_clauses(s, names, lex) for s in sentence_list[:3]) if c]
    if not candidates:
        first = sentence_list[0] if sentence_list else ""
        return re.split(r"[,:;。!?]", first, maxsplit=1)[0][:HEADLINE_MAX]
    clauses = next((c for c in candidates if not c[0].startswith(lex.leaning_words)
                    and len(c[0]) <= HEADLINE_HARD_MAX), candidates[0])
    chosen = _fit(clauses)
    if _plain(chosen) == _plain(summary_text) and len(clauses) > 1:
        chosen = _fit(clauses[:-1])
    return chosen


def _fit(clauses: list[str]) -> str:
    chosen = ""
    for clause in clauses:
        if chosen and len(chosen + clause) > HEADLINE_MAX:
            break
        chosen += clause
    chosen = chosen.rstrip(",:;、")
    if len(chosen) <= HEADLINE_HARD_MAX:
        return chosen
    cut = max(chosen.rfind(ch, 0, HEADLINE_MAX) for ch in ",、")
    return chosen[:cut] if cut >= 8 else chosen[:HEADLINE_MAX] + "…"


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text).rstrip("。!?…")


def _headline_clauses(sentence: str, names: tuple[str, ...], lex: Lexicon) -> list[str]:
    """The clauses a headline may be made of, leaning and speech clauses left out."""
    text = re.sub(r"【[^】]{0,12}】", "", sentence).strip()
    text = LEADING_TIME.sub("", text).rstrip("。!?;")
    clauses = [c.strip() for c in re.split(r"(?<=[,:])", text) if c.strip()]
    clauses = [c for c in clauses if not LEADING_TIME.fullmatch(c)]
    while len(clauses) > 1 and clauses[0].startswith(lex.leaning_words):
        clauses.pop(0)
    while len(clauses) > 1 and not any(n in clauses[0] for n in names) and any(n in "".join(clauses) for n in names):
        clauses.pop(0)
    if clauses:
        clauses[0] = _unlean(clauses[0], names, lex)
    kept = []
    for clause in clauses:
        bare = clause.rstrip(",:")
        if bare.endswith(lex.speech_verbs):
            break
        kept.append(clause)
    return kept


def _unlean(clause: str, names: tuple[str, ...], lex: Lexicon) -> str:
    """苏州则聚焦… → 苏州聚焦…; 同样瞄准人工智能 → 瞄准人工智能: words that lean on the paragraph before."""
    for word in lex.leaning_words:
        if clause.startswith(word) and len(clause) > len(word) + 4:
            clause = clause[len(word):].lstrip(",")
            break
    for name in sorted(names, key=len, reverse=True):
        if clause.startswith(name):
            rest = clause[len(name):]
            for word in lex.leaning_adverbs:
                if rest.startswith(word):
                    return name + rest[len(word):]
            break
    return clause


def summary(sentence_list: list[str]) -> str:
    """One or two whole sentences, at most about 150 characters: the first, and the second when the
    first is short.  A first sentence too long for a card is cut after a clause and closed."""
    if not sentence_list:
        return ""
    chosen = sentence_list[0]
    if len(chosen) < SUMMARY_SHORT and len(sentence_list) > 1 and len(chosen + sentence_list[1]) <= SUMMARY_MAX:
        chosen += sentence_list[1]
    if len(chosen) <= SUMMARY_MAX:
        return _closed(chosen)
    cut = max(chosen.rfind(ch, 0, SUMMARY_MAX) for ch in ",;")
    if cut < 40:
        cut = SUMMARY_MAX - 1
    return chosen[:cut].rstrip(",;、:") + "。"


def _closed(text: str) -> str:
    """A summary ends as a sentence does; a text cut short (a page saved half-way) ends with '…'."""
    if text.endswith((";", ",", "、", ":")):
        text = text[:-1] + "。"
    bare = text.rstrip("”’」』)\"'")
    return text if bare.endswith(("。", "!", "?", "…")) else text + "…"
