"""Time the nightly backorder and reorder reports on a large database.

Usage, from the repository root (PostgreSQL at 127.0.0.1:5432):

    .venv/bin/python bench/nightly_reports.py --sizes 100000 1000000

Creates the PostgreSQL database lf_bench_nightly (BENCH_DATABASE_URL
changes it), migrates it and fills it with `manage.py generate_order_lines`
up to each size in turn. At each size it builds each report three times
and sends it once (to the in-memory email backend, which serializes the
message as an SMTP send would), printing seconds, SQL queries and the CSV
size. The database is dropped at the end unless --keep is given.
"""

import argparse
import io
import os
import platform
import sys
import time
from pathlib import Path

import django
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lf_bench_nightly"
REPEATS = 3


def machine() -> str:
    model = next(
        line.split(":", 1)[1].strip()
        for line in Path("/proc/cpuinfo").read_text().splitlines()
        if line.startswith("model name")
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return (
        f"{os.cpu_count()} CPUs ({model}), {memory_kb / 2**20:.0f} GiB memory, "
        f"Python {platform.python_version()}"
    )


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    maintenance_url, name = url.rsplit("/", 1)
    with psycopg.connect(f"{maintenance_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def time_report(name: str, build, send) -> None:
    from datetime import date

    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    day = date(2030, 1, 1)
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            report = build(day)
        timings.append(time.perf_counter() - started)

    mail.outbox = []
    started = time.perf_counter()
    outcome = send(business_date=day)
    send_seconds = time.perf_counter() - started
    assert outcome.status == "sent", outcome
    rows = report.csv_content.count(b"\n") - 1
    print(
        f"  {name}: build {min(timings):.2f} s (best of {REPEATS}), "
        f"send {send_seconds:.2f} s, {len(queries)} queries, "
        f"CSV {len(report.csv_content) / 2**20:.1f} MiB, "
        f"{rows} CSV rows"
    )


def run_size(lines: int, already: int) -> None:
    from django.core.management import call_command

    from inventory import reports
    from inventory.models import ReportRun

    if lines > already:
        started = time.perf_counter()
        call_command(
            "generate_order_lines", "--lines", lines - already, stdout=io.StringIO()
        )
        seconds = time.perf_counter() - started
        print(f"\nGenerated {lines - already} lines in {seconds:.0f} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    ReportRun.objects.all().delete()
    print(f"{lines} order lines:")
    time_report(
        "backorder report",
        reports.build_backorder_report,
        reports.send_backorder_report,
    )
    time_report(
        "reorder report", reports.build_reorder_report, reports.send_reorder_report
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--keep", action="store_true", help="Keep the database.")
    arguments = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    recreate_database(url)
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.SHOP_STAFF_EMAILS = ["staff@bench.example"]
    print(f"Machine: {machine()}")
    try:
        call_command("migrate", verbosity=0)
        done = 0
        for size in sorted(arguments.sizes):
            run_size(size, done)
            done = size
    finally:
        from django.db import connections

        connections.close_all()
        if not arguments.keep:
            recreate_database(url, drop_only=True)


if __name__ == "__main__":
    main()
