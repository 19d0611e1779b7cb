from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate

from certification import hooks


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Public directory"

    def ready(self) -> None:
        from . import services  # models (and so the services) can be imported once the registry is ready

        # Every certification change that may list or unlist someone refreshes the listings in its transaction.
        hooks.listings_changed.register(services.listings_refresh)
        # post_migrate is sent only for apps with models; the listings' columns are certification's.
        post_migrate.connect(
            services.listings_refresh_after_migrate,
            sender=apps.get_app_config("certification"),
            dispatch_uid="directory-refresh-listings",
        )
