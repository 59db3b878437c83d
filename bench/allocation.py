"""Measure payments per second when parallel buyers pay for one variant.

Usage, from the repository root (PostgreSQL at 127.0.0.1:5432):

    .venv/bin/python bench/allocation.py --orders 2000 --stock 500 --threads 8

Creates the PostgreSQL database lf_bench_allocation (BENCH_DATABASE_URL
changes it), and for each path below loads fresh data: one backorderable
variant with --stock units on hand and --orders unpaid orders of one unit
each. --threads threads, each with its own connection, pay the orders as
fast as they can, so every payment queues on the same Stock row lock.

Paths:
  allocate        lock the order, mark it paid, allocate_order: the stock
                  part of a payment alone.
  record_payment  orders.services.record_payment, as the Stripe webhook
                  calls it: payment row, allocation, invoice, ledger.

Afterwards the script checks that stock never went below zero: the Stock
row's on-hand and allocated units equal the sums of its movements, the
allocated units equal min(stock, orders), and every other unit is on
backorder. The database is dropped at the end unless --keep is given.
"""

import argparse
import os
import queue
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import django
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lf_bench_allocation"
PRICE = Decimal("10.00")


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    maintenance_url, name = url.rsplit("/", 1)
    with psycopg.connect(f"{maintenance_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def load_orders(order_count: int, stock: int):
    """Create a variant with `stock` units and `order_count` unpaid orders."""
    from inventory.models import Stock
    from inventory.services import set_opening_stock
    from orders.models import Order, OrderLine
    from shop.models import Category, Customer, Product, TaxClass, Variant

    category = Category.objects.add_root({"name": "Bench", "slug": "bench"})
    product = Product.objects.create(
        category=category, sku="BENCH-P", name="Bench mug", slug="bench-mug"
    )
    variant = Variant.objects.create(
        product=product, sku="BENCH-1", price=PRICE, unit_cost=Decimal("4.00")
    )
    set_opening_stock(variant=variant, quantity=stock)
    Stock.objects.filter(variant=variant).update(backorderable=True)
    customer = Customer.objects.create(email="buyer@bench.example")
    first = Order.objects.count() + 1
    orders = Order.objects.bulk_create(
        Order(
            number=first + index,
            customer=customer,
            email=customer.email,
            ship_name="Bench Buyer",
            ship_line1="1500 Barrington Street",
            ship_city="Halifax",
            ship_province="NS",
            ship_postal_code="B3J 1Z7",
            shipping_method="standard",
            shipping_method_name="Standard",
            subtotal_amount=PRICE,
            shipping_amount=Decimal("0.00"),
            tax_amount=Decimal("0.00"),
            total_amount=PRICE,
        )
        for index in range(order_count)
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            variant=variant,
            sku=variant.sku,
            name=product.name,
            tax_class=TaxClass.STANDARD,
            quantity=1,
            unit_price=PRICE,
            subtotal_amount=PRICE,
            tax_amount=Decimal("0.00"),
        )
        for order in orders
    )
    return variant, [order.pk for order in orders]


def pay_by_allocation(order_id: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from inventory.allocation import allocate_order
    from orders.models import Order

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        order.status = Order.Status.PAID
        order.paid_at = timezone.now()
        order.save(update_fields=["status", "paid_at", "updated_at"])
        allocate_order(order=order)


def pay_by_record_payment(order_id: int) -> None:
    from orders.services import record_payment

    intent = {
        "id": f"pi_bench_{order_id}",
        "object": "payment_intent",
        "status": "succeeded",
        "amount": int(PRICE * 100),
    }
    record_payment(order_id=order_id, payment_intent=intent)


def run_threads(pay, order_ids: list[int], thread_count: int):
    """Pay every order from `thread_count` threads; return seconds, errors."""
    from django.db import connection

    work: queue.SimpleQueue[int] = queue.SimpleQueue()
    for order_id in order_ids:
        work.put(order_id)
    errors: list[Exception] = []
    barrier = threading.Barrier(thread_count + 1)

    def worker():
        barrier.wait()
        try:
            while True:
                try:
                    order_id = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    pay(order_id)
                except Exception as error:  # Counted and shown in the summary.
                    errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(thread_count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, errors


def check_stock(variant, order_count: int, stock: int) -> str:
    """Return a summary of the final stock, raising if the books disagree."""
    from django.db.models import Sum

    from inventory.models import Stock, StockMovement
    from orders.models import OrderLine

    row = Stock.objects.get(variant=variant)
    moved = StockMovement.objects.filter(stock=row).aggregate(
        on_hand=Sum("quantity"), allocated=Sum("quantity_allocated_change")
    )
    lines = OrderLine.objects.filter(variant=variant).aggregate(
        allocated=Sum("quantity_allocated"), backordered=Sum("quantity_backordered")
    )
    expected_allocated = min(stock, order_count)
    checks = {
        "on hand not negative": row.quantity_on_hand >= 0,
        "available not negative": row.quantity_available >= 0,
        "on hand equals movements": row.quantity_on_hand == moved["on_hand"],
        "allocated equals movements": row.quantity_allocated == moved["allocated"],
        "allocated equals lines": row.quantity_allocated == lines["allocated"],
        "allocated is min(stock, orders)": row.quantity_allocated == expected_allocated,
        "rest backordered": lines["backordered"] == order_count - expected_allocated,
    }
    failed = [name for name, passed in checks.items() if not passed]
    if failed:
        raise SystemExit(f"Stock check failed: {', '.join(failed)}; {row.__dict__}")
    return (
        f"on hand {row.quantity_on_hand}, allocated {row.quantity_allocated}, "
        f"backordered {lines['backordered']}: all {len(checks)} checks passed"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--stock", type=int, default=500)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--paths", nargs="+", default=["allocate", "record_payment"])
    parser.add_argument("--keep", action="store_true", help="Keep the database.")
    arguments = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    django.setup()
    from django.core.management import call_command

    from config.celery import app

    # Tasks queued on commit (invoice email, Stripe fee) go to an in-memory
    # queue that nothing reads: the benchmark calls no outside service.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    from django.db import connections

    paths = {"allocate": pay_by_allocation, "record_payment": pay_by_record_payment}
    print(
        f"{arguments.orders} orders of 1 unit, {arguments.stock} units on hand, "
        f"{arguments.threads} threads"
    )
    try:
        for name in arguments.paths:
            connections.close_all()
            recreate_database(url)
            call_command("migrate", verbosity=0)
            variant, order_ids = load_orders(arguments.orders, arguments.stock)
            seconds, errors = run_threads(paths[name], order_ids, arguments.threads)
            rate = (len(order_ids) - len(errors)) / seconds
            print(
                f"  {name}: {rate:.0f} payments/s ({seconds:.2f} s), "
                f"{len(errors)} errors{f' (first: {errors[0]!r})' if errors else ''}"
            )
            print(f"    {check_stock(variant, arguments.orders, arguments.stock)}")
    finally:
        connections.close_all()
        if not arguments.keep:
            recreate_database(url, drop_only=True)


if __name__ == "__main__":
    main()
