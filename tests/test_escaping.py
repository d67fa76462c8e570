"""`{{ … }}` output: the renderer's own escaping writes what markupsafe.escape would."""

import datetime as dt

import jinja2
import pytest
from hypothesis import given, settings, strategies as st
from markupsafe import Markup, escape

from digest import render, theme

TEXT = st.lists(st.sampled_from(list("南京<>&\"'ab ;#x0") + ["&amp;", "&#39;", "\U0001f600"]), max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(TEXT)
def test_escapes_text_like_markupsafe(text):
    assert render.escape_output(text) == str(escape(text))
    assert render.escape_output(Markup(text)) == text  # markup is written as it is
    assert render.escape_text_in_python(text) == str(escape(text))  # where markupsafe has no compiled escaping


@pytest.mark.parametrize("value", [12, 2.5, None, True, dt.date(2026, 1, 4), ["<a>"], {"k": "'"}])
def test_other_values_are_written_as_their_escaped_text(value):
    assert render.escape_output(value) == str(escape(value))


TEMPLATES = {
    "layout.html": "<title>{% block title %}{{ a }}·{{ b }}{% endblock %}</title>{{ self.title() | trim }}"
                   "<main>{% block main %}{% endblock %}</main>{{ a }}{{ b }}",
    "page.html": "{% extends 'layout.html' %}top-level text{{ a }} is not written"
                 "{% block main %}<p title=\"{{ a }}\">{{ a }}{{ b | safe }}</p>"
                 "{% for x in [a, b] %}<li>{{ loop.index }}{{ x }}{% if x %}{{ x ~ a }}!{% endif %}</li>{% endfor %}"
                 "{% set s %}<i>{{ b }}</i>{% endset %}{{ s }}{% macro m(x) %}<b>{{ x }}</b>{% endmacro %}{{ m(a) }}"
                 "{% autoescape false %}{{ b }}{% endautoescape %}{{ [a, b] | join(',') }}{% include 'part.html' %}"
                 "{% endblock %}",
    "part.html": "<em>{{ a }}</em>{{ b }}",
}


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT)
def test_templates_render_as_with_plain_jinja(first, second):
    plain = jinja2.Environment(autoescape=True, loader=jinja2.DictLoader(TEMPLATES))
    ours = render.environment([theme.DEFAULT_THEME])
    ours.loader = jinja2.DictLoader(TEMPLATES)
    for name in TEMPLATES:
        assert ours.get_template(name).render(a=first, b=second) == plain.get_template(name).render(a=first, b=second)


def test_undefined_values_still_fail():
    template = render.environment([theme.DEFAULT_THEME]).from_string("{{ missing }}")
    with pytest.raises(jinja2.UndefinedError):
        template.render()


class _Place:
    name = "南京<"
    inner = None

    def __init__(self, inner=None):
        self.inner = inner

    @property
    def upper(self):
        return self.name * 2


ATTRIBUTES = ("{{ p.name }}|{{ p.upper }}|{{ p.inner.name }}|{{ p.inner.inner.name }}|{{ d.name }}|{{ d.items }}"
              "|{{ d.inner.name }}|{{ d.nested.k }}|{{ d.absent is defined }}|{{ p.absent is defined }}"
              "|{{ p.inner.absent is defined }}|{% for x in d.list %}{{ x.name }}{% endfor %}|{{ (d.list|first).name }}"
              "|{{ p.inner.inner.inner.name is defined }}")


def test_attribute_reads_find_what_plain_jinja_finds():
    """Objects' attributes and properties, mappings' items and methods, chains, and what is missing."""
    plain = jinja2.Environment(autoescape=True)
    ours = render.environment([theme.DEFAULT_THEME])
    data = {"p": _Place(_Place(_Place())), "d": {"name": "<d>", "inner": _Place(), "nested": {"k": 1},
                                                "list": [{"name": "a"}, _Place()]}}
    expected = plain.from_string(ATTRIBUTES).render(data)
    assert ours.from_string(ATTRIBUTES).render(data) == expected
    assert "南京&lt;南京&lt;" in expected and "&lt;d&gt;" in expected and "False" in expected


def test_a_missing_attribute_still_fails_when_written():
    template = render.environment([theme.DEFAULT_THEME]).from_string("{{ p.inner.absent }}")
    with pytest.raises(jinja2.UndefinedError):
        template.render(p=_Place(_Place()))
