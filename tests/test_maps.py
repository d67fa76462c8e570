"""The maps: markers only, one per place the data knows, named, linked, apart and inside the frame, for
the three shapes a digest takes (one province, one city's districts, several provinces)."""

from __future__ import annotations

import importlib.util
import itertools
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from digest import gazetteer, maps
from digest.maps import MapPlace

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
COLORS = ("#1d4e89", "#b5541c", "#2a7a3b", "#8e3b8e")


def places_of(divisions) -> list[MapPlace]:
    return [MapPlace(p.code, p.level, p.name, f"../../cities/{p.slug}/", COLORS[i % len(COLORS)], p.display)
            for i, p in enumerate(divisions)]


def children(parent: str, level: str):
    return [p for p in gazetteer.load().places if p.level == level and p.parent == parent]


def division(code: str, level: str):
    return gazetteer.load().by_code[level, code]


JIANGSU = places_of(children("320000", "prefecture"))
BEIJING = places_of(children("110000", "county"))
JIANGSU_COUNTIES = places_of([p for p in gazetteer.load().places if p.level == "county" and p.province == "320000"])
SEVERAL = places_of([division("320100", "prefecture"), division("330100", "prefecture"),
                     division("340100", "prefecture"), division("310000", "prefecture"),
                     division("320583", "county"), division("330782", "county"), division("440300", "prefecture")])
SHAPES = {"one province": JIANGSU, "one city": BEIJING, "several provinces": SEVERAL}


def markers(svg: str) -> list[dict]:
    """Each drawn place: its link, name, code and marker circle, read back from the SVG."""
    root = ET.fromstring(svg)
    found = []
    for link in root.iter(f"{SVG}a"):
        circle = next(c for c in link.iter(f"{SVG}circle") if c.get("class") == "dm-m")
        found.append({"href": link.get("href"), "name": link.get("aria-label"), "code": link.get("data-code"),
                      "title": link.find(f"{SVG}title").text, "fill": circle.get("fill"),
                      "x": float(circle.get("cx")), "y": float(circle.get("cy")), "r": float(circle.get("r"))})
    return found


def view_box(svg: str) -> tuple[float, ...]:
    return tuple(map(float, ET.fromstring(svg).get("viewBox").split()))


@pytest.mark.parametrize("shape", SHAPES)
def test_every_place_is_one_linked_named_marker_inside_the_view_box(shape):
    places = SHAPES[shape]
    svg = maps.map_svg(places, "地图")
    drawn = markers(svg)
    assert maps.place_count_drawn(svg) == len(drawn) == len(places)
    x0, y0, width, height = view_box(svg)
    for place, marker in zip(places, drawn):
        assert (marker["href"], marker["name"], marker["title"], marker["code"], marker["fill"]) == (
            place.href, place.name, place.name, place.code, place.color)
        assert x0 <= marker["x"] - marker["r"] and marker["x"] + marker["r"] <= x0 + width
        assert y0 <= marker["y"] - marker["r"] and marker["y"] + marker["r"] <= y0 + height
    root = ET.fromstring(svg)
    assert root.get("role") == "group" and root.get("aria-label") == "地图"


@pytest.mark.parametrize("shape", SHAPES)
def test_markers_do_not_overlap(shape):
    drawn = markers(maps.map_svg(SHAPES[shape], "地图"))
    for a, b in itertools.combinations(drawn, 2):
        assert math.hypot(a["x"] - b["x"], a["y"] - b["y"]) >= a["r"] + b["r"] - 0.5, (a["name"], b["name"])


def test_a_crowded_map_keeps_its_markers_apart():
    """Past GRID_FROM markers, spread looks for close pairs in a grid: none may be missed."""
    assert len(JIANGSU_COUNTIES) > 3 * maps.GRID_FROM
    drawn = markers(maps.map_svg(JIANGSU_COUNTIES, "江苏各区县"))
    assert len(drawn) == len(JIANGSU_COUNTIES)
    for a, b in itertools.combinations(drawn, 2):
        assert math.hypot(a["x"] - b["x"], a["y"] - b["y"]) >= a["r"] + b["r"] - 0.5, (a["name"], b["name"])


def test_near_pairs_holds_every_pair_closer_than_the_least_distance():
    rng = __import__("random").Random(7)
    for count in (5, maps.GRID_FROM, 200):
        pos = [[rng.uniform(-50, 300), rng.uniform(-50, 300)] for _ in range(count)]
        near = set(maps.near_pairs(pos, 13.5))
        for i, j in itertools.combinations(range(count), 2):
            if math.dist(pos[i], pos[j]) < 13.5:
                assert (i, j) in near
        assert list(maps.near_pairs(pos, 13.5)) == sorted(near)


def test_taken_boxes_are_found_as_a_list_finds_them():
    rng = __import__("random").Random(3)
    boxes = []
    for _ in range(150):
        x, y = rng.uniform(-20, 600), rng.uniform(-20, 400)
        boxes.append((x, y, x + rng.uniform(1, 80), y + rng.uniform(1, 30)))
    taken = maps.Taken(boxes[:100])
    for box in boxes[100:]:
        assert taken.clear_of(box) == maps.clear_of(box, boxes[:100])


def test_orientation_dots_and_their_labels_stay_clear_of_markers_and_labels():
    seen = 0
    for places in [*SHAPES.values(), JIANGSU[:1], BEIJING[:1]]:
        located = [loc for loc in map(maps.locate, places) if loc]
        view = maps.choose_view(located)
        proj = maps.fit(view.box, 640)
        placed = maps.place_markers(located, proj)
        marks = [maps.circle_box(*m.at, maps.MARKER + 3) for m in placed] + [m.label[0] for m in placed if m.label]
        dots = maps.place_context(view, proj, placed)
        seen += len(dots)
        labels = [dot.label for dot in dots if dot.label]
        for dot in dots:
            assert maps.clear_of(maps.circle_box(dot.x, dot.y, 2.5), marks)
        for n, label in enumerate(labels):
            assert maps.clear_of(label, marks + labels[:n] + labels[n + 1:])
            assert maps.clear_of(label, [maps.circle_box(d.x, d.y, 2.5) for d in dots])
    assert seen > 20


def test_places_on_one_spot_are_pushed_apart_with_a_line_to_where_they_are():
    suzhou = division("320500", "prefecture")
    zones = [p for p in gazetteer.load().places if p.level == "zone" and p.parent == "320500"]
    svg = maps.map_svg(places_of([suzhou] + zones), "苏州")
    drawn = markers(svg)
    assert len(drawn) == 1 + len(zones) >= 4
    for a, b in itertools.combinations(drawn, 2):
        assert math.hypot(a["x"] - b["x"], a["y"] - b["y"]) >= a["r"] + b["r"] - 0.5
    assert svg.count('class="dm-ld"') >= len(zones)


@pytest.mark.parametrize("shape", SHAPES)
def test_no_outline_of_any_kind_only_dots_and_short_leader_lines(shape):
    """Every path is either a straight leader (or the scale bar) or the faint dots: nothing could trace
    a border, a coast or a sea area."""
    root = ET.fromstring(maps.map_svg(SHAPES[shape], "地图"))
    assert not list(root.iter(f"{SVG}polygon")) and not list(root.iter(f"{SVG}polyline"))
    number = r"-?[\d.]+"
    leader = re.compile(rf"M{number} {number}L{number} {number}")
    scale = re.compile(rf"M{number} {number}v4h{number}v-4")
    dots = re.compile(rf"(M{number} {number}h0)+")
    for path in root.iter(f"{SVG}path"):
        d, kind = path.get("d"), path.get("class")
        assert (kind == "dm-ld" and (leader.fullmatch(d) or scale.fullmatch(d))) or (
            kind == "dm-bg" and dots.fullmatch(d)), d[:80]


def test_the_frame_follows_the_places():
    """A city's districts fill a city-sized frame, a province's cities a province-sized one: the
    markers spread over much of the width either way, and the scale bar says which is which."""
    for places, most_km in ((BEIJING, 50), (JIANGSU, 200), (SEVERAL, 1000)):
        svg = maps.map_svg(places, "地图")
        xs = [m["x"] for m in markers(svg)]
        assert max(xs) - min(xs) > view_box(svg)[2] * 0.4
        km = int(re.search(r">(\d+) 公里<", svg)[1])
        assert most_km / 10 <= km <= most_km


def test_neighbours_are_grey_dots_not_links():
    """The marked city's other districts orient the reader; they are no places of the digest."""
    svg = maps.map_svg(places_of([division("110108", "county"), division("110105", "county")]), "北京")
    assert maps.place_count_drawn(svg) == 2
    grey = re.findall(r'<text class="dm-ctx" [^>]*>([^<]+)</text>', svg)
    assert "东城" in grey and "海淀" not in grey


def test_places_the_data_lacks_are_left_out():
    lacking = MapPlace("659011", "prefecture", "新星市", "x/", "#000")  # made a city in 2023
    unknown = MapPlace("999999", "county", "无此地", "y/", "#000")
    svg = maps.map_svg([lacking, unknown] + JIANGSU[:3], "地图")
    assert [m["code"] for m in markers(svg)] == [p.code for p in JIANGSU[:3]]
    assert maps.map_svg([lacking, unknown], "地图") == ""


def test_names_links_and_colours_are_escaped():
    place = MapPlace("320100", "prefecture", '南京"><script>', 'a.html?x="1"&y=<2>', '#fff" onload="x', "南<京")
    svg = maps.map_svg([place], 'T"<>')
    (marker,) = markers(svg)
    assert (marker["name"], marker["href"], marker["fill"]) == (place.name, place.href, place.color)
    elements = list(ET.fromstring(svg).iter())
    assert not [e for e in elements if e.tag.endswith("script") or "onload" in e.attrib]


def test_a_label_that_fits_nowhere_becomes_a_number_with_a_legend():
    crowd = [MapPlace("320100", "prefecture", f"南京{i}", f"{i}/", "#123456", "很长很长很长的名字" + str(i))
             for i in range(12)]
    svg = maps.map_svg(crowd, "地图")
    numbers = re.findall(r'<text class="dm-n"[^>]*>(\d+)</text>', svg)
    assert numbers and numbers == [str(n) for n in range(1, len(numbers) + 1)]
    for n in numbers:
        assert re.search(rf'<text class="dm-ctx dm-s"[^>]*>{n} 很长很长很长的名字\d+</text>', svg)


def test_the_same_places_give_the_same_bytes_in_another_process():
    code = ("import sys, hashlib; sys.path.insert(0, sys.argv[1]); from tests.test_maps import SHAPES; "
            "from digest import maps; print(hashlib.sha256(''.join(maps.map_svg(p, 't') for p in SHAPES.values())"
            ".encode()).hexdigest())")
    here = __import__("hashlib").sha256("".join(maps.map_svg(p, "t") for p in SHAPES.values()).encode()).hexdigest()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, env=env,
                             check=True, cwd=ROOT)
        assert out.stdout.strip() == here


def test_the_map_data_covers_the_gazetteer_and_each_point_is_in_its_frame():
    data = maps.map_data()
    for level, least in (("province", 1.0), ("prefecture", 0.99), ("county", 0.99)):
        wanted = [p for p in gazetteer.load().places if p.level == level]
        assert sum((level, p.code) in data for p in wanted) >= least * len(wanted)
    for (level, code), d in data.items():
        west, south, east, north = d.frame
        assert 73 < west <= d.lon <= east < 136 and 17 < south <= d.lat <= north < 54, (level, code)
    assert ("county", "540581") not in data and ("prefecture", "460300") not in data  # left out: docs/data.md


# --- the tool that made the data: its rules, without the source package ----------------------------

def load_tool():
    spec = importlib.util.spec_from_file_location("make_map_data", ROOT / "tools" / "make_map_data.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_tool_matches_source_units_by_code_then_by_name_within_the_prefecture():
    tool = load_tool()
    unit = tool.SourceUnit
    units = [unit("prefecture", "110100", "北京市", "a"),  # a municipality's city
             unit("county", "431121", "祁阳市", "b"),  # an old code for 431181
             unit("county", "441900", "东莞市", "c"),  # a prefecture without counties, repeated
             unit("county", "460301", "西沙区", "d"),  # renamed
             unit("province", "710000", "台湾省", "e")]
    found, left = tool.match_units(units, gazetteer.load().places)
    assert {key: u.path for key, u in found.items()} == {
        ("prefecture", "110000"): "a", ("county", "431181"): "b", ("county", "460321"): "d"}
    assert [u.path for u in left] == ["e"]


def test_the_tool_puts_a_city_on_its_smallest_district_unless_told_its_seat():
    tool = load_tool()

    def shape(area):
        return tool.Shape((area, area), (0, 0, 1, 1), area)

    nanjing = division("320100", "prefecture")
    counties = children("320100", "county")
    shapes = {("county", c.code): shape(10 + i) for i, c in enumerate(counties)}
    shapes["county", "320104"] = shape(1)  # 秦淮区
    assert tool.seat_of(nanjing, counties, shapes) is shapes["county", "320104"]
    chengde = division("130800", "prefecture")
    counties = children("130800", "county")
    shapes = {("county", c.code): shape(10 + i) for i, c in enumerate(counties)}
    shapes["county", "130804"] = shape(1)  # 鹰手营子矿区: small, but not the seat
    assert tool.seat_of(chengde, counties, shapes) is shapes["county", tool.SEATS["130800"]]
    yanbian = division("222400", "prefecture")
    counties = children("222400", "county")
    shapes = {("county", c.code): shape(10 - i) for i, c in enumerate(counties)}
    assert tool.seat_of(yanbian, counties, shapes) is shapes["county", "222401"]  # 延吉市, the first city


# --- in a browser: real fonts, real accessibility tree ----------------------------------------------

MEASURE = """(i) => {
    const svg = document.querySelectorAll('svg.digest-map')[i], vb = svg.viewBox.baseVal;
    const box = (e) => { const b = e.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; };
    return {view: [vb.x, vb.y, vb.x + vb.width, vb.y + vb.height],
            markers: [...svg.querySelectorAll('a.dm-place .dm-m')].map(box),
            labels: [...svg.querySelectorAll('a.dm-place text, text.dm-ctx')].map(box)};
}"""


def overlap(a, b) -> float:
    """How far two boxes reach into each other (0 when apart)."""
    return max(0.0, min(min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])))


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not __import__("shutil").which("chromium"), reason="Debian's chromium is needed")
def test_in_chromium_markers_are_inside_labels_clear_names_right_and_axe_content():
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    from .test_browser import AXE_JS, CHROMIUM_ARGS

    css = (ROOT / "templates" / "static" / "style.css").read_text(encoding="utf-8")
    figures = "".join(f"<figure>{maps.map_svg(places, shape)}</figure>" for shape, places in SHAPES.items())
    html = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>maps</title><style>{css}</style>'
            f"</head><body><main><h1>maps</h1>{figures}</main></body></html>")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        errors = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.set_content(html)
        for i, places in enumerate(SHAPES.values()):
            got = page.evaluate(MEASURE, i)
            view = got["view"]
            assert all(view[0] <= m[0] and m[2] <= view[2] and view[1] <= m[1] and m[3] <= view[3]
                       for m in got["markers"])
            for a, b in itertools.combinations(got["labels"], 2):
                assert overlap(a, b) <= 1, (a, b)
            for label, marker in itertools.product(got["labels"], got["markers"]):
                assert overlap(label, marker) <= 1, (label, marker)
            figure = page.locator("figure").nth(i)
            for place in places:
                assert figure.get_by_role("link", name=place.name, exact=True).count() == 1
        page.add_script_tag(path=str(AXE_JS))
        result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})""")
        browser.close()
    assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
    assert errors == []
