"""The database step shared by the benchmarks built on bench/admin_data.py:
the command-line options, a fresh PostgreSQL database, Django set up on it,
and the drop at the end."""

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager

import django
from nightly_reports import machine, recreate_database


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --orders, --products, --keep and --reuse to `parser`."""
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="Keep the database.")
    parser.add_argument(
        "--reuse", action="store_true", help="Time the database as it is."
    )


@contextmanager
def shop_database(arguments: argparse.Namespace, default_url: str) -> Iterator[bool]:
    """Set up Django on the benchmark database at BENCH_DATABASE_URL
    (default `default_url`) and migrate it, unless --reuse names an existing
    one. Yields whether the database is new, so the caller builds its data.
    Drops the database at the end unless --keep or --reuse is given."""
    url = os.environ.get("BENCH_DATABASE_URL", default_url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    if not arguments.reuse:
        recreate_database(url)
    django.setup()
    from django.core.management import call_command
    from django.db import connections

    print(f"Machine: {machine()}")
    try:
        if not arguments.reuse:
            call_command("migrate", verbosity=0)
        yield not arguments.reuse
    finally:
        connections.close_all()
        if not arguments.keep and not arguments.reuse:
            recreate_database(url, drop_only=True)
