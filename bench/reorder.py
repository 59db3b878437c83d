"""Time the reorder suggestions and the dashboard's reorder count at scale.

Usage, from the repository root (PostgreSQL at 127.0.0.1:5432):

    .venv/bin/python bench/reorder.py --keep

Creates the PostgreSQL database lf_bench_reorder (BENCH_DATABASE_URL
changes it), migrates it and fills it with bench/admin_data.py: `--orders`
orders and `--products` products of 5 variants, each with a stock row at
the default location. It adds a second location holding every tenth
variant and `--purchase-orders` purchase orders of 25 lines each, spread
over every status. Then it times, `--repeats` times after one warm-up
call, `reorder_suggestions()`, the dashboard of a user who sees only the
reorder count, and the admin index of a superuser (Django's test client,
so nothing listens on a port). It prints the median and slowest time, the
SQL queries and a digest of the suggestions, which must not change when
the queries do. `--explain` prints EXPLAIN ANALYZE of each call's slowest
query. The database is dropped at the end unless --keep is given, and
--reuse times an existing one.
"""

import argparse
import hashlib
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lf_bench_reorder"
SECOND_LOCATION_EVERY = 10
LINES_PER_PURCHASE_ORDER = 25

from shop_database import add_database_arguments, shop_database  # noqa: E402


def add_second_location() -> None:
    """Stock every tenth variant at a warehouse too, some of it allocated."""
    from inventory.models import Location, Stock
    from shop.models import Variant

    warehouse = Location.objects.create(code="warehouse", name="Warehouse")
    variant_ids = Variant.objects.order_by("pk").values_list("pk", flat=True)
    Stock.objects.bulk_create(
        (
            Stock(
                variant_id=variant_id,
                location=warehouse,
                quantity_on_hand=index % 7,
                quantity_allocated=min(index % 7, index % 3),
            )
            for index, variant_id in enumerate(variant_ids[::SECOND_LOCATION_EVERY])
        ),
        batch_size=5000,
    )


def add_purchase_orders(count: int, seed: int = 1) -> None:
    """Create `count` purchase orders cycling through every status."""
    from inventory.models import PurchaseOrder, PurchaseOrderLine, Supplier
    from shop.models import Variant

    rng = random.Random(seed)
    statuses = list(PurchaseOrder.Status)
    supplier_ids = list(Supplier.objects.values_list("pk", flat=True))
    variant_ids = list(Variant.objects.values_list("pk", flat=True))
    orders = PurchaseOrder.objects.bulk_create(
        PurchaseOrder(
            number=900001 + number,
            supplier_id=supplier_ids[number % len(supplier_ids)],
            status=statuses[number % len(statuses)],
        )
        for number in range(count)
    )
    lines = []
    for order in orders:
        for variant_id in rng.sample(variant_ids, LINES_PER_PURCHASE_ORDER):
            ordered = rng.randint(6, 24)
            lines.append(
                PurchaseOrderLine(
                    purchase_order=order,
                    variant_id=variant_id,
                    quantity_ordered=ordered,
                    quantity_received=_received(order.status, ordered),
                    unit_cost="4.00",
                )
            )
    PurchaseOrderLine.objects.bulk_create(lines, batch_size=5000)


def _received(status: str, ordered: int) -> int:
    from inventory.models import PurchaseOrder

    if status == PurchaseOrder.Status.RECEIVED:
        return ordered
    if status == PurchaseOrder.Status.PARTLY_RECEIVED:
        return ordered // 2
    return 0


def data_size() -> str:
    from inventory.models import PurchaseOrderLine, Stock
    from orders.models import Order, OrderLine

    counts = [
        (Order, "orders"),
        (OrderLine, "order lines"),
        (Stock, "stock rows"),
        (PurchaseOrderLine, "purchase order lines"),
    ]
    return ", ".join(f"{model.objects.count():,} {name}" for model, name in counts)


def time_call(call, repeats: int) -> dict:
    """Call `call` once to warm up, then time it `repeats` times, in ms."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        result = call()
    queries = list(context.captured_queries)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "result": result,
        "median": statistics.median(timings),
        "max": max(timings),
        "queries": len(queries),
        "slowest_sql": max(queries, key=lambda query: float(query["time"]))["sql"],
    }


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def digest(suggestions: list) -> str:
    return hashlib.sha256(repr(suggestions).encode()).hexdigest()[:16]


def reorder_only_user():
    from django.contrib.auth.models import Permission, User

    user, _ = User.objects.get_or_create(
        username="bench-reorder", defaults={"is_staff": True}
    )
    user.user_permissions.set([Permission.objects.get(codename="add_purchaseorder")])
    return User.objects.get(pk=user.pk)


def index_client():
    from django.contrib.auth.models import User
    from django.test import Client

    user, _ = User.objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return client


def run(repeats: int, show_plans: bool) -> None:
    from django.db import connection

    from inventory.reorder import reorder_suggestions
    from orders.dashboard import build_dashboard

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    user = reorder_only_user()
    client = index_client()

    def admin_index() -> int:
        response = client.get("/admin/")
        if response.status_code != 200:
            raise SystemExit(
                f"/admin/ returned HTTP {response.status_code}, expected 200. "
                "Open it in the admin of this database to see why."
            )
        return response.status_code

    calls = [
        ("reorder_suggestions()", reorder_suggestions),
        ("dashboard, reorder count only", lambda: build_dashboard(user)),
        ("admin index, superuser", admin_index),
    ]
    print(f"Data: {data_size()}")
    print(f"jit: {jit}; load average before: {os.getloadavg()[0]:.1f}")
    print("\n| call | median ms | max ms | queries |")
    print("|---|---|---|---|")
    results = {}
    for name, call in calls:
        results[name] = result = time_call(call, repeats)
        print(
            f"| {name} | {result['median']:.0f} | {result['max']:.0f} "
            f"| {result['queries']} |",
            flush=True,
        )
    print(f"\nLoad average after: {os.getloadavg()[0]:.1f}")

    suggestions = results["reorder_suggestions()"]["result"]
    dashboard = results["dashboard, reorder count only"]["result"]
    print(f"Suggestions: {len(suggestions)}, digest {digest(suggestions)}")
    print(f"Dashboard reorder count: {dashboard.stock_to_reorder}")
    if show_plans:
        for name, result in results.items():
            print(f"\n--- slowest query of {name}:\n{result['slowest_sql']}")
            print(explain(result["slowest_sql"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser)
    parser.add_argument("--purchase-orders", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--explain", action="store_true", help="Print the slowest queries' plans."
    )
    arguments = parser.parse_args()

    with shop_database(arguments, DEFAULT_URL) as new_database:
        import admin_data

        if new_database:
            started = time.perf_counter()
            admin_data.build_shop(orders=arguments.orders, products=arguments.products)
            add_second_location()
            add_purchase_orders(arguments.purchase_orders)
            print(f"Built the data in {time.perf_counter() - started:.0f} s")
        run(arguments.repeats, arguments.explain)


if __name__ == "__main__":
    main()
