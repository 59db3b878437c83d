from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from accounting.services import issue_invoice
from shop.models import Variant
from tests.factories.orders import order_with_lines
from tests.factories.shop import VariantFactory

# 02:30 UTC on March 14 is still March 13 in Halifax (UTC-3 in March).
PAID_AT = datetime(2026, 3, 14, 2, 30, tzinfo=UTC)


def make_paid_order(**order_fields):
    """Create a paid Nova Scotia order: $56.00 of goods, $12.00 shipping.

    HST 14% on $68.00 is $9.52, so the total is $77.52.
    """
    mug = catalog_variant("MUG-BLUE", "Harbour Mug", Decimal("18.50"))
    towel = catalog_variant("TOWEL-01", "Lighthouse Tea Towel", Decimal("19.00"))
    order = order_with_lines(
        lines=[(mug, 2), (towel, 1)],
        shipping_amount=Decimal("12.00"),
        paid=True,
        paid_at=PAID_AT,
        **order_fields,
    )
    order.lines.filter(sku="MUG-BLUE").update(options="Blue, 350 ml")
    return order


def catalog_variant(sku, name, price):
    variant = Variant.objects.filter(sku=sku).first()
    if variant is None:
        variant = VariantFactory(sku=sku, price=price, product__name=name)
    return variant


@pytest.fixture
def paid_order():
    return make_paid_order(email="avery@example.com")


@pytest.fixture
def issue(django_capture_on_commit_callbacks):
    """Return a function that issues an invoice and runs its on-commit task."""

    def issue_and_commit(order):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            invoice = issue_invoice(order=order)
        invoice.refresh_from_db()
        return invoice

    return issue_and_commit
