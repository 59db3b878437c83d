import importlib
import ipaddress
import socket

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


LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}


@pytest.fixture(autouse=True)
def _no_outside_dns(monkeypatch):
    """Fail every name lookup except loopback and IP addresses, so no test
    sends a DNS query off this machine (a webhook URL's host, say)."""
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name is None or name in LOCAL_NAMES:
            return real_getaddrinfo(host, *args, **kwargs)
        try:
            ipaddress.ip_address(name.strip("[]").split("%")[0])
        except ValueError:
            message = f"{name}: no DNS lookups in tests"
            raise socket.gaierror(socket.EAI_NONAME, message) from None
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


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
