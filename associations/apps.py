from django.apps import AppConfig

from certification import hooks


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = "Assisters of record"

    def ready(self) -> None:
        from . import services  # models (and so the services) can be imported once the registry is ready

        # An assister's standing reaches their clients in the same transaction (DESIGN §2, §5).
        hooks.assister_access_changed.register(services.associations_follow_assister)
