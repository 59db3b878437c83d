"""Stock history: settings changes, and movements with on hand before/after."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.admin_movements import recent_movements
from inventory.models import Stock
from inventory.services import adjust_stock, set_opening_stock
from tests.factories.shop import VariantFactory

from .test_admin import INLINE_MANAGEMENT, UNCHANGED_SETTINGS

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def stock():
    variant = VariantFactory(sku="MH01-M-Black")
    set_opening_stock(variant=variant, quantity=8)
    return Stock.objects.get(variant=variant)


def change_stock(staff_client, stock, **data):
    url = reverse("admin:inventory_stock_change", args=[stock.pk])
    unchanged = {**UNCHANGED_SETTINGS, "backorderable": "on", **INLINE_MANAGEMENT}
    response = staff_client.post(url, {**unchanged, **data})
    assert response.status_code == 302


def test_reorder_point_change_recorded(staff_client, stock, admin_user):
    change_stock(staff_client, stock, reorder_point="4")

    response = staff_client.get(
        reverse("admin:inventory_stock_history", args=[stock.pk])
    )

    latest = response.context["page_obj"][0]
    assert latest.history_user == admin_user
    assert latest.history_delta_changes == [
        {"field": "Reorder point", "old": "0", "new": "4"}
    ]


def test_adjustment_alone_adds_no_history_entry(staff_client, stock):
    entries = stock.history.count()

    change_stock(staff_client, stock, quantity_change="-3", reason="Water damage")

    assert stock.history.count() == entries


def test_adjustment_shows_on_hand_before_and_after(staff_client, stock):
    change_stock(staff_client, stock, quantity_change="-3", reason="Water damage")

    response = staff_client.get(
        reverse("admin:inventory_stock_change", args=[stock.pk])
    )

    assert "<td>Adjustment</td><td>-3</td><td>8 → 5</td><td>+0</td>" in response.text
    assert "<td>Opening stock</td><td>+8</td><td>0 → 8</td>" in response.text
    assert "<td>Water damage</td><td></td><td>admin</td>" in response.text


def test_history_page_lists_movements(staff_client, stock):
    change_stock(staff_client, stock, quantity_change="2", reason="Found a box")

    response = staff_client.get(
        reverse("admin:inventory_stock_history", args=[stock.pk])
    )

    assert "<td>Adjustment</td><td>+2</td><td>8 → 10</td>" in response.text


def test_recent_movements_run_from_oldest(stock):
    for change in (-1, -2, 5):
        adjust_stock(
            variant=stock.variant, quantity_change=change, reason="Count", user=None
        )

    movements = recent_movements(stock, limit=3)

    assert [m.quantity for m in movements] == [5, -2, -1]
    assert [m.on_hand_after for m in movements] == [10, 5, 7]


def test_movements_link_filters_changelist(staff_client, stock):
    other = VariantFactory(sku="MH01-L-Gray")
    set_opening_stock(variant=other, quantity=2)
    url = reverse("admin:inventory_stockmovement_changelist")

    response = staff_client.get(url, {"stock__id__exact": stock.pk})

    assert [m.stock_id for m in response.context["cl"].result_list] == [stock.pk]


def change_page_queries(staff_client, sku, movements):
    variant = VariantFactory(sku=sku)
    set_opening_stock(variant=variant, quantity=50)
    for _ in range(movements):
        adjust_stock(variant=variant, quantity_change=-1, reason="Count", user=None)
    stock = Stock.objects.get(variant=variant)
    url = reverse("admin:inventory_stock_change", args=[stock.pk])
    staff_client.get(url)  # fills the content type cache
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_stock_change_page_queries_fixed(staff_client):
    few = change_page_queries(staff_client, "MUG-BLUE", 1)
    many = change_page_queries(staff_client, "MUG-GREEN", 30)

    assert few == many
