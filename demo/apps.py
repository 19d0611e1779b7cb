from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run` (`manage.py seed_demo`). The top layer (DESIGN §2): it may import every app,
    and no app imports it."""

    name = "demo"
    verbose_name = "Demo data"
