from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from accounting.models import JournalEntry
from accounting.posting.stock import post_stock_movement
from inventory import services
from inventory.models import StockMovement
from tests.accounting.ledger_setup import entry_lines
from tests.factories.inventory import StockFactory
from tests.factories.shop import VariantFactory

ZERO = Decimal("0.00")


@pytest.fixture
def mug():
    return VariantFactory(sku="MUG-BLUE", unit_cost=Decimal("4.00"))


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user("clerk")


def entry_for(movement: StockMovement) -> JournalEntry:
    return JournalEntry.objects.get(event_key=f"stock:movement:{movement.pk}")


@pytest.mark.django_db
def test_opening_stock_posts_to_owners_equity(mug):
    movement = services.set_opening_stock(variant=mug, quantity=10)

    assert entry_lines(entry_for(movement)) == [
        ("inventory", Decimal("40.00"), ZERO),
        ("owners_equity", ZERO, Decimal("40.00")),
    ]


@pytest.mark.django_db
def test_sale_posts_cost_of_goods_sold(mug):
    services.set_opening_stock(variant=mug, quantity=10)

    services.record_sale(items=[(mug.pk, 3)], reference="100042")

    movement = StockMovement.objects.get(kind="sale")
    assert entry_lines(entry_for(movement)) == [
        ("inventory", ZERO, Decimal("12.00")),
        ("cost_of_goods_sold", Decimal("12.00"), ZERO),
    ]


@pytest.mark.django_db
def test_adjustment_down_posts_shrinkage(mug, clerk):
    services.set_opening_stock(variant=mug, quantity=10)

    movement = services.adjust_stock(
        variant=mug, quantity_change=-2, reason="Broken in storage", user=clerk
    )

    assert entry_lines(entry_for(movement)) == [
        ("inventory", ZERO, Decimal("8.00")),
        ("inventory_shrinkage", Decimal("8.00"), ZERO),
    ]


@pytest.mark.django_db
def test_adjustment_up_credits_shrinkage(mug, clerk):
    services.set_opening_stock(variant=mug, quantity=10)

    movement = services.adjust_stock(
        variant=mug, quantity_change=3, reason="Box found in back room", user=clerk
    )

    assert entry_lines(entry_for(movement)) == [
        ("inventory", Decimal("12.00"), ZERO),
        ("inventory_shrinkage", ZERO, Decimal("12.00")),
    ]


@pytest.mark.django_db
def test_return_credits_cost_of_goods_sold(mug):
    services.set_opening_stock(variant=mug, quantity=10)

    movement = services.return_to_stock(
        variant=mug, quantity=1, value_amount=Decimal("4.00"), reference="CN-7"
    )

    assert entry_lines(entry_for(movement)) == [
        ("inventory", Decimal("4.00"), ZERO),
        ("cost_of_goods_sold", ZERO, Decimal("4.00")),
    ]


@pytest.mark.django_db
def test_receipt_posts_goods_received_not_billed(mug):
    movement = services.receive_stock(
        variant=mug, quantity=24, unit_cost=Decimal("3.85"), reference="PO-12"
    )

    assert entry_lines(entry_for(movement)) == [
        ("inventory", Decimal("92.40"), ZERO),
        ("goods_received_not_billed", ZERO, Decimal("92.40")),
    ]


@pytest.mark.django_db
def test_stock_entry_describes_movement(mug, clerk):
    movement = services.receive_stock(
        variant=mug,
        quantity=24,
        unit_cost=Decimal("3.85"),
        reference="PO-12",
        user=clerk,
    )

    entry = entry_for(movement)

    assert entry.kind == JournalEntry.Kind.STOCK
    assert entry.description == "Receipt +24 MUG-BLUE (PO-12)"
    assert entry.stock_movement == movement
    assert entry.posted_by == clerk
    assert entry.lines.first().memo == "MUG-BLUE +24 units"


@pytest.mark.django_db
def test_stock_entry_dated_movement_day_in_shop_zone(mug):
    stock = StockFactory(variant=mug, value_amount=Decimal("40.00"))
    movement = StockMovement.objects.create(
        stock=stock, kind="opening", quantity=10, value_amount=Decimal("40.00")
    )
    # 02:30 UTC on March 14 is still March 13 in Halifax.
    StockMovement.objects.filter(pk=movement.pk).update(
        created_at=datetime(2026, 3, 14, 2, 30, tzinfo=UTC)
    )
    movement.refresh_from_db()

    with transaction.atomic():
        entry = post_stock_movement(movement=movement)

    assert entry.entry_date == date(2026, 3, 13)


@pytest.mark.django_db
def test_movement_without_value_posts_nothing():
    free = VariantFactory(unit_cost=None)

    movement = services.set_opening_stock(variant=free, quantity=10)

    assert movement.value_amount == ZERO
    assert JournalEntry.objects.count() == 0


@pytest.mark.django_db
def test_stock_movement_posted_twice_posts_once(mug):
    movement = services.set_opening_stock(variant=mug, quantity=10)

    with transaction.atomic():
        again = post_stock_movement(movement=movement)

    assert again == entry_for(movement)
    assert JournalEntry.objects.filter(stock_movement=movement).count() == 1


@pytest.mark.django_db
def test_bulk_opening_posts_one_entry_per_movement(mug):
    pen = VariantFactory(unit_cost=Decimal("0.35"))
    free = VariantFactory(unit_cost=None)

    services.set_opening_stock_many(quantities={mug.pk: 5, pen.pk: 100, free.pk: 3})

    entries = JournalEntry.objects.filter(kind="stock").order_by("pk")
    assert [entry_lines(entry) for entry in entries] == [
        [
            ("inventory", Decimal("20.00"), ZERO),
            ("owners_equity", ZERO, Decimal("20.00")),
        ],
        [
            ("inventory", Decimal("35.00"), ZERO),
            ("owners_equity", ZERO, Decimal("35.00")),
        ],
    ]
    assert [entry.event_key for entry in entries] == [
        f"stock:movement:{movement.pk}"
        for movement in StockMovement.objects.exclude(value_amount=0).order_by("pk")
    ]
