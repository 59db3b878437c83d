import pytest
from django.urls import reverse

from inventory.models import Stock, StockMovement
from inventory.services import set_opening_stock
from tests.factories.inventory import SupplierFactory
from tests.factories.shop import VariantFactory

# The movement inline is read-only, but the admin still expects its
# formset's management form in every post.
INLINE_MANAGEMENT = {
    "movements-TOTAL_FORMS": "0",
    "movements-INITIAL_FORMS": "0",
}
# The reorder settings as the change form shows them for new stock.
UNCHANGED_SETTINGS = {"reorder_point": "0", "reorder_quantity": "0"}


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_stock_admin_adjustment_records_a_movement(staff_client, admin_user):
    variant = VariantFactory(sku="MH01-M-Black")
    set_opening_stock(variant=variant, quantity=8)
    stock = Stock.objects.get(variant=variant)

    response = staff_client.post(
        reverse("admin:inventory_stock_change", args=[stock.pk]),
        {
            "quantity_change": "-3",
            "reason": "Water damage in the stock room",
            **UNCHANGED_SETTINGS,
            **INLINE_MANAGEMENT,
        },
    )

    assert response.status_code == 302
    stock.refresh_from_db()
    assert stock.quantity_on_hand == 5
    movement = stock.movements.get(kind=StockMovement.Kind.ADJUSTMENT)
    assert movement.quantity == -3
    assert movement.reason == "Water damage in the stock room"
    assert movement.created_by == admin_user


@pytest.mark.django_db
def test_stock_admin_rejects_removing_more_than_on_hand(staff_client):
    variant = VariantFactory(sku="MH01-L-Gray")
    set_opening_stock(variant=variant, quantity=2)
    stock = Stock.objects.get(variant=variant)

    response = staff_client.post(
        reverse("admin:inventory_stock_change", args=[stock.pk]),
        {
            "quantity_change": "-5",
            "reason": "Stocktake",
            **UNCHANGED_SETTINGS,
            **INLINE_MANAGEMENT,
        },
    )

    assert response.status_code == 200
    assert "MH01-L-Gray has 2 on hand, so at most 2 can be removed." in response.text
    stock.refresh_from_db()
    assert stock.quantity_on_hand == 2
    assert stock.movements.count() == 1


@pytest.mark.django_db
def test_stock_admin_add_records_opening_stock(staff_client, admin_user):
    variant = VariantFactory(sku="24-MB01")

    response = staff_client.post(
        reverse("admin:inventory_stock_add"),
        {"variant": variant.pk, "quantity": "12", **INLINE_MANAGEMENT},
    )

    assert response.status_code == 302
    stock = Stock.objects.get(variant=variant)
    assert stock.quantity_on_hand == 12
    opening = stock.movements.get()
    assert opening.kind == StockMovement.Kind.OPENING
    assert opening.created_by == admin_user


@pytest.mark.django_db
def test_stock_admin_rejects_absurd_adjustment(staff_client):
    variant = VariantFactory(sku="MH01-XL-Black")
    set_opening_stock(variant=variant, quantity=7)
    stock = Stock.objects.get(variant=variant)

    response = staff_client.post(
        reverse("admin:inventory_stock_change", args=[stock.pk]),
        {
            "quantity_change": "99999999999999",
            "reason": "Typo",
            **UNCHANGED_SETTINGS,
            **INLINE_MANAGEMENT,
        },
    )

    assert response.status_code == 200
    assert "less than or equal to 1000000" in response.text
    stock.refresh_from_db()
    assert stock.quantity_on_hand == 7


@pytest.mark.django_db
def test_stock_admin_saves_reorder_settings_without_movement(staff_client):
    variant = VariantFactory(sku="24-MB02")
    set_opening_stock(variant=variant, quantity=4)
    stock = Stock.objects.get(variant=variant)
    supplier = SupplierFactory(name="Harbour Bags Ltd.")

    response = staff_client.post(
        reverse("admin:inventory_stock_change", args=[stock.pk]),
        {
            "supplier": supplier.pk,
            "reorder_point": "3",
            "reorder_quantity": "12",
            "bin_location": "B-04",
            "quantity_change": "",
            "reason": "",
            **INLINE_MANAGEMENT,
        },
    )

    assert response.status_code == 302
    stock.refresh_from_db()
    assert stock.supplier == supplier
    assert stock.reorder_point == 3
    assert stock.reorder_quantity == 12
    assert stock.bin_location == "B-04"
    assert stock.backorderable is False
    assert stock.quantity_on_hand == 4
    assert stock.movements.count() == 1


@pytest.mark.django_db
def test_stock_admin_requires_reason_for_count_change(staff_client):
    variant = VariantFactory(sku="24-MB03")
    set_opening_stock(variant=variant, quantity=4)
    stock = Stock.objects.get(variant=variant)

    response = staff_client.post(
        reverse("admin:inventory_stock_change", args=[stock.pk]),
        {
            "quantity_change": "2",
            "reason": " ",
            "backorderable": "on",
            **INLINE_MANAGEMENT,
        },
    )

    assert response.status_code == 200
    assert "Give a reason for changing the count." in response.text
    stock.refresh_from_db()
    assert stock.quantity_on_hand == 4
