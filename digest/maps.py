"""Maps: an inline SVG that locates places as linked, named markers over a neutral frame.

Markers only: no outline, border, coast or sea of any kind is drawn (docs/data.md says why).  Where a
place is comes from digest/data/map.tsv, one point and one frame per division (made by
tools/make_map_data.py), read once per process.  The frame follows the places: one city's districts,
one province's prefectures, or several provinces; unmarked neighbours (the city's other districts, the
province's other cities, provincial capitals) are drawn as small grey dots for orientation.

Pure: places in, SVG text out, the same places giving the same bytes.  Nothing here reads content or
knows about pages; the caller gives each place its link and colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape
from importlib import resources
from typing import NamedTuple, Sequence

from . import gazetteer

MARKER = 6.0
"""Marker radius, px of the viewBox."""
GAP = 1.5
"""Least space between two markers once they are pushed apart."""
FONT = 13
CONTEXT_FONT = 11
PAD = 28
"""Room around the frame's places for markers and labels."""
SCALE_STRIP = 26
"""Height of the strip under the map that holds the scale bar."""
LEGEND_LINE = 18
MIN_SPAN = 0.4
"""Degrees: the least extent of a frame, so two neighbouring counties are not drawn a page apart."""
TEXTURE_MOST = 600
MARGIN = 0.06
"""Share of a frame added around it, so the outermost places are not on its edge."""
STYLE = (
    "svg.digest-map{max-width:100%;height:auto}"
    ".digest-map .dm-frame{fill:var(--card,#fff);stroke:var(--line,#d8dee4)}"
    f".digest-map text{{font-size:{FONT}px;text-anchor:middle;fill:var(--fg,#1f2328);paint-order:stroke;"
    "stroke:var(--card,#fff);stroke-width:3px;stroke-linejoin:round}.digest-map .dm-s{text-anchor:start}"
    f".digest-map .dm-ctx{{fill:var(--muted,#57606a)}}.digest-map text.dm-ctx{{font-size:{CONTEXT_FONT}px}}"
    ".digest-map .dm-bg{fill:none;stroke:var(--line,#d8dee4);stroke-width:3px;stroke-linecap:round}"
    ".digest-map .dm-ld{fill:none;stroke:var(--muted,#57606a);stroke-width:.8px}"
    ".digest-map .dm-m{stroke:#fff;stroke-width:1.5px}"
    ".digest-map text.dm-n{font-size:9px;font-weight:700;fill:#fff;stroke:none}"
    ".digest-map a:hover .dm-m,.digest-map a:focus .dm-m{stroke:var(--fg,#1f2328);stroke-width:2.5px}"
)


@dataclass(frozen=True)
class MapPlace:
    code: str
    """Six-digit division code from the gazetteer (Entry.code)."""
    level: str
    """Gazetteer level: province, prefecture, county or zone."""
    name: str
    """Display name: the marker's accessible name."""
    href: str
    """Link target, relative to the page the map is on."""
    color: str
    """Marker colour, e.g. the theme's #1d4e89."""
    label: str = ""
    """Short visible label; defaults to name."""


class Division(NamedTuple):
    """What the map data holds for one division (degrees, GCJ-02)."""

    lon: float
    lat: float
    frame: tuple[float, float, float, float]
    """west, south, east, north."""


Box = tuple[float, float, float, float]


@cache
def map_data() -> dict[tuple[str, str], Division]:
    """(level, code) → Division, from digest/data/map.tsv; read once per process."""
    text = resources.files("digest.data").joinpath("map.tsv").read_text(encoding="utf-8")
    data = {}
    for line in text.splitlines()[3:]:  # two comment lines and the header
        code, level, lon, lat, west, south, east, north = line.split("\t")
        data[level, code] = Division(float(lon), float(lat), (float(west), float(south), float(east), float(north)))
    return data


class Located(NamedTuple):
    """A place the data knows, with where it is and what it belongs to."""

    place: MapPlace
    lon: float
    lat: float
    frame: Box
    prefecture: str
    """Its prefecture's code ('' for a province)."""
    province: str


def locate(place: MapPlace) -> Located | None:
    """Where a place is, or None when the gazetteer or the map data lacks it.  A zone (开发区, 新区) has
    no outline of its own: it stands at its city."""
    gaz = gazetteer.load()
    known = gaz.by_code.get((place.level, place.code))
    if known is None:
        return None
    if place.level == "zone":
        division = map_data().get(("prefecture", known.parent)) or map_data().get(("county", known.parent))
    else:
        division = map_data().get((place.level, place.code))
    if division is None:
        return None
    prefecture = {"province": "", "prefecture": known.code}.get(place.level, known.parent)
    return Located(place, division.lon, division.lat, division.frame, prefecture, known.province)


# --- the frame ----------------------------------------------------------------------------------

class Dot(NamedTuple):
    """An unmarked place drawn for orientation."""

    lon: float
    lat: float
    label: str


class View(NamedTuple):
    box: Box
    context: tuple[tuple[str, Dot], ...]
    """(code, dot) of the places drawn grey for orientation, marked ones included (see place_context)."""
    texture: tuple[tuple[float, float], ...]
    """(lon, lat) of every county of the provinces in question: drawn faint, they show where the
    provinces' towns are without drawing any line."""


def choose_view(located: list[Located]) -> View:
    """The frame and the orientation dots for a set of places: a city's frame when all are in one city
    (its districts, counties and zones), a province's when all are in one province, else the places'
    own frames together; then widened to hold every point."""
    data = map_data()
    prefectures = {loc.prefecture for loc in located}
    provinces = {loc.province for loc in located}
    own = Division(0, 0, union([loc.frame for loc in located]))
    one_city = len(prefectures) == 1 and "" not in prefectures and any(
        loc.place.level in ("county", "zone") for loc in located)
    if one_city:
        (city,) = prefectures
        box, around = data.get(("prefecture", city), own).frame, ("county", "parent", city)
    elif len(provinces) == 1:
        (province,) = provinces
        box, around = data.get(("province", province), own).frame, ("prefecture", "province", province)
    else:
        box, around = own.frame, None
    box = widen(union([box] + [(loc.lon, loc.lat, loc.lon, loc.lat) for loc in located]))
    texture = () if one_city else faint_dots(frozenset(provinces), box)  # a city's districts are its grey dots
    return View(box, orientation_dots(around, box), texture)


@lru_cache(maxsize=4096)
def orientation_dots(around: tuple[str, str, str] | None, box: Box) -> tuple[tuple[str, Dot], ...]:
    """(code, dot) of the places drawn grey for orientation inside `box`: the divisions `around` names
    (level, field, value: a city's districts, a province's cities) and the provincial capitals.  Maps
    of one province or city share their frame, so this is worked out once per frame."""
    data = map_data()
    dots = {}
    for p in (divisions_within(*around[:2], (around[2],)) if around else []) + capitals():
        division = data.get((p.level, p.code))
        if division and inside(division, box):
            dots.setdefault(p.code, Dot(division.lon, division.lat, p.short))
    return tuple(dots.items())


@lru_cache(maxsize=4096)
def faint_dots(provinces: frozenset[str], box: Box) -> tuple[tuple[float, float], ...]:
    """The counties of the provinces in question, or their prefectures when the counties would be more
    than TEXTURE_MOST (a map of half the country would carry a thousand dots)."""
    data = map_data()
    for level in ("county", "prefecture"):
        points = tuple((d.lon, d.lat) for p in divisions_within(level, "province", provinces)
                       if (d := data.get((level, p.code))) and inside(d, box))
        if len(points) <= TEXTURE_MOST:
            break
    return points


def divisions_within(level: str, field: str, values) -> list:
    """The gazetteer's places of `level` whose `field` (parent or province) is one of `values`, in the
    gazetteer's order: looked up in an index made once, since every map asks and the gazetteer holds
    3,000 places."""
    index = _divisions_by(level, field)
    found = sorted(item for value in set(values) for item in index.get(value, ()))
    return [place for _, place in found]


@cache
def _divisions_by(level: str, field: str) -> dict[str, tuple]:
    grouped: dict[str, list] = {}
    for position, p in enumerate(gazetteer.load().places):
        if p.level == level:
            grouped.setdefault(getattr(p, field), []).append((position, p))
    return {key: tuple(places) for key, places in grouped.items()}


@cache
def capitals() -> list:
    """Provincial capitals (the first prefecture of each province by code: NBS codes it xx01) and the
    municipalities, for orientation on maps of one province or several."""
    first = {}
    for p in gazetteer.load().places:
        if p.level == "prefecture":
            first.setdefault(p.province, p)
    return sorted(first.values(), key=lambda p: p.code)


def union(boxes: Sequence[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def widen(box: Box) -> Box:
    """The box with a margin, and at least MIN_SPAN degrees each way."""
    west, south, east, north = box
    half_w = max(east - west, MIN_SPAN) * (0.5 + MARGIN)
    half_h = max(north - south, MIN_SPAN) * (0.5 + MARGIN)
    mid_x, mid_y = (west + east) / 2, (south + north) / 2
    return (mid_x - half_w, mid_y - half_h, mid_x + half_w, mid_y + half_h)


def inside(division: Division, box: Box) -> bool:
    return box[0] <= division.lon <= box[2] and box[1] <= division.lat <= box[3]


# --- projection ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Projection:
    """Equirectangular, longitude scaled by the cosine of the frame's middle latitude: at these extents
    (a city to a few provinces) it keeps shapes and a scale bar honest enough, and it is cheap."""

    scale: float
    """px per degree of latitude."""
    squeeze: float
    left: float
    top: float
    width: int
    height: int
    """Of the map area (the scale strip and any legend come under it)."""

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (self.left + lon * self.squeeze * self.scale, self.top - lat * self.scale)


def fit(box: Box, width: int) -> Projection:
    """The projection that shows `box` in `width` px, between a wide strip and a square."""
    west, south, east, north = box
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x, span_y = (east - west) * squeeze, north - south
    inner = width - 2 * PAD
    scale = min(inner / span_x, inner / span_y)
    height = round(min(max(span_y * scale + 2 * PAD, width * 0.55), width))
    left = width / 2 - (west + east) / 2 * squeeze * scale
    top = height / 2 + (south + north) / 2 * scale
    return Projection(scale, squeeze, left, top, width, height)


# --- markers and labels -------------------------------------------------------------------------

def spread(anchors: list[tuple[float, float]], bounds: Box) -> list[tuple[float, float]]:
    """Markers moved apart until no two overlap (pairwise pushes, a few rounds, kept inside `bounds`).
    Markers on one spot (a city and its zones) part in directions set by their order, so the result is
    the same every time."""
    least = 2 * MARKER + GAP
    pos = [[min(max(x, bounds[0]), bounds[2]), min(max(y, bounds[1]), bounds[3])] for x, y in anchors]
    for _ in range(200):
        moved = False
        for i, j in near_pairs(pos, least):
            a, b = pos[i], pos[j]
            dx, dy = b[0] - a[0], b[1] - a[1]
            if dx >= least or dx <= -least or dy >= least or dy <= -least:
                continue  # surely apart: most pairs of a map are, and hypot costs more than this
            apart = math.hypot(dx, dy)
            if apart >= least:
                continue
            if apart < 1e-6:
                angle = (i * 7 + j) * 2.399963  # the golden angle
                dx, dy, apart = math.cos(angle), math.sin(angle), 1.0
            push = (least - apart) / 2 + 0.05
            a[0] -= dx / apart * push
            a[1] -= dy / apart * push
            b[0] += dx / apart * push
            b[1] += dy / apart * push
            moved = True
        for p in pos:
            p[0], p[1] = min(max(p[0], bounds[0]), bounds[2]), min(max(p[1], bounds[1]), bounds[3])
        if not moved:
            break
    return [(x, y) for x, y in pos]


GRID_FROM = 24
"""Markers from which spread looks for close pairs in a grid rather than among all pairs."""


def near_pairs(pos: list[list[float]], least: float):
    """The pairs (i < j, in order) of markers that may be closer than `least`: every pair for a few
    markers; for many (the cities page's maps hold hundreds), those in neighbouring cells of a grid
    of `least`-wide cells as the round starts.  A pair that comes close during a round is found in
    the next, and the last round moves nothing, so none is missed."""
    count = len(pos)
    if count < GRID_FROM:
        return ((i, j) for i in range(count) for j in range(i + 1, count))
    cells: dict[tuple[int, int], list[int]] = {}
    for k, (x, y) in enumerate(pos):
        cells.setdefault((math.floor(x / least), math.floor(y / least)), []).append(k)
    pairs = []
    for (cx, cy), members in cells.items():
        pairs += [(i, j) for n, i in enumerate(members) for j in members[n + 1:]]
        for near in ((cx + 1, cy - 1), (cx + 1, cy), (cx + 1, cy + 1), (cx, cy + 1)):  # each pair of cells once
            pairs += [(min(i, j), max(i, j)) for i in members for j in cells.get(near, ())]
    return sorted(pairs)


def text_width(text: str, size: float) -> float:
    """Width of a label: Chinese characters are one em, Latin letters and digits about six tenths."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


DIRECTIONS = ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (1, 1), (-1, -1), (-1, 1))
"""Where a label may go around its marker, in order of preference: right, left, above, below, then
the corners."""


def label_box(x: float, y: float, size: tuple[float, float], direction: tuple[int, int], gap: float,
              radius: float) -> Box:
    """The box of a label of `size` put in `direction` of a marker at (x, y), `gap` px from its edge."""
    w, h = size
    dx, dy = direction
    reach = radius + gap if 0 in direction else radius * 0.7 + gap
    cx = x + dx * (reach + w / 2)
    cy = y + dy * (reach + h / 2)
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def find_spot(x: float, y: float, size: tuple[float, float], gaps: Sequence[float], radius: float,
              bounds: Box, taken: Taken) -> tuple[Box, bool] | None:
    """The first box around (x, y) that stays in bounds and meets nothing taken, and whether it is far
    enough out to need a leader line; None when none fits."""
    for ring, gap in enumerate(gaps):
        for direction in DIRECTIONS:
            box = label_box(x, y, size, direction, gap, radius)
            if box[0] < bounds[0] or box[1] < bounds[1] or box[2] > bounds[2] or box[3] > bounds[3]:
                continue
            if taken.clear_of(box):
                return box, ring > 0
    return None


class Taken:
    """The boxes already on a map (markers, labels, dots).  From FILED_FROM boxes on they are also filed
    in a grid of CELL px squares: each label tries up to 24 boxes against what is taken, and a map of a
    hundred places holds hundreds."""

    CELL = 48.0
    FILED_FROM = 48

    def __init__(self, boxes=()):
        self.boxes: list[Box] = []
        self.cells: dict[tuple[int, int], list[Box]] | None = None
        for box in boxes:
            self.add(box)

    def _keys(self, box: Box):
        size = self.CELL
        return [(cx, cy) for cx in range(math.floor(box[0] / size), math.floor(box[2] / size) + 1)
                for cy in range(math.floor(box[1] / size), math.floor(box[3] / size) + 1)]

    def add(self, box: Box) -> None:
        self.boxes.append(box)
        if self.cells is None and len(self.boxes) >= self.FILED_FROM:
            self.cells = {}
            filing = self.boxes
        else:
            filing = [box] if self.cells is not None else []
        for each in filing:
            for key in self._keys(each):
                self.cells.setdefault(key, []).append(each)

    def clear_of(self, box: Box) -> bool:
        """Whether `box` meets none of the boxes taken."""
        cells = self.cells
        if cells is None:
            return clear_of(box, self.boxes)
        return all(clear_of(box, cells[key]) for key in self._keys(box) if key in cells)


def clear_of(box: Box, taken: list[Box]) -> bool:
    """Whether `box` meets none of `taken` (written out: labels try every box of a map)."""
    left, top, right, bottom = box
    for other in taken:
        if left < other[2] and other[0] < right and top < other[3] and other[1] < bottom:
            return False
    return True


def circle_box(x: float, y: float, radius: float) -> Box:
    return (x - radius, y - radius, x + radius, y + radius)


class Marker(NamedTuple):
    place: MapPlace
    anchor: tuple[float, float]
    """Where the place is."""
    at: tuple[float, float]
    """Where its marker is drawn, once pushed apart from the others."""
    label: tuple[Box, bool] | None
    """Its label's box and whether it has a leader; None when numbered instead."""


def place_markers(located: list[Located], proj: Projection) -> list[Marker]:
    """Markers spread apart and labelled, prefectures and provinces first; a marker whose label fits
    nowhere is numbered instead (see legend)."""
    edge = MARKER + 2
    anchors = [proj(loc.lon, loc.lat) for loc in located]
    spots = spread(anchors, (edge, edge, proj.width - edge, proj.height - edge))
    taken = Taken(circle_box(x, y, MARKER + 1) for x, y in spots)
    labels: dict[int, tuple[Box, bool] | None] = {}
    order = sorted(range(len(located)), key=lambda i: located[i].place.level in ("county", "zone"))
    for i in order:
        text = located[i].place.label or located[i].place.name
        size = (text_width(text, FONT) + 2, FONT + 3)
        spot = find_spot(*spots[i], size, (3, 12, 24), MARKER, (2, 2, proj.width - 2, proj.height - 2), taken)
        labels[i] = spot
        if spot:
            taken.add(spot[0])
    return [Marker(loc.place, anchors[i], spots[i], labels[i]) for i, loc in enumerate(located)]


class ContextDot(NamedTuple):
    """An orientation dot as drawn: where, its label's box (None when it has no room), its text and
    the code of its place."""

    x: float
    y: float
    label: Box | None
    text: str
    code: str


def place_context(view: View, proj: Projection, markers: list[Marker]) -> list[ContextDot]:
    """The orientation dots that stay clear of every marker and label, each with its label's box where
    one fits (None where it does not).  Where the dots and their labels go among themselves is worked
    out once per frame (context_layout); here the places marked and the dots a marker covers are left
    out, and a label a marker covers looks for another spot."""
    marks = [circle_box(*m.at, MARKER + 3) for m in markers] + [m.label[0] for m in markers if m.label]
    marked = {m.place.code for m in markers}
    kept = [dot for dot in context_layout(view.context, proj)
            if dot.code not in marked and clear_of(circle_box(dot.x, dot.y, 2.5), marks)]
    moved = [dot.label is not None and not clear_of(dot.label, marks) for dot in kept]
    if not any(moved):
        return kept
    taken = Taken(marks + [circle_box(dot.x, dot.y, 3) for dot in kept]
                  + [dot.label for dot, away in zip(kept, moved) if dot.label and not away])
    placed = []
    for dot, away in zip(kept, moved):
        if away:
            spot = find_spot(dot.x, dot.y, _context_size(dot.text), (2,), 2.5, _inner(proj), taken)
            dot = dot._replace(label=spot[0] if spot else None)
            if spot:
                taken.add(spot[0])
        placed.append(dot)
    return placed


@lru_cache(maxsize=512)
def context_layout(context: tuple[tuple[str, Dot], ...], proj: Projection) -> tuple[ContextDot, ...]:
    """The dots inside the map, each labelled where its label meets no other dot or label."""
    inner = _inner(proj)
    kept = []
    for code, dot in context:
        x, y = proj(dot.lon, dot.lat)
        box = circle_box(x, y, 2.5)
        if inner[0] <= box[0] and inner[1] <= box[1] and box[2] <= inner[2] and box[3] <= inner[3]:
            kept.append((x, y, dot.label, code))
    taken = Taken(circle_box(x, y, 3) for x, y, _, _ in kept)
    placed = []
    for x, y, text, code in kept:
        spot = find_spot(x, y, _context_size(text), (2,), 2.5, inner, taken)
        if spot:
            taken.add(spot[0])
        placed.append(ContextDot(x, y, spot[0] if spot else None, text, code))
    return tuple(placed)


def _inner(proj: Projection) -> Box:
    return (2, 2, proj.width - 2, proj.height - 2)


def _context_size(text: str) -> tuple[float, float]:
    return (text_width(text, CONTEXT_FONT) + 2, CONTEXT_FONT + 2)


def num(value: float) -> str:
    """A coordinate to a tenth of a px, as short as SVG allows."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def marker_svg(marker: Marker, number: int | None) -> str:
    """One place: a link named after it, holding its marker, its label (or number) and, when pushed
    away from where it is, a leader line to a dot on the spot."""
    place = marker.place
    name = escape(place.name)
    (ax, ay), (x, y) = marker.anchor, marker.at
    parts = [f'<a class="dm-place" href="{escape(place.href)}" aria-label="{name}" '
             f'data-code="{escape(place.code)}" data-level="{escape(place.level)}"><title>{name}</title>']
    if math.hypot(x - ax, y - ay) > MARKER / 2:
        parts.append(f'<path class="dm-ld" d="M{num(ax)} {num(ay)}L{num(x)} {num(y)}"/>'
                     f'<circle cx="{num(ax)}" cy="{num(ay)}" r="1.8" fill="{escape(place.color)}"/>')
    parts.append(f'<circle class="dm-m" cx="{num(x)}" cy="{num(y)}" r="{num(MARKER)}" fill="{escape(place.color)}"/>')
    if marker.label:
        box, leader = marker.label
        if leader:
            ex, ey = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
            parts.append(f'<path class="dm-ld" d="M{num(x)} {num(y)}L{num(ex)} {num(ey)}"/>')
        text = escape(place.label or place.name)
        parts.append(f'<text x="{num((box[0] + box[2]) / 2)}" y="{num((box[1] + box[3]) / 2 + FONT * 0.36)}">'
                     f'{text}</text>')
    else:
        parts.append(f'<text class="dm-n" x="{num(x)}" y="{num(y + 3.2)}">{number}</text>')
    return "".join(parts) + "</a>"


@lru_cache(maxsize=128)
def texture_svg(texture: tuple[tuple[float, float], ...], proj: Projection) -> str:
    """The faint county dots, as one path of zero-length round-capped strokes (a few bytes a dot)."""
    if not texture:
        return ""
    dots = "".join(f"M{num(x)} {num(y)}h0" for x, y in (proj(lon, lat) for lon, lat in texture))
    return f'<path class="dm-bg" d="{dots}"/>'


def context_svg(placed: list[ContextDot]) -> str:
    return "".join(_context_dot_svg(dot.x, dot.y, dot.label, dot.text) for dot in placed)


@lru_cache(maxsize=2048)
def _context_dot_svg(x: float, y: float, label: Box | None, text: str) -> str:
    svg = f'<circle class="dm-ctx" cx="{num(x)}" cy="{num(y)}" r="2.5"/>'
    if label:
        svg += (f'<text class="dm-ctx" x="{num((label[0] + label[2]) / 2)}" '
                f'y="{num((label[1] + label[3]) / 2 + CONTEXT_FONT * 0.36)}">{escape(text)}</text>')
    return svg


def scale_bar(proj: Projection, y: float) -> str:
    """A bar of a round number of kilometres, at most a fifth of the width."""
    km_per_px = 111.32 / proj.scale
    most = proj.width / 5 * km_per_px
    step = 10 ** math.floor(math.log10(most))
    km = max(k * step for k in (1, 2, 5) if k * step <= most)
    length = km / km_per_px
    x = PAD / 2
    label = f"{km:g} 公里"
    return (f'<path class="dm-ld" d="M{num(x)} {num(y - 4)}v4h{num(length)}v-4"/>'
            f'<text class="dm-ctx dm-s" x="{num(x + length + 6)}" y="{num(y + 1)}">{escape(label)}</text>')


def legend_rows(markers: list[Marker], numbers: dict[int, int], width: int) -> list[list[tuple[int, str]]]:
    """The numbered places' names, as many to a line as fit."""
    rows: list[list[tuple[int, str]]] = []
    used = width
    for i, marker in enumerate(markers):
        if i not in numbers:
            continue
        item = f"{numbers[i]} {marker.place.label or marker.place.name}"
        size = text_width(item, CONTEXT_FONT) + 16
        if used + size > width - PAD:
            rows.append([])
            used = PAD / 2
        rows[-1].append((round(used), item))
        used += size
    return rows


def map_svg(places: Sequence[MapPlace], title: str, *, width: int = 640) -> str:
    """An inline <svg> locating `places`: each a linked marker named after the place, in its colour,
    pushed apart from the others, labelled where the label fits and numbered (with a legend line under
    the map) where it does not; the frame follows the places.  Places the data lacks are left out
    (the page lists every place beside the map anyway); '' when it lacks them all."""
    located = [loc for loc in map(locate, places) if loc is not None]
    if not located:
        return ""
    view = choose_view(located)
    proj = fit(view.box, width)
    markers = place_markers(located, proj)
    numbers = {i: n for n, i in enumerate((i for i, m in enumerate(markers) if m.label is None), start=1)}
    rows = legend_rows(markers, numbers, width)
    height = proj.height + len(rows) * LEGEND_LINE + SCALE_STRIP
    legend = "".join(f'<text class="dm-ctx dm-s" x="{x}" y="{proj.height + (r + 1) * LEGEND_LINE - 4}">'
                     f'{escape(item)}</text>' for r, row in enumerate(rows) for x, item in row)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="digest-map" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="group" aria-label="{escape(title)}">'
            f'<style>{STYLE}</style><g aria-hidden="true">'
            f'<rect class="dm-frame" x=".5" y=".5" width="{width - 1}" height="{height - 1}" rx="6"/>'
            f'{texture_svg(view.texture, proj)}{context_svg(place_context(view, proj, markers))}{legend}{scale_bar(proj, height - 9)}</g>'
            + "".join(marker_svg(m, numbers.get(i)) for i, m in enumerate(markers)) + "</svg>")


def place_count_drawn(svg: str) -> int:
    """How many places a map drew (for tests and checks)."""
    return svg.count('<a class="dm-place"')
