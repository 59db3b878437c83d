"""Data shared by the nightly report tests: waiting lines over two products.

In March 2025 Halifax is on Atlantic Daylight Time (UTC-3) from March 9.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

from inventory.models import PurchaseOrder, PurchaseOrderLine
from tests.factories.inventory import StockFactory, SupplierFactory
from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.factories.shop import CustomerFactory, ProductFactory, VariantFactory

BUSINESS_DATE = date(2025, 3, 14)  # a Friday


def make_variant(*, sku, product_name, colour="", supplier=None, **stock_fields):
    variant = VariantFactory(
        sku=sku, colour=colour, product=ProductFactory(name=product_name)
    )
    StockFactory(variant=variant, supplier=supplier, **stock_fields)
    return variant


def waiting_line(*, number, variant, first_name, quantity, waiting, backordered_at):
    customer = CustomerFactory(
        first_name=first_name, last_name="Tremblay", email=f"{first_name}@example.com"
    )
    order = OrderFactory(paid=True, number=number, customer=customer)
    return OrderLineFactory(
        order=order,
        variant=variant,
        options=variant.option_label,
        quantity=quantity,
        quantity_backordered=waiting,
        backordered_at=backordered_at,
    )


def open_purchase_order(*, number, supplier, variant, quantity, expected_date):
    purchase_order = PurchaseOrder.objects.create(
        number=number,
        supplier=supplier,
        status=PurchaseOrder.Status.SENT,
        expected_date=expected_date,
    )
    PurchaseOrderLine.objects.create(
        purchase_order=purchase_order,
        variant=variant,
        quantity_ordered=quantity,
        unit_cost=Decimal("4.00"),
    )
    return purchase_order


def three_waiting_lines():
    """Toques wait for PO 501 (due March 20); mugs for the 5-day lead time."""
    supplier = SupplierFactory(name="Maritime Wool Co.", lead_time_days=5)
    toque = make_variant(
        sku="TOQ-RED",
        product_name="Merino Toque",
        colour="Red",
        supplier=supplier,
        quantity_on_hand=0,
    )
    mug = make_variant(
        sku="MUG-12", product_name="Harbour Mug", supplier=supplier, quantity_on_hand=0
    )
    open_purchase_order(
        number=501,
        supplier=supplier,
        variant=toque,
        quantity=10,
        expected_date=date(2025, 3, 20),
    )
    waiting_line(
        number=100001,
        variant=toque,
        first_name="Avery",
        quantity=2,
        waiting=2,
        backordered_at=datetime(2025, 3, 10, 15, 0, tzinfo=UTC),
    )
    waiting_line(
        number=100002,
        variant=toque,
        first_name="Blake",
        quantity=3,
        waiting=1,
        backordered_at=datetime(2025, 3, 12, 18, 0, tzinfo=UTC),
    )
    waiting_line(
        number=100003,
        variant=mug,
        first_name="Casey",
        quantity=4,
        waiting=4,
        backordered_at=datetime(2025, 3, 13, 12, 0, tzinfo=UTC),
    )
