"""POST /api/stock-adjustments/: stock counted up or down from a scanner."""

from decimal import Decimal

import pytest

from accounting.models import JournalEntry
from inventory.models import Location, Stock, StockMovement
from inventory.services import set_opening_stock
from shop.roles import ACCOUNTING, FULFILLMENT, INVENTORY, MANAGER
from tests.accounting.ledger_setup import entry_lines
from tests.api.conftest import client_for
from tests.api.device_setup import permission_client, role_client
from tests.factories.shop import ProductFactory, VariantFactory
from tests.inventory.allocation_setup import paid_order
from tests.orders.test_concurrency import run_together

URL = "/api/stock-adjustments/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def hoodie():
    """HOOD-M, barcode 0062345000017: 5 on the shelf at $20.00 each."""
    variant = VariantFactory(
        product=ProductFactory(name="Harbour Hoodie"),
        sku="HOOD-M",
        barcode="0062345000017",
        unit_cost=Decimal("20.00"),
    )
    set_opening_stock(variant=variant, quantity=5)
    return variant


@pytest.fixture
def scanner():
    return role_client(INVENTORY)


def adjust(
    client,
    code="HOOD-M",
    quantity_change=-2,
    reason="Damaged in store",
    key=None,
    **fields,
):
    body = {"code": code, "quantity_change": quantity_change, "reason": reason}
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(URL, {**body, **fields}, format="json", headers=headers)


def adjustments():
    return StockMovement.objects.filter(kind=StockMovement.Kind.ADJUSTMENT)


def test_adjustment_returns_new_stock_levels(hoodie, scanner):
    client, _user = scanner

    response = adjust(client)

    assert response.status_code == 201
    body = response.json()
    assert body["sku"] == "HOOD-M"
    assert body["location"] == "shop"
    assert body["quantity_change"] == -2
    assert body["reason"] == "Damaged in store"
    assert body["quantity_on_hand"] == 3
    assert body["quantity_allocated"] == 0
    assert body["quantity_available"] == 3


def test_adjustment_records_movement_by_token_user(hoodie, scanner):
    client, user = scanner

    response = adjust(client)

    movement = adjustments().get()
    assert response.json()["movement_id"] == movement.pk
    assert movement.quantity == -2
    assert movement.value_amount == Decimal("-40.00")
    assert movement.reason == "Damaged in store"
    assert movement.created_by == user
    assert movement.reference == ""


def test_adjustment_posts_shrinkage_at_cost(hoodie, scanner):
    client, _user = scanner

    adjust(client)

    movement = adjustments().get()
    entry = JournalEntry.objects.get(event_key=f"stock:movement:{movement.pk}")
    assert entry_lines(entry) == [
        ("inventory", Decimal("0.00"), Decimal("40.00")),
        ("inventory_shrinkage", Decimal("40.00"), Decimal("0.00")),
    ]


def test_adjustment_by_barcode_adds_units(hoodie, scanner):
    client, _user = scanner

    response = adjust(client, code="0062345000017", quantity_change=3, reason="Found")

    assert response.status_code == 201
    assert response.json()["quantity_on_hand"] == 8
    stock = Stock.objects.get(variant=hoodie)
    assert stock.quantity_on_hand == 8
    assert stock.value_amount == Decimal("160.00")


def test_adjustment_sku_matches_any_case(hoodie, scanner):
    client, _user = scanner

    response = adjust(client, code="hood-m", quantity_change=1, reason="Found")

    assert response.status_code == 201
    assert response.json()["quantity_on_hand"] == 6


def test_adjustment_reports_allocated_units(hoodie, scanner):
    paid_order([(hoodie, 2)])
    client, _user = scanner

    response = adjust(client, quantity_change=-1)

    body = response.json()
    assert (body["quantity_on_hand"], body["quantity_allocated"]) == (4, 2)
    assert body["quantity_available"] == 2


def test_adjustment_below_allocated_is_rejected(hoodie, scanner):
    paid_order([(hoodie, 2)])
    client, _user = scanner

    response = adjust(client, quantity_change=-4)

    assert response.status_code == 400
    assert response.json() == {
        "quantity_change": [
            "HOOD-M has 5 on hand and 2 allocated to paid orders, so at most "
            "3 can be removed."
        ]
    }
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 5
    assert not adjustments().exists()


def test_adjustment_below_zero_is_rejected(hoodie, scanner):
    client, _user = scanner

    response = adjust(client, quantity_change=-6)

    assert response.status_code == 400
    assert response.json() == {
        "quantity_change": ["HOOD-M has 5 on hand, so at most 5 can be removed."]
    }
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 5


def test_adjustment_unknown_code_is_rejected(hoodie, scanner):
    client, _user = scanner

    response = adjust(client, code="HOOD-XL")

    assert response.status_code == 400
    assert response.json() == {
        "code": [
            "No variant has SKU or barcode 'HOOD-XL'; scan the barcode again or "
            "type the SKU from the label."
        ]
    }


def test_adjustment_shared_barcode_is_rejected(hoodie, scanner):
    VariantFactory(sku="HOOD-L", barcode="0062345000017")
    client, _user = scanner

    response = adjust(client, code="0062345000017")

    assert response.status_code == 400
    assert response.json() == {
        "code": [
            "Barcode '0062345000017' is on more than one variant (HOOD-L, "
            "HOOD-M); send the SKU instead."
        ]
    }


def test_adjustment_of_zero_units_is_rejected(hoodie, scanner):
    client, _user = scanner

    response = adjust(client, quantity_change=0)

    assert response.status_code == 400
    assert response.json() == {
        "quantity_change": [
            "A change of 0 units records nothing; send the units found "
            "(positive) or taken away (negative)."
        ]
    }


def test_adjustment_without_reason_is_rejected(hoodie, scanner):
    client, _user = scanner

    response = adjust(client, reason="  ")

    assert response.status_code == 400
    assert response.json() == {"reason": ["This field may not be blank."]}
    assert not adjustments().exists()


def test_adjustment_unknown_location_is_rejected(hoodie, scanner):
    client, _user = scanner

    response = adjust(client, location="depot")

    assert response.status_code == 400
    assert response.json() == {
        "location": ["No location has code 'depot'; use one of: shop."]
    }


def test_adjustment_at_other_location_is_rejected(hoodie, scanner):
    Location.objects.create(code="depot", name="Depot")
    client, _user = scanner

    response = adjust(client, location="depot")

    assert response.status_code == 400
    assert response.json() == {
        "location": [
            "Stock at Depot (depot) cannot be adjusted through the API yet; "
            "leave the location out to adjust the default location."
        ]
    }


def test_adjustment_at_default_location_code(hoodie, scanner):
    client, _user = scanner

    response = adjust(client, location="shop")

    assert response.status_code == 201
    assert response.json()["quantity_on_hand"] == 3


def test_adjustment_retry_with_key_counts_once(hoodie, scanner):
    client, _user = scanner

    first = adjust(client, key="scan-0001")
    retry = adjust(client, key="scan-0001")

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["movement_id"] == first.json()["movement_id"]
    assert retry.json()["quantity_on_hand"] == 3
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert adjustments().get().reference == "API scan-0001"
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 3


def test_adjustment_key_reused_for_other_change(hoodie, scanner):
    client, _user = scanner
    first = adjust(client, key="scan-0001")

    response = adjust(client, quantity_change=-1, key="scan-0001")

    assert response.status_code == 422
    assert response.json() == {
        "detail": (
            f"Idempotency-Key 'scan-0001' was used for adjustment "
            f"{first.json()['movement_id']} (HOOD-M -2, 'Damaged in store'); "
            "send a new key for a new adjustment."
        )
    }
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 3


def test_adjustment_invalid_key_is_rejected(hoodie, scanner):
    client, _user = scanner

    response = adjust(client, key="scan 0001")

    assert response.status_code == 400
    assert response.json() == {
        "Idempotency-Key": [
            "Idempotency-Key 'scan 0001' is invalid; use 1 to 64 visible ASCII "
            "characters without spaces, such as a UUID."
        ]
    }
    assert not adjustments().exists()


@pytest.mark.parametrize("role", [ACCOUNTING, FULFILLMENT])
def test_adjustment_forbidden_without_change_stock(hoodie, role):
    client, _user = role_client(role)

    response = adjust(client)

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your account lacks the permission: inventory.change_stock."
    }
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 5


def test_adjustment_by_manager_is_allowed(hoodie):
    client, _user = role_client(MANAGER)

    response = adjust(client)

    assert response.status_code == 201


def test_adjustment_needs_staff_user(hoodie):
    client, _user = role_client(INVENTORY, is_staff=False)

    response = adjust(client)

    assert response.status_code == 403


def test_adjustment_needs_token(hoodie, client):
    response = client.post(URL, {}, content_type="application/json")

    assert response.status_code == 401


def test_adjustment_with_only_change_stock(hoodie):
    client, _user = permission_client("inventory.change_stock")

    response = adjust(client)

    assert response.status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_keyed_retries_count_once(hoodie):
    first_scanner, user = permission_client("inventory.change_stock")
    second_scanner = client_for(user)
    responses = []

    errors = run_together(
        lambda: responses.append(adjust(first_scanner, key="scan-0001")),
        lambda: responses.append(adjust(second_scanner, key="scan-0001")),
    )

    assert errors == []
    assert sorted(response.status_code for response in responses) == [200, 201]
    assert adjustments().count() == 1
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 3
