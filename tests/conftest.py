import pytest

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
