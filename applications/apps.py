from django.apps import AppConfig

from associations import hooks


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "Applications"

    def ready(self) -> None:
        from . import client_page, notices  # noqa: F401  (notices registers the notice kinds)

        hooks.client_page_sections.register(client_page.coverage_section)
