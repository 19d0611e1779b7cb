"""The server-rendered map: Minnesota's 87 counties, the searched point and the results as markers.

Nothing here contacts a map or tile service: the county outlines are a data file shipped
with the app (core/data/geo/README.md says where they come from).

The SVG elements are written here rather than in a template loop: a map has 87 county
links and up to a few hundred markers, and rendering them element by element through the
template engine cost more than the whole search query.
"""

import functools
import math
from dataclasses import dataclass
from html import escape

from django.http import QueryDict
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import geo

from .selectors import AGENCY, Cluster, Criteria

SINGLE_FILL, CLUSTER_FILL = "#d83933", "#162e51"
COUNTY_FILL, CHOSEN_FILL = "#f0f0f0", "#97d4ea"


@dataclass
class Marker:
    x: float
    y: float
    r: float
    count: int
    href: str
    label: str

    @property
    def fill(self) -> str:
        return CLUSTER_FILL if self.count > 1 else SINGLE_FILL


@dataclass
class Map:
    view_box: str
    caption: str
    counties: SafeString  # a link per county on the page; a titled shape in the image
    markers: SafeString
    origin: tuple[str, str] | None  # formatted for SVG attributes
    radius_px: str | None


def query_with(params: QueryDict, **changes) -> str:
    """The search's query string with some parameters replaced (None drops one) and no page."""
    query = params.copy()
    query.pop("page", None)
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def listing_url(kind: str, ref: str) -> str:
    if kind == AGENCY:
        return reverse("directory:agency", args=[ref])
    return reverse("directory:assister", args=[ref])


def _number(value: float) -> str:
    return f"{value:.1f}"


def _markers(clusters: list[Cluster], params: QueryDict, search_url: str) -> list[Marker]:
    """A marker per cluster: one listing links to its page, several to a 5-mile search around them."""
    zoom = search_url + query_with(params, place=None, radius=None)
    zoom += "" if zoom.endswith("?") else "&"
    open_listing = _("%(name)s: open the listing")
    markers = []
    # North to south, west to east: the order a sighted reader scans the map in.
    for cluster in sorted(clusters, key=lambda c: (c.y, c.x)):
        radius = 7 + 2 * math.log2(cluster.count)
        if cluster.count == 1:
            href = listing_url(cluster.kind, cluster.ref)
            label = open_listing % {"name": cluster.name}
        else:
            href = f"{zoom}place={cluster.zip_code}&radius=5"
            label = ngettext(
                "%(count)d listing near ZIP code %(zip)s: show it",
                "%(count)d listings near ZIP code %(zip)s: show them",
                cluster.count,
            ) % {"count": cluster.count, "zip": cluster.zip_code}
        markers.append(Marker(cluster.x, cluster.y, radius, cluster.count, href, label))
    return markers


def _circle(marker: Marker) -> str:
    """Numbers and fixed colours only: nothing to escape."""
    x, y = _number(marker.x), _number(marker.y)
    circle = (
        f'<circle cx="{x}" cy="{y}" r="{_number(marker.r)}" fill="{marker.fill}" stroke="#ffffff" stroke-width="1.5"/>'
    )
    if marker.count == 1:
        return circle
    return circle + (
        f'<text x="{x}" y="{y}" dy="0.35em" text-anchor="middle" font-size="9" font-family="sans-serif" '
        f'fill="#ffffff" aria-hidden="true">{int(marker.count)}</text>'
    )


@functools.cache
def _escaped_counties() -> list[tuple[str, str, str]]:
    """(FIPS, escaped name, escaped path data) of each county: constants, escaped once per process."""
    return [(c["fips"], escape(c["name"]), escape(c["d"])) for c in geo.county_map()["counties"]]


def _county_links(params: QueryDict, search_url: str, selected: str) -> SafeString:
    """A link per county: to the same search filtered by it (or, for the chosen one, unfiltered)."""
    without_county = escape(search_url + query_with(params, county=None))
    joiner = "" if without_county.endswith("?") else "&amp;"
    show_who = escape(_("%(name)s County: show who serves it"))
    chosen = escape(_("%(name)s County (chosen): show every county"))
    links = []
    for fips, name, d in _escaped_counties():
        if fips == selected:
            href, label, fill, current = without_county, chosen, CHOSEN_FILL, ' aria-current="true"'
        else:
            href, label, fill, current = f"{without_county}{joiner}county={fips}", show_who, COUNTY_FILL, ""
        # Every part is escaped above (the translated label before the name, itself escaped, goes in).
        links.append(
            f'<a class="directory-map__county" href="{href}" aria-label="{label % {"name": name}}"{current}>'
            f'<title>{name}</title><path d="{d}" fill="{fill}" stroke="#71767a" stroke-width="0.6"/></a>'
        )
    return SafeString("".join(links))


def _county_shapes(selected: str) -> SafeString:
    return SafeString(
        "".join(
            f'<path d="{d}" fill="{CHOSEN_FILL if fips == selected else COUNTY_FILL}" stroke="#71767a" '
            f'stroke-width="0.6"><title>{name}</title></path>'
            for fips, name, d in _escaped_counties()
        )
    )


def build(*, criteria: Criteria | None, clusters: list[Cluster], params: QueryDict, image: bool = False) -> Map:
    """The map for the search page (counties and markers are links) or, with `image`, as a picture."""
    data = geo.county_map()
    search_url = reverse("directory:search")
    selected = criteria.county if criteria else ""
    markers = _markers(clusters, params, search_url)
    if image:
        counties = _county_shapes(selected)
        marker_svg = "".join(f"<g><title>{escape(m.label)}</title>{_circle(m)}</g>" for m in markers)
    else:
        counties = _county_links(params, search_url, selected)
        marker_svg = "".join(
            f'<a class="directory-map__marker" href="{escape(m.href)}" aria-label="{escape(m.label)}">'
            f"<title>{escape(m.label)}</title>{_circle(m)}</a>"
            for m in markers
        )
    origin = radius_px = None
    if criteria and criteria.place:
        x, y = geo.project(criteria.place.latitude, criteria.place.longitude)
        origin = (_number(x), _number(y))
        radius_px = _number(geo.miles_to_px(criteria.radius))
    total = sum(c.count for c in clusters)
    caption = " ".join(
        [
            ngettext(
                "Map of Minnesota's counties with %(total)d listing.",
                "Map of Minnesota's counties with %(total)d listings.",
                total,
            )
            % {"total": total},
            ngettext("They are shown as %(markers)d marker.", "They are shown as %(markers)d markers.", len(markers))
            % {"markers": len(markers)},
        ]
    )
    return Map(
        view_box=" ".join(str(v) for v in data["view_box"]),
        caption=caption,
        counties=counties,
        markers=SafeString(marker_svg),  # every text in it escaped above
        origin=origin,
        radius_px=radius_px,
    )
