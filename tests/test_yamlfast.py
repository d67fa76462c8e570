"""The fast YAML reader gives exactly what PyYAML gives (values, types, key lines), or declines."""

import datetime as dt
from pathlib import Path

from hypothesis import given, settings, strategies as st

from digest import yamlfast, yamlio

ROOT = Path(__file__).resolve().parent.parent


def fast(text):
    return yamlfast.load(text, yamlio.LineMap, yamlio._SCALARS, yamlio.MAX_DEPTH)


def slow(text):
    return yamlio._load_with_pyyaml(text, "test.yaml")


def same(a, b) -> bool:
    """Equal values of equal types, and for mappings the same line of each key and of the mapping."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return (a.keys() == b.keys() and a.lines == b.lines and a.line == b.line
                and all(same(a[key], b[key]) for key in a))
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))
    return a == b


def assert_agrees(text):
    got = fast(text)
    if got is yamlfast.NOT_HANDLED:
        return False
    data, problem = slow(text)
    assert problem is None, f"fast reader accepted what PyYAML refuses ({problem}):\n{text}"
    assert same(got, data), f"{got!r} != {data!r} for:\n{text}"
    return True


TEXT = st.lists(st.sampled_from(list("南京算力“”,。:;!?-#'\"|>&*[]{}% ab1.Z\n\\\t\u3000")
                                + ["yes", "~", "null", "12", "2026-01-04", ": ", " #", "  "]), max_size=12).map("".join)
SCALARS = st.one_of(TEXT, st.integers(-10, 10**6), st.floats(allow_nan=False, width=32), st.booleans(), st.none(),
                    st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)))
KEYS = st.sampled_from(["city", "slug", "body", "value", "name", "a_b", "x-y", "yes", "on", "null", "k1"])
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(KEYS, inner, max_size=4)), max_leaves=12)
DOCUMENTS = st.dictionaries(KEYS, VALUES, min_size=1, max_size=6)


def mutate(text: str, data) -> str:
    """Line edits people make by hand: indent, dedent, comments, blank lines, stray characters."""
    lines = text.split("\n")
    for kind, at, extra in data:
        at %= len(lines)
        if kind == 0:
            lines[at] = " " + lines[at]
        elif kind == 1 and lines[at].startswith(" "):
            lines[at] = lines[at][1:]
        elif kind == 2:
            lines.insert(at, "# " + extra)
        elif kind == 3:
            lines.insert(at, "")
        elif kind == 4:
            lines[at] += extra
        elif kind == 5:
            lines[at] = extra + lines[at]
        elif kind == 6:
            del lines[at]
            if not lines:
                lines = [""]
        elif kind == 7:
            lines.insert(at, lines[at])
    return "\n".join(lines)


EDITS = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 200),
                           st.sampled_from(["", " ", "  ", "- ", "#", " # x", ":", "'", '"', "|", "x: 1", "\t",
                                            "  - a", "b", "---", "&a ", "*a", "!!str "])), max_size=3)


@settings(max_examples=600, deadline=None)
@given(DOCUMENTS, EDITS, st.booleans())
def test_fast_reader_agrees_with_pyyaml_on_dumped_and_edited_files(document, edits, final_newline):
    text = yamlio.dump(document)
    if not final_newline:  # editors may save without one
        text = text.rstrip("\n")
    assert_agrees(text)  # declining is allowed; a different answer is not
    assert_agrees(mutate(text, edits))


def test_a_literal_block_ending_the_file_without_a_final_newline_has_none():
    """`|` keeps the line break after its last line only when there is one (PyYAML's reading), whatever
    the rest of the file holds."""
    for text in ("city: 南京\nbody: |\n  第一段", "body: |\n  第一段\n  第二段", "body: |\n  第一段\n"):
        assert assert_agrees(text), text
    assert fast("body: |\n  第一段")["body"] == "第一段"


def test_fast_reader_handles_the_files_digest_writes():
    files = sorted(ROOT.glob("content/*/*.yaml"))  # digests and entries (themes.yaml uses flow lists)
    assert files
    handled = sum(assert_agrees(path.read_text(encoding="utf-8")) for path in files)
    assert handled == len(files)


def test_fast_reader_declines_what_it_does_not_read():
    for text in ("a: &x 1\nb: *x\n", "a: [1, 2]\n", "a: >\n  folded\n", "a: plain\n  continued\n",
                 "a: 1\na: 2\n", "a:\tb\n", "a: 'x' # c\n", "a: \"\\n\"\n", "- - x\n", "--- \na: 1\n", "a: |+\n  x\n\n"):
        assert fast(text) is yamlfast.NOT_HANDLED, text


def test_every_character_left_to_pyyaml_is_one_python_does_not_print():
    """load skips the search for unusual characters on lines that str.isprintable passes."""
    unusual = [chr(c) for c in range(0x110000) if yamlfast._UNUSUAL.match(chr(c)) and chr(c) != "\n"]
    assert len(unusual) > 60 and not any(c.isprintable() for c in unusual)
    for c in ("\t", "\r", "\x85", "\u2028", "\ufeff"):
        assert fast(f"a: 南京{c}b\n") is yamlfast.NOT_HANDLED
    assert fast("a: 南京\u3000b\n") == {"a": "南京\u3000b"}  # not printed, but not unusual either


def test_fast_reader_types_plain_values_like_pyyaml():
    text = "a: 12\nb: 1.5\nc: yes\nd: ~\ne: 2026-01-04\nf: '12'\ng: 南京\nh: []\ni: {}\nj: |-\n  一\n\n  二\n"
    assert assert_agrees(text)
    data = fast(text)
    assert data["a"] == 12 and data["c"] is True and data["d"] is None and data["e"] == dt.date(2026, 1, 4)
    assert data["f"] == "12" and data["j"] == "一\n\n二" and data.lines["j"] == 10
