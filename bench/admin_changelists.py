"""Time the admin change lists of orders, stock and the journal at scale.

Usage, from the repository root (PostgreSQL at 127.0.0.1:5432):

    .venv/bin/python bench/admin_changelists.py --orders 100000

Creates the PostgreSQL database lf_bench_admin (BENCH_DATABASE_URL changes
it), migrates it and fills it with bench/admin_data.py: `--orders` orders
with their lines, payments and sale entries, and `--products` products of
5 variants, each with a stock row. Then it requests each page with
Django's test client, signed in as a superuser: twice to warm up, then
`--repeats` times. It prints a Markdown table of the median and 95th
percentile time, the SQL queries per page and the slowest query. Only the
test client is used, so nothing listens on a port. The database is
dropped at the end unless --keep is given, and --reuse times an existing
one.
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lf_bench_admin"
FAR_PAGE = 500
PAGE_SIZE = 100  # the admin's default list_per_page

from shop_database import add_database_arguments, shop_database  # noqa: E402


def pages(order_number: int, supplier_id: int, far_page) -> list[tuple[str, str, str]]:
    """Return (change list, case, path) for every page timed.

    `far_page(model)` is the page number to time deep in a list: 500, or
    the last page of a smaller one.
    """
    from accounting.models import JournalEntry
    from inventory.models import Stock
    from orders.models import Order

    orders = "/admin/orders/order/"
    stock = "/admin/inventory/stock/"
    journal = "/admin/accounting/journalentry/"
    return [
        ("orders", "first page", orders),
        ("orders", "search: order number", f"{orders}?q={order_number}"),
        ("orders", "search: email", f"{orders}?q=customer4242@bench.example"),
        ("orders", "search: last name", f"{orders}?q=Gagnon"),
        ("orders", "filter: status paid", f"{orders}?status__exact=paid"),
        ("orders", f"page {far_page(Order)}", f"{orders}?p={far_page(Order)}"),
        ("stock", "first page", stock),
        ("stock", "search: SKU", f"{stock}?q=BV004242-3"),
        ("stock", "filter: supplier", f"{stock}?supplier__id__exact={supplier_id}"),
        ("stock", f"page {far_page(Stock)}", f"{stock}?p={far_page(Stock)}"),
        ("journal entries", "first page", journal),
        ("journal entries", "search: order number", f"{journal}?q={order_number}"),
        ("journal entries", "filter: kind sale", f"{journal}?kind__exact=sale"),
        (
            "journal entries",
            f"page {far_page(JournalEntry)}",
            f"{journal}?p={far_page(JournalEntry)}",
        ),
        ("admin index", "dashboard", "/admin/"),
    ]


def time_page(client, path: str, repeats: int) -> dict:
    """Request `path` and return its timings in ms, queries and slowest SQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        _get(client, path)
    with CaptureQueriesContext(connection) as context:
        _get(client, path)
    # captured_queries reads the connection's log, which the next request
    # clears, so keep a copy.
    queries = list(context.captured_queries)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        _get(client, path)
        timings.append((time.perf_counter() - started) * 1000)
    slowest = max(queries, key=lambda query: float(query["time"]))
    return {
        "median": statistics.median(timings),
        "p95": sorted(timings)[math.ceil(0.95 * len(timings)) - 1],
        "queries": len(queries),
        "slowest_ms": float(slowest["time"]) * 1000,
        "slowest_sql": slowest["sql"],
    }


def _get(client, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(
            f"{path} returned HTTP {response.status_code}, expected 200. Open "
            "it in the admin of this database to see why."
        )


def data_size() -> str:
    from accounting.models import JournalEntry, JournalLine
    from inventory.models import Stock
    from orders.models import Order, OrderLine, Payment

    counts = [
        (Order, "orders"),
        (OrderLine, "order lines"),
        (Payment, "payments"),
        (JournalEntry, "journal entries"),
        (JournalLine, "journal lines"),
        (Stock, "stock rows"),
    ]
    return ", ".join(f"{model.objects.count():,} {name}" for model, name in counts)


def run(repeats: int, show_sql: bool) -> None:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    from inventory.models import Supplier
    from orders.models import Order

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    user, _ = User.objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    middle = Order.objects.order_by("number")[Order.objects.count() // 2]
    supplier = Supplier.objects.order_by("pk").first()

    print(f"Data: {data_size()}")
    print(f"Load average before: {os.getloadavg()[0]:.1f}")
    print("\n| change list | case | median ms | p95 ms | queries | slowest query ms |")
    print("|---|---|---|---|---|---|")

    def far_page(model) -> int:
        return min(FAR_PAGE, math.ceil(model.objects.count() / PAGE_SIZE))

    for name, case, path in pages(middle.number, supplier.pk, far_page):
        result = time_page(client, path, repeats)
        print(
            f"| {name} | {case} | {result['median']:.0f} | {result['p95']:.0f} "
            f"| {result['queries']} | {result['slowest_ms']:.0f} |",
            flush=True,
        )
        if show_sql:
            print(f"    slowest: {result['slowest_sql'][:600]}")
    print(f"\nLoad average after: {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument(
        "--show-sql", action="store_true", help="Print each page's slowest query."
    )
    arguments = parser.parse_args()

    with shop_database(arguments, DEFAULT_URL) as new_database:
        import admin_data

        if new_database:
            started = time.perf_counter()
            admin_data.build_shop(orders=arguments.orders, products=arguments.products)
            print(f"Built the data in {time.perf_counter() - started:.0f} s")
        run(arguments.repeats, arguments.show_sql)


if __name__ == "__main__":
    main()
