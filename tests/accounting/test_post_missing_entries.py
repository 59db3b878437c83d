import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from accounting.models import JournalEntry
from accounting.services import issue_invoice
from inventory.models import StockMovement
from orders.models import Order
from tests.accounting.ledger_setup import entry_lines, priced_order
from tests.factories.inventory import StockFactory
from tests.factories.shop import VariantFactory

ZERO = Decimal("0.00")


def run(*args):
    out = io.StringIO()
    call_command("post_missing_entries", *args, stdout=out)
    return out.getvalue()


def invoiced_order_without_entry():
    order = priced_order(
        province="PE", lines=[(VariantFactory(price=Decimal("52.00")), 1)]
    )
    Order.objects.filter(pk=order.pk).update(status="paid", paid_at=order.created_at)
    order.refresh_from_db()
    with transaction.atomic():
        issue_invoice(order=order)
    return order


def movement_without_entry(value_amount):
    stock = StockFactory(quantity_on_hand=4, value_amount=value_amount)
    return StockMovement.objects.create(
        stock=stock, kind="opening", quantity=4, value_amount=value_amount
    )


@pytest.mark.django_db
def test_missing_sale_posted():
    order = invoiced_order_without_entry()

    output = run()

    entry = JournalEntry.objects.get(event_key=f"sale:order:{order.pk}")
    assert entry_lines(entry)[0] == ("stripe_clearing", Decimal("73.60"), ZERO)
    assert "Posted 1 sale entries." in output


@pytest.mark.django_db
def test_missing_stock_movement_posted():
    movement = movement_without_entry(Decimal("18.00"))

    output = run()

    entry = JournalEntry.objects.get(event_key=f"stock:movement:{movement.pk}")
    assert entry_lines(entry) == [
        ("inventory", Decimal("18.00"), ZERO),
        ("owners_equity", ZERO, Decimal("18.00")),
    ]
    assert "Posted 1 stock movement entries." in output


@pytest.mark.django_db
def test_movement_without_value_not_posted():
    movement_without_entry(ZERO)

    output = run()

    assert JournalEntry.objects.count() == 0
    assert "Posted 0 stock movement entries." in output


@pytest.mark.django_db
def test_second_run_posts_nothing():
    invoiced_order_without_entry()
    movement_without_entry(Decimal("18.00"))
    run()

    output = run()

    assert JournalEntry.objects.count() == 2
    assert output == "Posted 0 sale entries.\nPosted 0 stock movement entries.\n"


@pytest.mark.django_db
def test_dry_run_posts_nothing():
    invoiced_order_without_entry()
    movement_without_entry(Decimal("18.00"))

    output = run("--dry-run")

    assert JournalEntry.objects.count() == 0
    assert output == (
        "Would post 1 sale entries.\nWould post 1 stock movement entries.\n"
    )


@pytest.mark.django_db
def test_unbalanced_order_reported_others_posted():
    bad = invoiced_order_without_entry()
    Order.objects.filter(pk=bad.pk).update(total_amount=Decimal("80.00"))
    movement = movement_without_entry(Decimal("18.00"))

    with pytest.raises(CommandError) as raised:
        run()

    assert f"order {bad.number}: Entry 'sale:order:{bad.pk}' does not balance" in str(
        raised.value
    )
    assert list(JournalEntry.objects.values_list("event_key", flat=True)) == [
        f"stock:movement:{movement.pk}"
    ]
