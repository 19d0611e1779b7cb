from django.apps import AppConfig


class UploadsTestAppConfig(AppConfig):
    name = "assister_portal.tests.uploads_app"
    label = "uploads_tests"
    default_auto_field = "django.db.models.BigAutoField"
