"""The assister's dashboard: the book of clients (`associations.selectors.client_book`) with each client's
current application — coverage year, status, determination (programs, monthly credit) and the next step —
filtered and sorted by application status (issue 12). It lives here because it reads applications, which sit
above associations (DESIGN §2); its URL keeps the name `clients:dashboard`."""

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from accounts.models import Role
from assister_portal.lib.roles import role_required
from associations import selectors as book
from associations.assister_views import BOOK_ROLES, audit_list, paginate
from associations.models import AssociationStatus
from certification.selectors import assister_may_act
from clients.selectors import power_labels

from . import hooks, selectors
from .forms import ApplicationBookSearchForm


def book_columns() -> list[hooks.BookColumn]:
    """The columns higher apps add to the book (`hooks.book_columns`), asked once per request."""
    return [column for found in hooks.book_columns.send() for column in found or ()]


def book_form(request, columns) -> ApplicationBookSearchForm:
    """The dashboard's search, filters and sort from the query string (the export reads the same one)."""
    return ApplicationBookSearchForm(request.GET, agency_staff=book.is_agency_staff(request.user), columns=columns)


def export_query(request) -> str:
    """The dashboard's query string without the page number: the export takes every page of the same search."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def may_see_book(user) -> bool:
    """Agency staff always; an assister only while they may act for clients (certified today)."""
    return user.role != Role.ASSISTER or assister_may_act(user)


def book_queryset(user, form: ApplicationBookSearchForm, columns) -> QuerySet:
    """The book as the dashboard lists it for a valid `form`: the clients the user may view, narrowed by the book's
    filters and the application status, each client's current application and the columns' annotations, filtered
    by the columns' choices and sorted as asked. One statement (the dashboard pages it, the export streams it)."""
    data = dict(form.cleaned_data)
    application_status = data.pop("application_status", "")
    chosen = {column.name: data.pop(column.name, "") for column in columns}
    sort = data["sort"]
    column_sort = next((c for c in columns if c.order and sort in dict(c.sorts)), None)
    if sort.lstrip("-") == "application" or column_sort:
        data["sort"] = book.DEFAULT_SORT
    queryset = selectors.with_current_application(
        book.client_book(user, book.BookFilters(**data)), status=application_status, sort=sort
    )
    for column in columns:
        queryset = column.annotate(queryset)
        if chosen[column.name]:
            queryset = column.filter(queryset, chosen[column.name])
    if column_sort:
        queryset = column_sort.order(queryset, sort)
    return queryset


@login_required
@role_required(*BOOK_ROLES)
@require_safe
def dashboard(request):
    user = request.user
    agency_staff = book.is_agency_staff(user)
    may_act = may_see_book(user)
    columns = book_columns()
    form = book_form(request, columns)
    page, page_range, rows = None, [], []
    if may_act and form.is_valid():
        page, page_range = paginate(request, book_queryset(user, form, columns))
        rows = list(page.object_list)
        for row in rows:
            row.power_labels = power_labels(row.powers)
            row.next_step = next(
                (step for column in columns if column.next_step and (step := column.next_step(row))),
                selectors.NEXT_STEPS.get(row.application_status, "start"),
            )
        audit_list(request, [row.client for row in rows], "dashboard")
    sort = form.cleaned_data.get("sort", book.DEFAULT_SORT) if form.is_valid() else book.DEFAULT_SORT
    context = {
        "form": form,
        "page": page,
        "page_range": page_range,
        "rows": rows,
        "may_act": may_act,
        "columns": columns,
        "agency_staff": agency_staff,
        "sort_field": sort.lstrip("-"),
        "sort_descending": sort.startswith("-"),
        "export_query": export_query(request),
        "filtered": form.is_valid()
        and (
            any(
                form.cleaned_data.get(f)
                for f in (
                    "name",
                    "date_of_birth",
                    "client_id",
                    "kind",
                    "application_status",
                    *(c.name for c in columns),
                )
            )
            or form.cleaned_data.get("status", AssociationStatus.ACTIVE) != AssociationStatus.ACTIVE
        ),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "clients/dashboard.html#results" if partial else "clients/dashboard.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
