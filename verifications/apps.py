from django.apps import AppConfig

from applications import hooks as application_hooks
from associations import hooks as association_hooks


class VerificationsConfig(AppConfig):
    name = "verifications"
    verbose_name = "Verification documents"

    def ready(self) -> None:
        from . import client_page, dashboard, notices, services  # noqa: F401  (notices registers the notice kinds)

        application_hooks.application_submitted.register(services.requests_open_for)
        application_hooks.application_withdrawn.register(services.requests_close_for)
        association_hooks.client_page_sections.register(client_page.documents_section)
        application_hooks.book_columns.register(dashboard.documents_column)
