from django.apps import AppConfig

from certification import hooks


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = "Assisters of record"

    def ready(self) -> None:
        # Once the model registry is ready: the services, and this app's notice kinds (registered on import).
        from . import notices, services  # noqa: F401

        # An assister's standing reaches their clients in the same transaction (DESIGN §2, §5).
        hooks.assister_access_changed.register(services.associations_follow_assister)
