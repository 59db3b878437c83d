"""Oversold lines: the customer's email and the staff's choices."""

import pytest
from django.urls import reverse

from inventory.allocation import allocate_order
from orders.models import Order
from shop.models import EmailLog
from tests.factories.orders import order_with_lines
from tests.inventory.allocation_setup import paid_order, stock_of, stocked_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def oversold_order(variant, quantity):
    order = order_with_lines(lines=[(variant, quantity)], number=100777)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID)
    return order


def test_oversold_line_emails_customer_on_commit(
    mailoutbox, django_capture_on_commit_callbacks
):
    variant = stocked_variant(quantity=1, backorderable=False)
    order = oversold_order(variant, 3)

    with django_capture_on_commit_callbacks(execute=True):
        allocate_order(order=order)

    [message] = mailoutbox
    assert message.to == [order.email]
    assert message.subject == "Part of your order 100777 sold out"
    assert f"2 of 3 x {order.lines.get().name}" in message.body
    log = EmailLog.objects.get()
    assert (log.kind, log.reference, log.status) == ("oversold", "100777", "sent")


def test_allocation_in_stock_sends_no_email(
    mailoutbox, django_capture_on_commit_callbacks
):
    variant = stocked_variant(quantity=5, backorderable=False)
    order = oversold_order(variant, 3)

    with django_capture_on_commit_callbacks(execute=True):
        allocate_order(order=order)

    assert mailoutbox == []


def test_oversold_email_sent_once(mailoutbox, django_capture_on_commit_callbacks):
    from orders.tasks import send_oversold_email

    variant = stocked_variant(quantity=1, backorderable=False)
    order = oversold_order(variant, 3)
    with django_capture_on_commit_callbacks(execute=True):
        allocate_order(order=order)

    sent_again = send_oversold_email(order.pk)

    assert sent_again is False
    assert len(mailoutbox) == 1


def test_order_page_offers_oversold_choices(staff_client):
    variant = stocked_variant(quantity=1, backorderable=False, sku="MH01-M-Black")
    order = paid_order([(variant, 3)])
    line = order.lines.get()

    response = staff_client.get(reverse("admin:orders_order_change", args=[order.pk]))

    assert "MH01-M-Black" in response.text
    assert reverse("admin:accounting_refund_order", args=[order.pk]) in response.text
    backorder = reverse(
        "admin:orders_order_oversold", args=[order.pk, line.pk, "backorder"]
    )
    assert backorder in response.text


def test_backorder_button_backorders_oversold_units(staff_client):
    variant = stocked_variant(quantity=1, backorderable=False)
    order = paid_order([(variant, 3)])
    line = order.lines.get()
    url = reverse("admin:orders_order_oversold", args=[order.pk, line.pk, "backorder"])

    response = staff_client.post(url)

    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.quantity_oversold, line.quantity_backordered) == (0, 2)
    assert line.quantity_allocated == 1


def test_cancel_button_drops_oversold_units(staff_client):
    variant = stocked_variant(quantity=1, backorderable=False)
    order = paid_order([(variant, 3)])
    line = order.lines.get()
    url = reverse("admin:orders_order_oversold", args=[order.pk, line.pk, "cancel"])

    staff_client.post(url)

    line.refresh_from_db()
    assert (line.quantity_oversold, line.quantity_backordered) == (0, 0)
    assert stock_of(variant).quantity_allocated == 1


def test_backorder_button_on_line_without_oversold_shows_error(staff_client):
    variant = stocked_variant(quantity=5, sku="MH01-M-Black")
    order = paid_order([(variant, 2)])
    line = order.lines.get()
    url = reverse("admin:orders_order_oversold", args=[order.pk, line.pk, "backorder"])

    response = staff_client.post(url, follow=True)

    assert (
        f"MH01-M-Black on order {order.number} has no oversold units; "
        "nothing to change."
    ) in response.text
    line.refresh_from_db()
    assert (line.quantity_allocated, line.quantity_backordered) == (2, 0)
