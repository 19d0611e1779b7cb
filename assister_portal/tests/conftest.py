"""Fixtures for the upload pipeline: a concrete model, and private storage in a temp folder for every test here
(the fixtures `private_storage`, `no_scanner`, `clamd_address` and `scanner` are the root conftest's).

The test-only app `uploads_tests` (assister_portal/tests/uploads_app, one model, one
migration) is added to the app registry when this file is loaded, which pytest does
while collecting, before the test database is created, so the migration runs with the
others. It is added alone: `apps.set_installed_apps` would create every other app's
config anew and run their ready() a second time.
"""

import pytest
from django.apps import AppConfig, apps

TEST_APP = "assister_portal.tests.uploads_app"


def _install_test_app() -> None:
    config = AppConfig.create(TEST_APP)
    if config.label in apps.app_configs:
        return
    config.apps = apps
    apps.app_configs[config.label] = config
    config.import_models()
    apps.clear_cache()
    config.ready()


_install_test_app()


@pytest.fixture(autouse=True)
def _private_storage(private_storage):
    """Every upload test stores into its own private folder (root conftest: `private_storage`)."""
    return private_storage
