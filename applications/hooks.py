"""Hook points of applications for apps above it (assister_portal/lib/hooks.py explains the pattern)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from assister_portal.lib.hooks import Hook


def _application_submitted(*, application, determination, actor, request) -> int:
    """An application was submitted and determined (called inside the transaction, `actor` submitted it). The
    verifications app's handler checks what the household attested against trusted data sources, opens verification
    requests for what they do not confirm, and returns how many are open: any open request leaves the application
    waiting for documents (`pending_verification`) until `services.application_verified`."""


application_submitted = Hook(_application_submitted)


def _application_withdrawn(*, application, actor, request) -> None:
    """An application was withdrawn (called inside the transaction, the application's row locked): the verifications
    app closes its open requests at once, so no one is asked for documents, reminded or decided on any longer."""


application_withdrawn = Hook(_application_withdrawn)


def _special_enrollments(*, application) -> list:
    """The special enrollment periods open to this application's household (a list of
    `applications.periods.SpecialEnrollment`), asked when a plan is chosen outside open enrollment. The changes
    app registers its handler when it lands (issue 15: a reported change that qualifies opens one); until then
    there are none."""


special_enrollments = Hook(_special_enrollments)


@dataclass(frozen=True)
class BookColumn:
    """A filter and a column a higher app adds to the assister's dashboard (the changes app: reports awaiting an
    answer, open special enrollment windows; the verifications app: documents due). `annotate` adds what the column shows
    to the book's one statement (as subqueries, so the page's query count does not grow with its rows); `filter`
    narrows it by one of `choices`; `order` sorts it by one of `sorts`."""

    name: str  # the URL parameter
    label: object  # the filter's and the column's label (translatable)
    choices: tuple[tuple[str, object], ...]  # the filter's values, without the "any" choice
    annotate: Callable[[QuerySet], QuerySet]
    filter: Callable[[QuerySet, str], QuerySet]
    template: str  # renders one row's cell; the row is `row`
    # Sort orders the column adds to the dashboard's "Sort by" (value, label), and how to order the book by one.
    sorts: tuple[tuple[str, object], ...] = ()
    order: Callable[[QuerySet, str], QuerySet] | None = None
    # A "Next step" (a `selectors.NEXT_STEPS` value) that comes before the application status's, for a row (e.g.
    # "documents" while a verification request is open, whatever the status), or None.
    next_step: Callable[[object], str | None] | None = None


def _book_columns() -> list[BookColumn]:
    """The columns higher apps add to the dashboard, asked once per dashboard request."""


book_columns = Hook(_book_columns)
