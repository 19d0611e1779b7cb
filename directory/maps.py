"""The server-rendered map: Minnesota's 87 counties, the searched point and the results as markers.

Nothing here contacts a map or tile service: the county outlines are a data file shipped
with the app (directory/data/README.md says where they come from).
"""

import math
from dataclasses import dataclass

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import geo
from .selectors import AGENCY, Cluster, Criteria


@dataclass
class Marker:
    x: float
    y: float
    r: float
    count: int
    href: str
    label: str


@dataclass
class CountyShape:
    fips: str
    name: str
    d: str
    href: str
    selected: bool


@dataclass
class Map:
    view_box: str
    counties: list[CountyShape]
    markers: list[Marker]
    origin: tuple[float, float] | None
    radius_px: float | None
    caption: str


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


def _marker(cluster: Cluster, params: QueryDict, search_url: str) -> Marker:
    radius = 7 + 2 * math.log2(cluster.count)
    if cluster.count == 1:
        label = _("%(name)s: open the listing") % {"name": cluster.name}
        return Marker(cluster.x, cluster.y, radius, 1, listing_url(cluster.kind, cluster.ref), label)
    label = ngettext(
        "%(count)d listing near ZIP code %(zip)s: show it",
        "%(count)d listings near ZIP code %(zip)s: show them",
        cluster.count,
    ) % {"count": cluster.count, "zip": cluster.zip_code}
    href = search_url + query_with(params, place=cluster.zip_code, radius="5")
    return Marker(cluster.x, cluster.y, radius, cluster.count, href, label)


def build(*, criteria: Criteria | None, clusters: list[Cluster], params: QueryDict) -> Map:
    data = geo.county_map()
    search_url = reverse("directory:search")
    selected = criteria.county if criteria else ""
    counties = [
        CountyShape(
            fips=c["fips"],
            name=c["name"],
            d=c["d"],
            href=search_url + query_with(params, county=None if c["fips"] == selected else c["fips"]),
            selected=c["fips"] == selected,
        )
        for c in data["counties"]
    ]
    # North to south, west to east: the order a sighted reader scans the map in.
    markers = [_marker(cluster, params, search_url) for cluster in sorted(clusters, key=lambda c: (c.y, c.x))]
    origin = radius_px = None
    if criteria and criteria.place:
        origin = geo.project(criteria.place.latitude, criteria.place.longitude)
        radius_px = geo.miles_to_px(criteria.radius)
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
        counties=counties,
        markers=markers,
        origin=origin,
        radius_px=radius_px,
        caption=caption,
    )
