"""A counter sale submitted twice at once, racing for the last units."""

import time
from decimal import Decimal

import pytest

from accounting.models import Invoice
from inventory.models import Stock, StockMovement
from inventory.services import set_opening_stock
from orders import counter
from orders.counter import CounterLine, record_counter_sale
from orders.models import Order
from tests.factories.shop import VariantFactory
from tests.orders.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_double_submit_of_last_units_returns_one_sale(settings, monkeypatch):
    settings.SHOP_STORE_PROVINCE = "NS"
    variant = VariantFactory(sku="MUG-OAT", price=Decimal("18.00"))
    set_opening_stock(variant=variant, quantity=5)
    post_sale = counter.post_in_store_sale

    def post_slowly(**kwargs):
        # Keeps the first transaction open until the second request is
        # waiting on the stock lock.
        post_sale(**kwargs)
        time.sleep(0.5)

    monkeypatch.setattr(counter, "post_in_store_sale", post_slowly)
    orders = []

    def sell():
        orders.append(
            record_counter_sale(
                lines=[CounterLine(variant.pk, 5)],
                customer=None,
                payment_method="debit",
                amount_tendered=None,
                client_key="till-1-sale-42",
                user=None,
            )
        )

    errors = run_together(sell, sell)

    assert errors == []
    assert orders[0].number == orders[1].number
    assert Order.objects.filter(client_key="till-1-sale-42").count() == 1
    assert Invoice.objects.count() == 1
    assert StockMovement.objects.filter(kind="in_store_sale").count() == 1
    assert Stock.objects.get(variant=variant).quantity_on_hand == 0
