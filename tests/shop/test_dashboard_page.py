from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from shop.models import EmailLog
from shop.roles import ACCOUNTING, FULFILLMENT, INVENTORY, MANAGER
from tests.factories.inventory import StockFactory
from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.shop.dashboard_setup import (
    carrier_call,
    email_log,
    paid_order,
    refund_in_full,
)
from tests.shop.test_roles import log_in

INDEX_URL = reverse("admin:index")
SALES = "sales"
LOOKUP = "lookup"
TO_SHIP = "Orders waiting to ship"
BACKORDER = "Order lines on backorder"
REORDER = "Variants at or below their reorder point"
EMAILS = "Emails that failed and were not resent"
CARRIER_CALLS = "Carrier calls failed, not retried"

PANELS = {
    FULFILLMENT: {LOOKUP, TO_SHIP, BACKORDER, CARRIER_CALLS},
    INVENTORY: {LOOKUP, REORDER},
    ACCOUNTING: {SALES, LOOKUP, TO_SHIP, BACKORDER, EMAILS},
    MANAGER: {SALES, LOOKUP, TO_SHIP, BACKORDER, REORDER, EMAILS, CARRIER_CALLS},
}


def dashboard_of(response) -> dict:
    return response.context["dashboard"]


def work_counts(response) -> dict:
    return {count.label: count for count in dashboard_of(response)["work_counts"]}


def listed(client, url: str) -> list:
    response = client.get(url)
    assert response.status_code == 200, url
    return list(response.context["cl"].result_list)


def fill(size: int) -> None:
    """Create `size` rows for every panel: sales, refunds and work waiting."""
    now = timezone.now()
    for index in range(size):
        order = paid_order(now, subtotal="40.00")
        OrderLineFactory(order=order, quantity=3, quantity_backordered=2)
        paid_order(now, subtotal="10.00", shipping="0", channel="in_store")
        refund_in_full(paid_order(now - timedelta(days=3), subtotal="5.00"), now)
        StockFactory(quantity_on_hand=1, reorder_point=5)
        email_log(EmailLog.Status.FAILED, reference=str(index))
        carrier_call(succeeded=False, reference=f"SH-{index}")


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(PANELS))
def test_dashboard_panels_per_role(client, role):
    log_in(client, role)

    response = client.get(INDEX_URL)

    dashboard = dashboard_of(response)
    shown = set(work_counts(response))
    if dashboard["sales_periods"]:
        shown.add(SALES)
    if dashboard["lookup_url"]:
        shown.add(LOOKUP)
    assert shown == PANELS[role]
    assert bool(dashboard["sales_chart"]) == (SALES in PANELS[role])


@pytest.mark.django_db
def test_dashboard_today_amounts_link_to_orders(admin_client):
    now = timezone.now()
    online = paid_order(now, subtotal="52.00")
    in_store = paid_order(now, subtotal="38.50", shipping="0", channel="in_store")
    paid_order(now - timedelta(days=40), subtotal="99.00")

    response = admin_client.get(INDEX_URL)

    today = dashboard_of(response)["sales_periods"][0]
    cells = dict(today.rows)["Sales"]
    assert [cell.text for cell in cells] == ["$64.00", "$38.50", "$102.50"]
    assert listed(admin_client, cells[0].url) == [online]
    assert listed(admin_client, cells[1].url) == [in_store]
    assert listed(admin_client, cells[2].url) == [in_store, online]


@pytest.mark.django_db
def test_dashboard_refund_links_to_credit_note(admin_client):
    now = timezone.now()
    order = paid_order(now - timedelta(days=40), subtotal="80.00", shipping="10.00")
    credit_note = refund_in_full(order, issued_at=now)

    response = admin_client.get(INDEX_URL)

    today = dashboard_of(response)["sales_periods"][0]
    refunds = dict(today.rows)["Refunds"]
    net = dict(today.rows)["Net sales"]
    assert [cell.text for cell in refunds] == ["$90.00", "$0.00", "$90.00"]
    assert [cell.text for cell in net] == ["-$90.00", "$0.00", "-$90.00"]
    assert listed(admin_client, refunds[0].url) == [credit_note]
    assert listed(admin_client, refunds[1].url) == []


@pytest.mark.django_db
def test_orders_waiting_to_ship_counted(admin_client):
    paid = OrderFactory(paid=True)
    partly = OrderFactory(paid=True, status=Order.Status.PARTLY_SHIPPED)
    OrderFactory(paid=True, status=Order.Status.SHIPPED)
    OrderFactory()  # awaiting payment

    response = admin_client.get(INDEX_URL)

    count = work_counts(response)[TO_SHIP]
    assert count.value == 2
    assert listed(admin_client, count.url) == [partly, paid]


@pytest.mark.django_db
def test_backorder_lines_and_units_counted(admin_client):
    paid = OrderFactory(paid=True)
    OrderLineFactory(order=paid, quantity=5, quantity_backordered=3)
    OrderLineFactory(order=paid, quantity=1, quantity_allocated=1)
    partly = OrderFactory(paid=True, status=Order.Status.PARTLY_SHIPPED)
    OrderLineFactory(order=partly, quantity=4, quantity_backordered=2)
    OrderLineFactory(order=OrderFactory(paid=True), quantity=2, quantity_allocated=2)

    response = admin_client.get(INDEX_URL)

    count = work_counts(response)[BACKORDER]
    assert count.value == 2
    assert count.detail == "5 units waiting for stock"
    assert listed(admin_client, count.url) == [partly, paid]


@pytest.mark.django_db
def test_one_backordered_unit_singular(admin_client):
    OrderLineFactory(order=OrderFactory(paid=True), quantity=2, quantity_backordered=1)

    response = admin_client.get(INDEX_URL)

    assert work_counts(response)[BACKORDER].detail == "1 unit waiting for stock"


@pytest.mark.django_db
def test_stock_below_reorder_point_counted(admin_client):
    StockFactory(quantity_on_hand=3, reorder_point=5)
    StockFactory(quantity_on_hand=5, reorder_point=5)
    StockFactory(quantity_on_hand=10, reorder_point=5)

    response = admin_client.get(INDEX_URL)

    count = work_counts(response)[REORDER]
    assert count.value == 2
    assert count.url == reverse("admin:inventory_reorder")


@pytest.mark.django_db
def test_failed_email_listed_with_link(admin_client):
    failed = EmailLog.objects.create(
        to="avery@example.com",
        subject="Invoice 1001",
        kind="invoice",
        reference="1001",
        status=EmailLog.Status.FAILED,
        error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    for status in (EmailLog.Status.FAILED, EmailLog.Status.SENT):
        email_log(status, to="sam@example.com", reference="1002")

    response = admin_client.get(INDEX_URL)

    count = work_counts(response)[EMAILS]
    assert count.value == 1
    assert count.detail == "failed in the last 7 days"
    assert listed(admin_client, count.url) == [failed]


@pytest.mark.django_db
def test_failed_carrier_call_listed_with_link(admin_client):
    failed = carrier_call(succeeded=False, reference="100001-1")
    carrier_call(succeeded=False, reference="100002-1")
    carrier_call(succeeded=True, reference="100002-1")

    response = admin_client.get(INDEX_URL)

    count = work_counts(response)[CARRIER_CALLS]
    assert count.value == 1
    assert count.detail == "failed in the last 7 days"
    assert listed(admin_client, count.url) == [failed]


@pytest.mark.django_db
def test_lookup_box_submits_to_lookup(client):
    log_in(client, FULFILLMENT)

    response = client.get(INDEX_URL)

    html = response.content.decode()
    assert '<form class="dash-lookup" method="get" action="/admin/lookup/"' in html
    assert 'name="q"' in html


@pytest.mark.django_db
def test_chart_draws_two_bars_a_day(admin_client):
    paid_order(timezone.now(), subtotal="52.00")

    response = admin_client.get(INDEX_URL)

    html = response.content.decode()
    assert html.count("<rect ") == 60
    assert html.count('<tr><th scope="row">') == 30
    assert "<td>$64.00</td><td>$0.00</td><td>$64.00</td>" in html


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 12])
def test_index_queries_fixed_whatever_data_size(
    client, django_assert_num_queries, size
):
    fill(size)
    log_in(client, MANAGER)
    client.get(INDEX_URL)  # warm the content types cache

    with django_assert_num_queries(14):
        response = client.get(INDEX_URL)

    today_sales = dict(dashboard_of(response)["sales_periods"][0].rows)["Sales"]
    assert today_sales[2].text == f"${Decimal('62.00') * size:,.2f}"
    assert work_counts(response)[EMAILS].value == size
