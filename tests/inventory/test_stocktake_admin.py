"""The stocktake screen: count sheet by category or SKU, errors keep input."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from inventory.models import Stock, StockMovement
from inventory.services import set_opening_stock
from tests.factories.shop import CategoryFactory, ProductFactory, VariantFactory

URL = "/admin/stocktake/"


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def mugs(db):
    category = CategoryFactory(name="Kitchen", slug="kitchen")
    product = ProductFactory(category=category, name="Mug")
    blue = VariantFactory(product=product, sku="MUG-BLUE", unit_cost=Decimal("4.00"))
    red = VariantFactory(product=product, sku="MUG-RED", unit_cost=Decimal("4.00"))
    set_opening_stock(variant=blue, quantity=10)
    set_opening_stock(variant=red, quantity=6)
    return blue, red


def test_stocktake_sheet_lists_category(admin_client, mugs):
    category = mugs[0].product.category

    response = admin_client.get(URL, {"category": category.pk})

    rows = [(row["variant"].sku, row["on_hand"]) for row in response.context["rows"]]
    assert rows == [("MUG-BLUE", 10), ("MUG-RED", 6)]


def test_stocktake_sheet_unknown_sku_named(admin_client, mugs):
    response = admin_client.get(URL, {"skus": "MUG-BLUE, MUG-GREEN"})

    assert response.context["rows"] == []
    assert "No variant has SKU MUG-GREEN; check the spelling." in (
        response.content.decode()
    )


def test_stocktake_post_records_counts(admin_client, mugs):
    blue, red = mugs

    response = admin_client.post(
        f"{URL}?skus=MUG-BLUE%0AMUG-RED",
        {f"count_{blue.pk}": "8", f"count_{red.pk}": "", "reason": "Year-end"},
    )

    assert response.status_code == 302
    assert Stock.objects.get(variant=blue).quantity_on_hand == 8
    assert Stock.objects.get(variant=red).quantity_on_hand == 6
    movement = StockMovement.objects.get(kind=StockMovement.Kind.STOCKTAKE)
    assert (movement.quantity, movement.reason) == (-2, "Year-end")


def test_stocktake_post_below_allocated_keeps_input(admin_client, mugs):
    blue, red = mugs
    Stock.objects.filter(variant=blue).update(quantity_allocated=4)

    response = admin_client.post(
        f"{URL}?skus=MUG-BLUE,MUG-RED",
        {f"count_{blue.pk}": "3", f"count_{red.pk}": "5", "reason": "Year-end"},
    )

    assert response.status_code == 200
    assert response.context["error"] == (
        "MUG-BLUE is counted at 3 but 4 are allocated to paid orders; recount, "
        "or release or ship those orders first."
    )
    entered = [row["entered"] for row in response.context["rows"]]
    assert entered == ["3", "5"]
    assert response.context["reason"] == "Year-end"
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.STOCKTAKE)


def test_stocktake_post_bad_number_named(admin_client, mugs):
    blue, _ = mugs

    response = admin_client.post(
        f"{URL}?skus=MUG-BLUE", {f"count_{blue.pk}": "ten", "reason": "Year-end"}
    )

    assert response.context["error"] == (
        "Counts must be whole numbers; correct MUG-BLUE ('ten')."
    )
    assert Stock.objects.get(variant=blue).quantity_on_hand == 10


def test_stocktake_screen_needs_staff(client, mugs):
    user = get_user_model().objects.create_user("shopper", password="pw")
    client.force_login(user)

    response = client.get(URL, {"skus": "MUG-BLUE"})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
