from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        from accounts import hooks as account_hooks

        from . import notices  # noqa: F401  (registers this app's notice kinds)
        from .services import client_follow_user_language

        account_hooks.preferred_language_changed.register(client_follow_user_language)
