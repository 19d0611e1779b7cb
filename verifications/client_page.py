"""The client's verification requests on the assister's client page (issue 14), added through the associations hook
`client_page_sections`: each request's status and due date, and a link to upload where the client allowed it."""

from associations.hooks import PageSection

from . import selectors
from .permissions import UPLOAD

SHOWN = 10


def documents_section(*, client, user, powers: set[str]) -> list[PageSection]:
    rows = list(selectors.client_requests(client)[:SHOWN])
    return [PageSection("verifications/_client_documents.html", {"rows": rows, "may_upload": UPLOAD in powers})]
