from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Portal pages and reference data"

    def ready(self) -> None:
        from assister_portal import checks  # noqa: F401  (registers the deploy checks)
