"""The benchmarks run in a test database of their own on PostgreSQL, so that a bench (minutes, millions of
rows) and a test run on the same server at the same time never share, or destroy, each other's database."""

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    from django.conf import settings

    for db_settings in settings.DATABASES.values():
        if db_settings["ENGINE"] == "django.db.backends.postgresql":
            db_settings.setdefault("TEST", {})["NAME"] = f"test_{db_settings['NAME']}_bench"
