"""docker-compose.yml, read as YAML: variables, healthchecks, start order."""

import re
from pathlib import Path

import yaml
from django.conf import settings

from tests.test_settings import variables_read_by_settings

BASE_DIR = Path(settings.BASE_DIR)
APP_SERVICES = ["migrate", "web", "worker", "beat"]
# env("NAME") with no default: production stops at start without it.
REQUIRED_IN_PRODUCTION = re.compile(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"\s*\)")


def compose_services():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())["services"]


def test_compose_sets_required_production_variables():
    production = (BASE_DIR / "config" / "settings" / "production.py").read_text()
    required = set(REQUIRED_IN_PRODUCTION.findall(production))
    services = compose_services()

    for name in APP_SERVICES:
        missing = required - set(services[name]["environment"])
        assert missing == set(), f"{name} lacks {sorted(missing)}"


def test_compose_app_services_use_production_settings():
    services = compose_services()

    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


def test_compose_passes_only_variables_settings_read():
    environment = compose_services()["web"]["environment"]

    unread = (
        set(environment) - variables_read_by_settings() - {"DJANGO_SETTINGS_MODULE"}
    )

    assert unread == set()


def test_compose_long_running_services_have_healthchecks():
    services = compose_services()

    without = [
        name
        for name in ["db", "redis", "mail", "web", "worker"]
        if "healthcheck" not in services[name]
    ]

    assert without == []


def test_compose_starts_app_after_migrate():
    services = compose_services()

    for name in ["web", "worker", "beat"]:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"
