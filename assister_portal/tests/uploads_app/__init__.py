"""A test-only app with one concrete QuarantinedFile model (installed by assister_portal/tests/conftest.py)."""
