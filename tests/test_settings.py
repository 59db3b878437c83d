"""The settings modules: documented variables and a clean deploy check."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

SETTINGS_DIR = Path(settings.BASE_DIR) / "config" / "settings"
ENV_EXAMPLE = Path(settings.BASE_DIR) / ".env.example"
# env("NAME", ...), env.bool("NAME", ...), env.db("NAME") and the rest.
ENV_READ = re.compile(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"")
# "NAME=value" or "# NAME=value" at the start of a line.
ENV_DOCUMENTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "dummy-" + "k" * 60,
    "ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "postgres://ledgerfront@db.example.com:5432/ledgerfront",
    "EMAIL_URL": "smtp://mail.example.com:1025",
    "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
    "STRIPE_SECRET_KEY": "sk_test_dummy",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_dummy",
    "STRIPE_WEBHOOK_SECRET": "whsec_dummy",
}


def variables_read_by_settings():
    return {
        name
        for path in SETTINGS_DIR.glob("*.py")
        for name in ENV_READ.findall(path.read_text())
    }


def test_env_example_documents_every_variable():
    documented = set(ENV_DOCUMENTED.findall(ENV_EXAMPLE.read_text()))

    missing = variables_read_by_settings() - documented

    assert missing == set(), f"add {sorted(missing)} to .env.example"


def test_env_example_lists_no_unread_variable():
    documented = set(ENV_DOCUMENTED.findall(ENV_EXAMPLE.read_text()))

    unread = documented - variables_read_by_settings()

    assert unread == set(), f"remove {sorted(unread)} from .env.example"


def test_production_settings_pass_deploy_check():
    environment = {**os.environ, **PRODUCTION_ENV}

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"
    assert result.stderr == ""
