"""Third-party checkers on the built site: Nu Html Checker, sitemap XSD, Atom and JSON Feed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.skipif(not VNU.exists() or not shutil.which("java"), reason="vnu-jar (npm) and Java are needed")
def test_nu_html_checker_reports_no_errors(seed_site):
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "json",
                             "--stdout", str(seed_site)], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stdout or "{}").get("messages", [])
    errors = [f"{m.get('url')}:{m.get('lastLine')}: {m.get('message')}" for m in messages if m.get("type") == "error"]
    assert errors == [] and result.returncode == 0


def test_sitemap_validates_against_the_xsd(seed_site):
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema(str(Path(__file__).with_name("data") / "sitemap.xsd"))
    schema.validate(str(seed_site / "sitemap.xml"))
    locs = etree.parse(str(seed_site / "sitemap.xml")).findall(".//{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    assert len(locs) >= 13 + 13 + 3
    assert all(loc.text.startswith("https://example.org/digest/") for loc in locs)


def test_atom_feed_has_rfc4287_required_elements(seed_site):
    feed = etree.parse(str(seed_site / "feed.xml")).getroot()
    assert feed.tag == f"{ATOM}feed"
    for element in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{element}")) == 1
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 13
    rfc3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$"
    import re

    for entry in entries:
        for element in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{element}")) == 1
        assert re.match(rfc3339, entry.find(f"{ATOM}updated").text)
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)


def test_feedparser_reads_the_atom_feed(seed_site):
    feedparser = pytest.importorskip("feedparser")
    parsed = feedparser.parse(str(seed_site / "feed.xml"))
    assert not parsed.bozo and len(parsed.entries) == 13
    assert parsed.entries[0].updated_parsed.tm_mon == 1


def test_json_feed_has_the_required_fields(seed_site):
    feed = json.loads((seed_site / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["title"]
    assert len(feed["items"]) == 13
    for item in feed["items"]:
        assert item["id"] and (item.get("content_html") or item.get("content_text"))
        assert item["url"].startswith("https://example.org/digest/")
