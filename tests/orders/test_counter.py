"""Counter sales: one transaction from till to stock, receipt and ledger."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from accounting.models import Invoice, JournalEntry
from inventory.models import Stock, StockMovement
from inventory.services import set_opening_stock
from orders.counter import (
    CounterLine,
    CounterSaleError,
    record_counter_sale,
    round_cash_total,
)
from orders.models import Order, Payment
from tests.accounting.ledger_setup import entry_lines
from tests.factories.shop import CustomerFactory, ProductFactory, VariantFactory


@pytest.fixture
def clerk(db):
    return get_user_model().objects.create_user("clerk", is_staff=True)


@pytest.fixture
def hoodie(db, settings):
    """A $52.00 hoodie costing $20.00, 5 on the shelf, sold in Nova Scotia."""
    settings.SHOP_STORE_PROVINCE = "NS"
    product = ProductFactory(name="Harbour Hoodie")
    variant = VariantFactory(
        product=product,
        sku="HOOD-M",
        barcode="0062345000017",
        size="M",
        price=Decimal("52.00"),
        unit_cost=Decimal("20.00"),
    )
    set_opening_stock(variant=variant, quantity=5)
    return variant


def sell(variant, clerk, *, quantity=1, method="cash", tendered=None, key="k1", **kw):
    return record_counter_sale(
        lines=[CounterLine(variant.pk, quantity)],
        customer=kw.get("customer"),
        payment_method=method,
        amount_tendered=tendered,
        client_key=key,
        user=clerk,
    )


@pytest.mark.parametrize(
    ("total", "cash"),
    [
        ("59.20", "59.20"),
        ("59.21", "59.20"),
        ("59.22", "59.20"),
        ("59.23", "59.25"),
        ("59.24", "59.25"),
        ("59.25", "59.25"),
        ("59.26", "59.25"),
        ("59.27", "59.25"),
        ("59.28", "59.30"),
        ("59.29", "59.30"),
    ],
)
def test_round_cash_total_to_nickel(total, cash):
    assert round_cash_total(Decimal(total)) == Decimal(cash)


def test_cash_sale_records_completed_order(hoodie, clerk):
    order = sell(hoodie, clerk, tendered=Decimal("60.00"))

    assert order.channel == Order.Channel.IN_STORE
    assert order.status == Order.Status.COMPLETED
    assert order.subtotal_amount == Decimal("52.00")
    assert order.shipping_amount == Decimal("0.00")
    assert order.tax_amount == Decimal("7.28")
    assert order.total_amount == Decimal("59.28")
    assert order.cash_rounding_amount == Decimal("0.02")
    assert [(t.code, t.amount) for t in order.taxes.all()] == [("HST", Decimal("7.28"))]
    line = order.lines.get()
    assert (line.sku, line.quantity, line.unit_price) == ("HOOD-M", 1, Decimal("52.00"))


def test_cash_sale_records_payment_rounded(hoodie, clerk):
    order = sell(hoodie, clerk, tendered=Decimal("60.00"))

    payment = order.payments.get()
    assert payment.method == Payment.Method.CASH
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.amount == Decimal("59.30")
    assert payment.amount_tendered == Decimal("60.00")
    assert payment.stripe_payment_intent_id is None


def test_cash_sale_posts_drawer_sales_tax_rounding(hoodie, clerk):
    order = sell(hoodie, clerk, tendered=Decimal("60.00"))

    entry = JournalEntry.objects.get(event_key=f"sale:order:{order.pk}")
    assert entry_lines(entry) == [
        ("cash_drawer", Decimal("59.30"), Decimal("0.00")),
        ("sales_in_store", Decimal("0.00"), Decimal("52.00")),
        ("gst_hst_payable", Decimal("0.00"), Decimal("7.28")),
        ("cash_rounding", Decimal("0.00"), Decimal("0.02")),
    ]
    tax_line = entry.lines.get(account__key="gst_hst_payable")
    assert (tax_line.tax_code, tax_line.province) == ("HST", "NS")
    assert entry.invoice == Invoice.objects.get(order=order)


def test_cash_sale_takes_stock_and_posts_cost(hoodie, clerk):
    order = sell(hoodie, clerk, tendered=Decimal("60.00"))

    stock = Stock.objects.get(variant=hoodie)
    assert stock.quantity_on_hand == 4
    assert stock.value_amount == Decimal("80.00")
    movement = StockMovement.objects.get(kind=StockMovement.Kind.IN_STORE_SALE)
    assert (movement.quantity, movement.value_amount) == (-1, Decimal("-20.00"))
    assert movement.reference == str(order.number)
    assert movement.created_by == clerk
    cost = JournalEntry.objects.get(stock_movement=movement)
    assert entry_lines(cost) == [
        ("inventory", Decimal("0.00"), Decimal("20.00")),
        ("cost_of_goods_sold", Decimal("20.00"), Decimal("0.00")),
    ]


def test_debit_sale_not_rounded(hoodie, clerk):
    order = sell(hoodie, clerk, method="debit")

    assert order.cash_rounding_amount == Decimal("0.00")
    assert order.payments.get().amount == Decimal("59.28")
    entry = JournalEntry.objects.get(event_key=f"sale:order:{order.pk}")
    assert entry_lines(entry) == [
        ("card_terminal_clearing", Decimal("59.28"), Decimal("0.00")),
        ("sales_in_store", Decimal("0.00"), Decimal("52.00")),
        ("gst_hst_payable", Decimal("0.00"), Decimal("7.28")),
    ]


def test_same_client_key_records_once(hoodie, clerk):
    first = sell(hoodie, clerk, tendered=Decimal("60.00"), key="screen-1")

    second = sell(hoodie, clerk, tendered=Decimal("60.00"), key="screen-1")

    assert second.pk == first.pk
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 4
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.SALE).count() == 1


def test_sale_over_available_refused(hoodie, clerk):
    # An online order paid after the screen loaded holds 4 of the 5 units.
    Stock.objects.filter(variant=hoodie).update(quantity_allocated=4)

    with pytest.raises(CounterSaleError) as error:
        sell(hoodie, clerk, quantity=2, tendered=Decimal("120.00"))

    assert str(error.value) == (
        "Harbour Hoodie M (HOOD-M): 2 rung up but only 1 available; "
        "lower the quantity or remove it."
    )
    assert Order.objects.count() == 0
    assert Payment.objects.count() == 0
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 5
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.IN_STORE_SALE)
    assert not JournalEntry.objects.filter(kind=JournalEntry.Kind.SALE).exists()


def test_cash_short_of_total_refused(hoodie, clerk):
    with pytest.raises(CounterSaleError) as error:
        sell(hoodie, clerk, tendered=Decimal("50.00"))

    assert str(error.value) == (
        "Cash tendered 50.00 is less than the cash total 59.30; "
        "enter the amount handed over."
    )
    assert Order.objects.count() == 0
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 5


def test_sale_to_customer_emails_receipt(
    hoodie, clerk, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(email="robin@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        order = sell(hoodie, clerk, method="card_terminal", customer=customer)

    assert order.customer == customer
    assert order.email == "robin@example.com"
    assert [message.to for message in mail.outbox] == [["robin@example.com"]]


def test_walk_in_sale_sends_no_email(hoodie, clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = sell(hoodie, clerk, tendered=Decimal("60.00"))

    assert order.customer.full_name == "Walk-in customer"
    assert order.email == ""
    assert Invoice.objects.filter(order=order).count() == 1
    assert mail.outbox == []


def test_counter_sale_lowers_product_page_count(hoodie, clerk, client, settings):
    settings.SHOP_LOW_STOCK_THRESHOLD = 5

    sell(hoodie, clerk, quantity=2, tendered=Decimal("120.00"))

    response = client.get(hoodie.product.get_absolute_url())
    variant = response.context["product"].active_variants[0]
    assert variant.availability.label == "Only 3 left"
    assert "Only 3 left" in response.content.decode()
