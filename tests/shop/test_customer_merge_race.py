"""A checkout and a merge of its customer at the same moment, on PostgreSQL.

Each thread has its own database connection, so these tests commit for
real (transaction=True) and are skipped on SQLite, which has no row locks.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from orders.models import Order
from shop.customer_merge import merge_customers
from shop.customers import find_or_create_customer
from shop.models import Customer
from tests.factories.orders import OrderFactory
from tests.factories.shop import CustomerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# How long the merge holds its locks after it has run, uncommitted, so the
# checkout thread reaches its lookup while the merge still holds the rows.
MERGE_HOLD_SECONDS = 1.0


def run_in_thread(action, errors):
    def run():
        try:
            action()
        except Exception as error:  # Reported by the test's assertion.
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_checkout_during_merge_orders_for_kept_record():
    # The kept record is the imported one with spaces around its email, so
    # the checkout's exact lookup finds the record being merged away.
    kept = CustomerFactory(email=" ann@example.com ")
    removed = CustomerFactory(email="ann@example.com")
    merged = threading.Event()
    errors = []
    placed = {}

    def merge():
        with transaction.atomic():
            merge_customers(keep_id=kept.pk, remove_ids=[removed.pk])
            merged.set()
            time.sleep(MERGE_HOLD_SECONDS)

    def checkout():
        assert merged.wait(timeout=30)
        with transaction.atomic():
            customer = find_or_create_customer(email="ANN@example.com")
            placed["order"] = OrderFactory(customer=customer, number=100501)

    threads = [run_in_thread(merge, errors), run_in_thread(checkout, errors)]
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Order.objects.get(number=100501).customer_id == kept.pk
    assert list(Customer.objects.values_list("pk", flat=True)) == [kept.pk]
