"""The client's change reports on the assister's client page (issue 15), added through the associations hook
`client_page_sections`: each report's status, the question to answer, and "Report a change" with the power."""

from associations.hooks import PageSection

from . import selectors
from .permissions import REPORT

SHOWN = 10


def changes_section(*, client, user, powers: set[str]) -> list[PageSection]:
    reports = list(selectors.client_reports(client)[:SHOWN])
    return [
        PageSection(
            "changes/_client_changes.html",
            {"reports": reports, "may_report": REPORT in powers, "client": client},
        )
    ]
