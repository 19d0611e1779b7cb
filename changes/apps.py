from django.apps import AppConfig
from django.core.checks import register

from applications import hooks as application_hooks
from associations import hooks as association_hooks


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "Changes in circumstance"

    def ready(self) -> None:
        from . import checks, client_page, dashboard, notices, services  # noqa: F401  (notices registers the notice kinds)

        register(checks.special_enrollment_events)

        application_hooks.special_enrollments.register(services.special_enrollments_of)
        association_hooks.client_page_sections.register(client_page.changes_section)
        application_hooks.book_columns.register(dashboard.changes_column)
