"""CSV import and export of stock levels in the admin."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db.models import Sum
from django.urls import reverse

from accounting.models import JournalEntry
from inventory.models import Location, Stock, StockMovement
from inventory.services import set_opening_stock
from tests.accounting.ledger_setup import account_balances
from tests.factories.inventory import SupplierFactory
from tests.factories.shop import VariantFactory
from tests.inventory.allocation_setup import paid_order
from tests.shop.csv_import_setup import (
    confirm,
    export_rows_and_queries,
    import_csv,
    outcomes,
    preview_errors,
    upload,
)

pytestmark = pytest.mark.django_db

STOCK = "inventory_stock"
HEADER = (
    "sku,product,location,bin,supplier,reorder_point,reorder_quantity,"
    "backorderable,on_hand,allocated"
)


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def mugs():
    """10 blue mugs at $4.00 and 3 green ones at $5.00, at the shop."""
    blue = VariantFactory(sku="MUG-BLUE", unit_cost=Decimal("4.00"))
    green = VariantFactory(sku="MUG-GREEN", unit_cost=Decimal("5.00"))
    set_opening_stock(variant=blue, quantity=10)
    set_opening_stock(variant=green, quantity=3)
    return blue, green


def on_hand(sku):
    return Stock.objects.get(variant__sku=sku).quantity_on_hand


def test_import_records_stocktake_movements(staff_client, mugs, admin_user):
    text = "sku,on_hand\nMUG-BLUE,7\nMUG-GREEN,5"

    import_csv(staff_client, STOCK, text, "count.csv")

    movements = StockMovement.objects.filter(kind=StockMovement.Kind.STOCKTAKE)
    assert sorted(
        (m.stock.variant.sku, m.quantity, m.value_amount) for m in movements
    ) == [("MUG-BLUE", -3, Decimal("-12.00")), ("MUG-GREEN", 2, Decimal("10.00"))]
    assert {m.reason for m in movements} == {"CSV stock import count.csv"}
    assert {m.created_by for m in movements} == {admin_user}
    assert (on_hand("MUG-BLUE"), on_hand("MUG-GREEN")) == (7, 5)


def test_import_keeps_ledger_balanced(staff_client, mugs):
    import_csv(staff_client, STOCK, "sku,on_hand\nMUG-BLUE,7\nMUG-GREEN,5")

    balances = account_balances()
    assert sum(balances.values()) == Decimal("0.00")
    stock_value = Stock.objects.aggregate(total=Sum("value_amount"))["total"]
    assert balances["inventory"] == stock_value == Decimal("53.00")
    assert balances["inventory_shrinkage"] == Decimal("2.00")
    assert JournalEntry.objects.count() == 4


def test_first_count_is_opening_stock(staff_client):
    VariantFactory(sku="TEAPOT", unit_cost=Decimal("21.00"))

    import_csv(staff_client, STOCK, "sku,on_hand,reorder_point\nTEAPOT,4,2")

    stock = Stock.objects.get(variant__sku="TEAPOT")
    [movement] = stock.movements.all()
    assert (movement.kind, movement.quantity) == (StockMovement.Kind.OPENING, 4)
    assert (stock.quantity_on_hand, stock.reorder_point) == (4, 2)
    assert stock.value_amount == Decimal("84.00")


def test_settings_change_without_count(staff_client, mugs):
    supplier = SupplierFactory(name="Fireclay Pottery")
    text = "sku,bin,supplier,reorder_point,reorder_quantity,backorderable\n"
    text += "MUG-BLUE,A-3,fireclay pottery,4,12,no"

    import_csv(staff_client, STOCK, text)

    stock = Stock.objects.get(variant__sku="MUG-BLUE")
    assert (stock.bin_location, stock.supplier, stock.backorderable) == (
        "A-3",
        supplier,
        False,
    )
    assert (stock.reorder_point, stock.reorder_quantity) == (4, 12)
    assert stock.movements.count() == 1
    assert stock.history.first().history_change_reason == "CSV import import.csv"


def test_preview_rejects_bad_counts_and_saves_nothing(staff_client, mugs):
    text = "sku,on_hand,supplier\nMUG-BLUE,7,\nMUG-GREEN,-2,\nMUG-RED,1,\n"
    text += "MUG-BLUE,8,Acme"

    preview = upload(staff_client, STOCK, text)

    assert preview_errors(preview) == [
        "Row 3: on_hand '-2' is out of range; enter 0 to 1000000 units",
        "Row 4: sku 'MUG-RED' is not a variant of the shop; check it, or add the "
        "variant on its product's page first",
        "Row 5: sku 'MUG-BLUE' at location 'shop' is already on row 2; keep one "
        "row for it",
        "Row 5: supplier 'Acme' is not a supplier; check the spelling, or add the "
        "supplier in the admin's Suppliers list first",
    ]
    assert outcomes(preview)[0] == (2, "Changed")
    assert preview.context.get("confirm_form") is None
    assert (on_hand("MUG-BLUE"), on_hand("MUG-GREEN")) == (10, 3)
    assert StockMovement.objects.count() == 2
    assert JournalEntry.objects.count() == 2


def test_count_below_allocated_rejected(staff_client):
    teapot = VariantFactory(sku="TEAPOT", unit_cost=Decimal("21.00"))
    set_opening_stock(variant=teapot, quantity=5)
    paid_order([(teapot, 4)])

    preview = upload(staff_client, STOCK, "sku,on_hand\nTEAPOT,3")

    assert preview_errors(preview) == [
        "Row 2: on_hand 3 is below the 4 units allocated to paid orders; "
        "recount, or ship or release those orders first"
    ]
    assert on_hand("TEAPOT") == 5


def test_count_at_other_location_rejected(staff_client, mugs):
    Location.objects.create(code="warehouse", name="Warehouse")
    preview = upload(staff_client, STOCK, "sku,location,on_hand\nMUG-BLUE,warehouse,4")

    assert preview_errors(preview) == [
        "Row 2: on_hand can be counted at the default location only; leave it "
        "at 0 for location 'warehouse'"
    ]


def test_export_then_import_changes_nothing(staff_client, mugs):
    exported = staff_client.get(reverse("admin:inventory_stock_export"))
    text = exported.content.decode()

    preview = upload(staff_client, STOCK, text)

    assert text.removeprefix("\ufeff").splitlines() == [
        HEADER,
        f"MUG-BLUE,{mugs[0]},shop,,,0,0,yes,10,0",
        f"MUG-GREEN,{mugs[1]},shop,,,0,0,yes,3,0",
    ]
    assert outcomes(preview) == [(2, "Unchanged"), (3, "Unchanged")]


def export_queries(staff_client, count):
    for number in range(count):
        variant = VariantFactory(sku=f"EXPORT-{count}-{number}")
        set_opening_stock(variant=variant, quantity=1)
    rows, queries = export_rows_and_queries(
        staff_client, "admin:inventory_stock_export"
    )
    assert rows == Stock.objects.count()
    return queries


def test_export_queries_fixed(staff_client):
    few = export_queries(staff_client, 2)
    many = export_queries(staff_client, 8)

    assert few == many


def test_confirm_rolls_back_if_shop_changed(staff_client, mugs):
    blue = mugs[0]
    preview = upload(staff_client, STOCK, "sku,on_hand\nMUG-GREEN,5\nMUG-BLUE,7")
    paid_order([(blue, 8)])

    response = confirm(staff_client, STOCK, preview)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:inventory_stock_import")
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith(
        "Nothing was imported: Row 3: on_hand 7 is below the 8 units allocated "
        "to paid orders;"
    )
    assert (on_hand("MUG-BLUE"), on_hand("MUG-GREEN")) == (10, 3)
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.STOCKTAKE)
