"""Payments racing for the same stock, on PostgreSQL's row locks.

Each buyer runs in its own thread with its own database connection, so
the tests commit for real (transaction=True) and are skipped on SQLite,
which takes no row locks.
"""

import threading

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from accounting import tasks as accounting_tasks
from inventory.models import Stock, StockMovement
from orders.models import OrderLine
from orders.services import record_payment
from tests.factories.orders import order_with_lines
from tests.inventory.allocation_setup import stocked_variant, succeeded_intent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREAD_TIMEOUT_SECONDS = 120


@pytest.fixture(autouse=True)
def _no_processor_fee(monkeypatch):
    """Skip the Stripe fee task each payment queues: no Stripe runs here."""
    monkeypatch.setattr(
        accounting_tasks.record_processor_fee, "delay", lambda *args: None
    )


def pay_together(orders):
    """Record every order's payment at once, one thread and connection each.

    Returns the exceptions raised, so a deadlock or a failed check shows
    in the test's assertion.
    """
    barrier = threading.Barrier(len(orders))
    errors = []

    def pay(order):
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                record_payment(
                    order_id=order.pk, payment_intent=succeeded_intent(order)
                )
        except Exception as error:  # Reported by the test's assertion.
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_TIMEOUT_SECONDS)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def line_totals(variant):
    return OrderLine.objects.filter(variant=variant).aggregate(
        allocated=Sum("quantity_allocated"),
        backordered=Sum("quantity_backordered"),
        oversold=Sum("quantity_oversold"),
    )


def test_fifty_payments_for_ten_units_allocate_ten():
    variant = stocked_variant(quantity=10)
    orders = [order_with_lines(lines=[(variant, 1)]) for _ in range(50)]

    errors = pay_together(orders)

    assert errors == []
    stock = Stock.objects.get(variant=variant)
    assert stock.quantity_on_hand == 10
    assert stock.quantity_allocated == 10
    assert line_totals(variant) == {"allocated": 10, "backordered": 40, "oversold": 0}
    allocations = StockMovement.objects.filter(kind=StockMovement.Kind.ALLOCATION)
    assert allocations.count() == 10


def test_five_payments_from_a_thousand_units():
    variant = stocked_variant(quantity=1000)
    orders = [order_with_lines(lines=[(variant, 1)]) for _ in range(5)]

    errors = pay_together(orders)

    assert errors == []
    stock = Stock.objects.get(variant=variant)
    assert stock.quantity_on_hand == 1000
    assert stock.quantity_allocated == 5
    allocations = StockMovement.objects.filter(kind=StockMovement.Kind.ALLOCATION)
    assert allocations.count() == 5
    assert line_totals(variant) == {"allocated": 5, "backordered": 0, "oversold": 0}


def test_race_for_last_units_oversells_one_order():
    variant = stocked_variant(quantity=12, backorderable=False)
    big = order_with_lines(lines=[(variant, 12)])
    small = order_with_lines(lines=[(variant, 2)])

    errors = pay_together([big, small])

    assert errors == []
    stock = Stock.objects.get(variant=variant)
    assert stock.quantity_on_hand == 12
    assert stock.quantity_allocated == 12
    assert line_totals(variant) == {"allocated": 12, "backordered": 0, "oversold": 2}
    oversold = OrderLine.objects.filter(variant=variant, quantity_oversold__gt=0)
    assert oversold.count() == 1
