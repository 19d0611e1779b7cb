from django.apps import AppConfig


class WorklistConfig(AppConfig):
    name = "worklist"
    verbose_name = "Worklist"

    def ready(self) -> None:
        from . import notices  # noqa: F401  (registers the reminder notice kind)
