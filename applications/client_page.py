"""The client's coverage on the assister's client page (issue 13), added through the associations hook
`client_page_sections`: each year's current plan, who chose it, and what the viewer may do about it."""

from associations.hooks import PageSection

from . import selectors
from .permissions import plan_selection_suspended

SELECT = "select_plan_for_client"


def coverage_section(*, client, user, powers: set[str]) -> list[PageSection]:
    enrollments = [e for e in selectors.client_enrollments(client) if selectors.covers_now_or_later(e)]
    may_select = SELECT in powers
    return [
        PageSection(
            "applications/_client_coverage.html",
            {
                "enrollments": enrollments,
                "may_select": may_select,
                "suspended": may_select and plan_selection_suspended(client.pk, user.pk),
                "client": client,
            },
        )
    ]
