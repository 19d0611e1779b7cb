"""Hook points of associations for apps above it (assister_portal/lib/hooks.py explains the pattern)."""

from dataclasses import dataclass, field

from assister_portal.lib.hooks import Hook


@dataclass(frozen=True)
class PageSection:
    """A section a higher app adds to the client page: a template and its context (rendered in the page)."""

    template: str
    context: dict = field(default_factory=dict)


def _client_page_sections(*, client, user, powers: set[str]) -> list[PageSection]:
    """The assister's client page is being shown to `user` (who holds `powers` on `client`; the page already
    checked and audited the access). A handler returns the sections it adds, e.g. the client's coverage
    (applications, issue 13); none when it has nothing to show."""


client_page_sections = Hook(_client_page_sections)
