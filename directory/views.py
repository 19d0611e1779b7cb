"""The public directory: search, the map, one listing's page, and the results as CSV.

No sign-in is needed. Nothing here writes: a visitor's search is not stored or audited
(it is public information, and a consumer's ZIP code is theirs).
"""

import csv

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from assister_portal.lib.spreadsheets import formula_safe

from . import maps, selectors
from .forms import SearchForm

# A CSV is for a community organization's own list, not a copy of the whole directory.
CSV_LIMIT = 2000
# Far past the last page of any search; keeps the offset a small number.
MAX_PAGE = 100_000


def _asked_page(request) -> tuple[str, int | None]:
    """The page number asked for, as typed and as a number (None if it is not a page number)."""
    asked = request.GET.get("page", "1")
    try:
        number = int(asked)
    except ValueError:
        return asked, None
    if number < 1:
        return asked, None
    return asked, min(number, MAX_PAGE)


def _page(asked: str, number: int | None, results: selectors.Results):
    """The requested page; a bad or out-of-range number gives the nearest page and says so."""
    paginator = Paginator(results, selectors.PAGE_SIZE)
    notice = ""
    if number is None:
        number = 1
        notice = _("“%(page)s” is not a page number, so this is the first page.") % {"page": asked[:10]}
    elif number > paginator.num_pages:
        if paginator.count:
            notice = _("There is no page %(page)s, so this is the last page, %(last)d.") % {
                "page": asked[:10],
                "last": paginator.num_pages,
            }
        number = paginator.num_pages
    page = paginator.page(number)
    page_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page, page_range, notice


@require_safe
def search(request):
    """The search page. Without a query string it shows the form and the county map only: a list
    of everyone in the state, by name, helps no one, and it is the most expensive search."""
    form = SearchForm(request.GET or None)
    context = {"form": form, "page": None, "notice": ""}
    if form.is_bound and form.searched and form.is_valid():
        criteria = form.criteria()
        asked, number = _asked_page(request)
        found = selectors.search(criteria, page=number or 1)
        page, page_range, notice = _page(asked, number, found.results)
        context |= {
            "criteria": criteria,
            "total": found.total,
            "page": page,
            "page_range": page_range,
            "notice": notice,
            "map": maps.build(criteria=criteria, clusters=found.clusters, params=request.GET),
            "csv_query": maps.query_with(request.GET),
        }
    else:
        context["map"] = maps.build(criteria=None, clusters=[], params=request.GET)
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "directory/search.html#results" if partial else "directory/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
def map_svg(request):
    """The map alone, as an SVG image (to print, or to put on a community organization's page)."""
    form = SearchForm(request.GET or None)
    criteria = form.criteria() if form.is_bound and form.is_valid() else selectors.Criteria()
    clusters = selectors.search(criteria, per_page=0).clusters
    context = {"map": maps.build(criteria=criteria, clusters=clusters, params=request.GET, image=True)}
    return render(request, "directory/map.svg", context, content_type="image/svg+xml; charset=utf-8")


@require_safe
def results_csv(request):
    form = SearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        errors = [f"{form.fields[name].label}: {' '.join(messages)}" for name, messages in form.errors.items()]
        return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")
    criteria = form.criteria() if form.is_bound else selectors.Criteria()
    rows = selectors.all_matches(criteria, CSV_LIMIT)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mnsure-assisters.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Name"),
            _("Kind"),
            _("Assister ID"),
            _("Agency"),
            _("Distance (miles)"),
            _("Street"),
            _("City"),
            _("State"),
            _("ZIP code"),
            _("Phone"),
            _("Email"),
            _("Website"),
            _("Languages"),
            _("Hours"),
            _("Accepting new clients"),
        ]
    )
    for listing in rows:
        profile = listing.profile
        street, city, state, zip_code = listing.address
        writer.writerow(
            formula_safe(value)
            for value in [
                listing.name,
                listing.kind_label,
                listing.ref if listing.assister else "",
                listing.assister.agency.public_name if listing.assister else "",
                f"{listing.distance:.1f}" if listing.distance is not None else "",
                street,
                city,
                state,
                zip_code,
                listing.phone,
                profile.public_email,
                profile.website,
                "; ".join(language.autonym for language in listing.languages),
                profile.hours,
                _("Yes") if profile.accepting_new_clients else _("No"),
            ]
        )
    return response


@require_safe
def assister_detail(request, assister_id: str):
    listing = selectors.listed_assister(assister_id.upper())
    if listing is None:
        raise Http404(_("No assister with this ID is listed in the directory."))
    context = {
        "listing": listing,
        "disclosures": selectors.current_disclosures(listing.assister),
    }
    return render(request, "directory/listing.html", context)


@require_safe
def agency_detail(request, public_id):
    listing = selectors.listed_agency(public_id)
    if listing is None:
        raise Http404(_("No agency with this ID is listed in the directory."))
    context = {
        "listing": listing,
        "members": selectors.agency_members_listed(listing.agency),
    }
    return render(request, "directory/listing.html", context)
