import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from inventory.models import Stock, StockMovement
from inventory.services import (
    InsufficientStockError,
    OpeningStockAlreadySetError,
    adjust_stock,
    record_sale,
    set_opening_stock,
    set_opening_stock_many,
)
from tests.factories.inventory import StockFactory
from tests.factories.shop import VariantFactory


def movement_total(variant):
    total = StockMovement.objects.filter(stock__variant=variant).aggregate(
        total=Sum("quantity")
    )["total"]
    return total or 0


def on_hand(variant):
    return Stock.objects.get(variant=variant).quantity_on_hand


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("clerk", is_staff=True)


@pytest.mark.django_db
def test_set_opening_stock_records_movement(staff):
    variant = VariantFactory()

    movement = set_opening_stock(variant=variant, quantity=12, user=staff)

    assert movement.kind == StockMovement.Kind.OPENING
    assert movement.quantity == 12
    assert movement.created_by == staff
    assert movement.reason == "Opening stock"
    assert on_hand(variant) == 12
    assert movement_total(variant) == 12


@pytest.mark.django_db
def test_set_opening_stock_zero_creates_row_only():
    variant = VariantFactory()

    movement = set_opening_stock(variant=variant, quantity=0)

    assert movement is None
    assert on_hand(variant) == 0
    assert StockMovement.objects.count() == 0


@pytest.mark.django_db
def test_set_opening_stock_twice_rejected():
    variant = VariantFactory()
    set_opening_stock(variant=variant, quantity=5)

    with pytest.raises(OpeningStockAlreadySetError, match="adjustment instead"):
        set_opening_stock(variant=variant, quantity=9)

    assert on_hand(variant) == 5
    assert StockMovement.objects.count() == 1


@pytest.mark.django_db
def test_set_opening_stock_negative_rejected():
    variant = VariantFactory(sku="TEE-S")

    with pytest.raises(ValueError, match="TEE-S is -1; enter 0 or more"):
        set_opening_stock(variant=variant, quantity=-1)

    assert Stock.objects.count() == 0


@pytest.mark.django_db
def test_set_opening_stock_many_skips_existing():
    stocked, fresh, empty = VariantFactory(), VariantFactory(), VariantFactory()
    set_opening_stock(variant=stocked, quantity=4)

    created = set_opening_stock_many(
        quantities={stocked.pk: 40, fresh.pk: 7, empty.pk: 0}
    )

    assert created == 2
    assert on_hand(stocked) == 4
    assert on_hand(fresh) == 7
    assert on_hand(empty) == 0
    assert movement_total(fresh) == 7
    assert StockMovement.objects.filter(stock__variant=empty).count() == 0


@pytest.mark.django_db
def test_adjust_stock_adds_and_removes(staff):
    variant = VariantFactory()
    set_opening_stock(variant=variant, quantity=10)

    adjust_stock(variant=variant, quantity_change=-3, reason="Damaged", user=staff)
    movement = adjust_stock(
        variant=variant,
        quantity_change=2,
        reason="Found in back room",
        user=staff,
        reference="COUNT-7",
    )

    assert on_hand(variant) == 9
    assert movement_total(variant) == 9
    assert movement.kind == StockMovement.Kind.ADJUSTMENT
    assert movement.reason == "Found in back room"
    assert movement.reference == "COUNT-7"
    assert movement.created_by == staff


@pytest.mark.django_db
def test_adjust_stock_below_zero_rejected(staff):
    variant = VariantFactory(sku="MUG-1")
    set_opening_stock(variant=variant, quantity=2)

    with pytest.raises(InsufficientStockError, match="MUG-1 has 2 on hand"):
        adjust_stock(variant=variant, quantity_change=-3, reason="Count", user=staff)

    assert on_hand(variant) == 2
    assert StockMovement.objects.count() == 1


@pytest.mark.django_db
def test_adjust_stock_without_row_starts_at_zero(staff):
    variant = VariantFactory()

    adjust_stock(variant=variant, quantity_change=6, reason="Delivery", user=staff)

    assert on_hand(variant) == 6
    assert movement_total(variant) == 6


@pytest.mark.django_db
def test_adjust_stock_blank_reason_rejected(staff):
    variant = VariantFactory()

    with pytest.raises(ValueError, match="Give a reason"):
        adjust_stock(variant=variant, quantity_change=1, reason="  ", user=staff)

    assert Stock.objects.count() == 0


@pytest.mark.django_db
def test_adjust_stock_zero_change_rejected(staff):
    variant = VariantFactory(sku="CAP-1")

    with pytest.raises(ValueError, match="CAP-1 is 0 units"):
        adjust_stock(variant=variant, quantity_change=0, reason="Count", user=staff)

    assert Stock.objects.count() == 0


@pytest.mark.django_db
def test_insufficient_stock_is_value_error():
    assert issubclass(InsufficientStockError, ValueError)


@pytest.mark.django_db
def test_record_sale_takes_units_with_reference():
    first, second = VariantFactory(), VariantFactory()
    set_opening_stock(variant=first, quantity=10)
    set_opening_stock(variant=second, quantity=3)

    taken = record_sale(items=[(first.pk, 4), (second.pk, 1)], reference="100042")

    assert taken == {first.pk: 4, second.pk: 1}
    assert on_hand(first) == 6
    assert on_hand(second) == 2
    assert movement_total(first) == 6
    assert movement_total(second) == 2
    sale = StockMovement.objects.get(stock__variant=first, kind="sale")
    assert sale.quantity == -4
    assert sale.reference == "100042"
    assert sale.created_by is None


@pytest.mark.django_db
def test_record_sale_takes_what_there_is():
    short, empty, unstocked = VariantFactory(), VariantFactory(), VariantFactory()
    set_opening_stock(variant=short, quantity=2)
    set_opening_stock(variant=empty, quantity=0)

    taken = record_sale(
        items=[(short.pk, 5), (empty.pk, 1), (unstocked.pk, 2)], reference="100043"
    )

    assert taken == {short.pk: 2, empty.pk: 0, unstocked.pk: 0}
    assert on_hand(short) == 0
    assert on_hand(empty) == 0
    assert movement_total(short) == 0
    assert not Stock.objects.filter(variant=unstocked).exists()


@pytest.mark.django_db
def test_record_sale_adds_repeated_variant():
    variant = VariantFactory()
    set_opening_stock(variant=variant, quantity=10)

    taken = record_sale(items=[(variant.pk, 2), (variant.pk, 3)], reference="100044")

    assert taken == {variant.pk: 5}
    assert on_hand(variant) == 5
    assert StockMovement.objects.filter(kind="sale").count() == 1


@pytest.mark.django_db
def test_record_sale_zero_quantity_rejected():
    variant = VariantFactory()
    set_opening_stock(variant=variant, quantity=10)

    with pytest.raises(ValueError, match="must be 1 or more"):
        record_sale(items=[(variant.pk, 0)], reference="100045")

    assert on_hand(variant) == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_record_sale_locks_in_variant_order():
    first, second = VariantFactory(), VariantFactory()
    set_opening_stock(variant=first, quantity=5)
    set_opening_stock(variant=second, quantity=5)

    with CaptureQueriesContext(connection) as queries:
        record_sale(items=[(second.pk, 1), (first.pk, 1)], reference="100046")

    locking = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) == 1
    assert 'ORDER BY "inventory_stock"."variant_id" ASC' in locking[0]


def try_lock_elsewhere(variant_id):
    """Try to lock the variant's Stock row from another connection, NOWAIT."""
    outcome = {}

    def attempt():
        try:
            with transaction.atomic():
                Stock.objects.select_for_update(nowait=True).get(variant_id=variant_id)
            outcome["locked"] = False
        except DatabaseError:
            outcome["locked"] = True
        finally:
            connections.close_all()

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join()
    return outcome["locked"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_record_sale_holds_lock_until_commit():
    variant = VariantFactory()
    set_opening_stock(variant=variant, quantity=5)

    with transaction.atomic():
        record_sale(items=[(variant.pk, 1)], reference="100047")
        locked_during = try_lock_elsewhere(variant.pk)
    locked_after = try_lock_elsewhere(variant.pk)

    assert locked_during is True
    assert locked_after is False
    assert on_hand(variant) == 4


@pytest.mark.django_db
def test_set_opening_stock_on_stock_without_movements_rejected():
    stock = StockFactory(quantity_on_hand=3)

    with pytest.raises(OpeningStockAlreadySetError):
        set_opening_stock(variant=stock.variant, quantity=9)

    stock.refresh_from_db()
    assert stock.quantity_on_hand == 3
