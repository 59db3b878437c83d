import importlib

import pytest
from django.apps import apps

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.localstripe",
    "tests.fixtures.email",
    "tests.fixtures.stripe_replay",
    "tests.fixtures.canadapost_server",
    "tests.fixtures.webhook_receiver",
]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Keep files written by a test (invoice PDFs) in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Create the staff role groups when a reused test database lacks them.

    A transactional test ends by flushing every table, which deletes the
    groups the roles migration created, so the next run with --reuse-db
    would otherwise start without them.
    """
    staff_roles = importlib.import_module("shop.migrations.0003_staff_roles")
    with django_db_blocker.unblock():
        staff_roles.create_roles(apps, None)
