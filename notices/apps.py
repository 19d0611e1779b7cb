from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "Notices and invoices"

    def ready(self) -> None:
        from . import invoices  # noqa: F401  (registers the invoice kind)
