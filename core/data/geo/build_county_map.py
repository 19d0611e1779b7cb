"""Build the directory's Minnesota county map (SVG paths) from us-atlas's counties-10m.json.

Run by hand (see README.md in this folder); us-atlas is not a project dependency:

    npm install --no-save us-atlas@3.0.1   # into node_modules/, which git ignores
    .venv/bin/python core/data/geo/build_county_map.py [path/to/counties-10m.json]

Writes mn_county_map.json next to this script: an SVG view box, the projection used (so the
app can place points with core.geo.project), and each county's outline as a path.

Steps: decode the TopoJSON arcs (quantized, delta-encoded), keep the arcs Minnesota's counties
use, project them with an equirectangular projection corrected for Minnesota's middle latitude,
simplify each arc on its own (so two counties' shared border stays identical), and stitch
each county's rings from its arcs.
"""

import argparse
import csv
import json
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COUNTIES_CSV = HERE.parent / "mn_counties.csv"
OUTPUT = HERE / "mn_county_map.json"

STATE_FIPS = "27"
REFERENCE_LATITUDE = 46.3  # about Minnesota's middle; sets the east–west scale
WIDTH = 560  # px, including padding
PAD = 10  # px on every side
TOLERANCE = 0.6  # px; Douglas–Peucker tolerance
SOURCE = (
    "U.S. Census Bureau cartographic boundary files, 2017 (1:10,000,000), as TopoJSON in us-atlas 3.0.1 "
    "(counties-10m.json); public domain"
)


def decode_arcs(topology: dict, wanted: set[int]) -> dict[int, list[tuple[float, float]]]:
    """Return {arc index: [(lon, lat), ...]} for the wanted arcs, undoing quantization."""
    transform = topology.get("transform")
    arcs = {}
    for index in wanted:
        points = []
        x = y = 0
        for position in topology["arcs"][index]:
            if transform:
                x += position[0]  # delta-encoded: each position is relative to the previous one
                y += position[1]
                sx, sy = transform["scale"]
                tx, ty = transform["translate"]
                points.append((x * sx + tx, y * sy + ty))
            else:
                points.append((position[0], position[1]))
        arcs[index] = points
    return arcs


def polygons_of(geometry: dict) -> list[list[list[int]]]:
    """A geometry's polygons, each a list of rings, each a list of arc indexes."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    raise ValueError(f"unexpected geometry type {geometry['type']} for {geometry.get('id')}")


def arc_index(reference: int) -> int:
    """TopoJSON writes a reversed arc i as ~i (that is, -i - 1)."""
    return reference if reference >= 0 else ~reference


def perpendicular_distance(point, start, end) -> float:
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    length = math.hypot(dx, dy)
    if length == 0:
        return math.hypot(px - ax, py - ay)
    return abs(dy * px - dx * py + bx * ay - by * ax) / length


def douglas_peucker(points: list, tolerance: float) -> list:
    """Simplify an open polyline, always keeping its two end points (iterative, no recursion limit)."""
    if len(points) < 3:
        return list(points)
    if points[0] == points[-1]:
        # A closed arc (a ring made of one arc): split it at the point farthest from its start.
        far = max(range(1, len(points) - 1), key=lambda i: math.dist(points[0], points[i]))
        first = douglas_peucker(points[: far + 1], tolerance)
        return first[:-1] + douglas_peucker(points[far:], tolerance)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, best_distance = None, tolerance
        for i in range(first + 1, last):
            distance = perpendicular_distance(points[i], points[first], points[last])
            if distance > best_distance:
                best, best_distance = i, distance
        if best is not None:
            keep[best] = True
            stack.append((first, best))
            stack.append((best, last))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def ring_area_and_centroid(ring: list) -> tuple[float, float, float]:
    """Signed area (shoelace) and area centroid of a closed ring given without its repeated end point."""
    area2 = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area2 += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area2 == 0:
        xs, ys = zip(*ring, strict=True)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return area2 / 2, cx / (3 * area2), cy / (3 * area2)


def number(value: float) -> str:
    text = f"{value:.1f}"
    text = text.removesuffix(".0")
    return "0" if text == "-0" else text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topojson", nargs="?", default="node_modules/us-atlas/counties-10m.json")
    args = parser.parse_args()

    topology = json.loads(Path(args.topojson).read_text(encoding="utf-8"))
    assert topology["type"] == "Topology", "not a TopoJSON topology"
    geometries = [g for g in topology["objects"]["counties"]["geometries"] if str(g["id"]).startswith(STATE_FIPS)]

    with COUNTIES_CSV.open(newline="", encoding="utf-8") as f:
        names = {row["fips"]: row["name"] for row in csv.DictReader(f)}
    found = [g["id"] for g in geometries]
    assert len(found) == len(set(found)), "a county appears twice"
    assert set(found) == set(names), f"counties differ from {COUNTIES_CSV}: {sorted(set(found) ^ set(names))}"
    assert len(found) == 87, f"expected Minnesota's 87 counties, found {len(found)}"

    wanted = {arc_index(ref) for g in geometries for polygon in polygons_of(g) for ring in polygon for ref in ring}
    arcs = decode_arcs(topology, wanted)

    lons = [lon for points in arcs.values() for lon, _ in points]
    lats = [lat for points in arcs.values() for _, lat in points]
    # Round the projection's constants first and use the rounded values, so that
    # core.geo.project (which reads them back from the JSON) matches the paths exactly.
    lon_min = math.floor(min(lons) * 1e4) / 1e4
    lat_max = math.ceil(max(lats) * 1e4) / 1e4
    cos_lat = round(math.cos(math.radians(REFERENCE_LATITUDE)), 6)
    k = math.floor((WIDTH - 2 * PAD) / ((max(lons) - lon_min) * cos_lat) * 1e4) / 1e4  # never wider than WIDTH
    height = math.ceil((lat_max - min(lats)) * k + 2 * PAD)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return PAD + (lon - lon_min) * cos_lat * k, PAD + (lat_max - lat) * k

    simplified = {index: douglas_peucker([project(*p) for p in points], TOLERANCE) for index, points in arcs.items()}
    before = sum(len(points) for points in arcs.values())
    after = sum(len(points) for points in simplified.values())

    counties = []
    for geometry in sorted(geometries, key=lambda g: g["id"]):
        commands = []
        largest = None  # (area, label x, label y)
        for polygon in polygons_of(geometry):
            for ring_refs in polygon:
                ring = []
                for ref in ring_refs:
                    points = simplified[arc_index(ref)]
                    if ref < 0:
                        points = points[::-1]
                    ring.extend(points if not ring else points[1:])  # consecutive arcs share an end point
                assert ring[0] == ring[-1], f"ring of {geometry['id']} is not closed"
                ring = [(round(x, 1), round(y, 1)) for x, y in ring[:-1]]
                ring = [p for i, p in enumerate(ring) if p != ring[i - 1]]  # drop repeats made by rounding
                if len(ring) < 3:
                    continue
                area, cx, cy = ring_area_and_centroid(ring)
                if largest is None or abs(area) > largest[0]:
                    largest = (abs(area), cx, cy)
                head, *tail = ring
                commands.append(
                    f"M{number(head[0])},{number(head[1])}L"
                    + " ".join(f"{number(x)},{number(y)}" for x, y in tail)
                    + "Z"
                )
        assert largest is not None, f"county {geometry['id']} has no outline left"
        counties.append(
            {
                "fips": geometry["id"],
                "name": names[geometry["id"]],
                "d": "".join(commands),
                "label_x": round(largest[1], 1),
                "label_y": round(largest[2], 1),
            }
        )

    document = {
        "source": SOURCE,
        "view_box": [0, 0, WIDTH, height],
        "projection": {"lon_min": lon_min, "lat_max": lat_max, "k": k, "cos_lat": cos_lat, "pad": PAD},
        "counties": counties,
    }
    OUTPUT.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(
        f"{OUTPUT.name}: {len(counties)} counties, view box 0 0 {WIDTH} {height}, "
        f"{before} points simplified to {after}, {OUTPUT.stat().st_size} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
