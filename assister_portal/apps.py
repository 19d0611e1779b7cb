from django.apps import AppConfig


class AssisterPortalConfig(AppConfig):
    """The project itself (settings, URLs, Celery, WSGI, the deploy checks) as an app, so that its start-up
    work needs no app below it to import it: it sits above every app (DESIGN §2) and has no models."""

    name = "assister_portal"
    verbose_name = "Assister Portal"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks; Django's place for it is ready())
