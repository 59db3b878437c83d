"""Change history of orders: staff address corrections and service changes."""

import pytest
from django.urls import reverse

from fulfillment.models import Shipment
from orders.models import Order
from tests.factories.orders import OrderFactory
from tests.inventory.allocation_setup import paid_order, stocked_variant

from .test_admin import address_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_order_address_correction_recorded(staff_client, admin_user):
    order = OrderFactory(ship_line1="5670 Spring Garden Road")
    url = reverse("admin:orders_order_change", args=[order.pk])

    staff_client.post(url, address_post(order, ship_line1="5680 Spring Garden Road"))

    latest, previous = Order.history.filter(id=order.pk)[:2]
    assert latest.history_user == admin_user
    assert previous.ship_line1 == "5670 Spring Garden Road"
    assert latest.ship_line1 == "5680 Spring Garden Road"


def test_order_history_page_shows_address_change(staff_client):
    order = OrderFactory(ship_line1="5670 Spring Garden Road")
    url = reverse("admin:orders_order_change", args=[order.pk])
    staff_client.post(url, address_post(order, ship_line1="5680 Spring Garden Road"))

    response = staff_client.get(reverse("admin:orders_order_history", args=[order.pk]))

    changes = response.context["page_obj"][0].history_delta_changes
    assert changes == [
        {
            "field": "Address",
            "old": "5670 Spring Garden Road",
            "new": "5680 Spring Garden Road",
        }
    ]


def test_shipping_action_records_staff_on_order(staff_client, admin_user):
    order = paid_order([(stocked_variant(quantity=3), 2)])
    shipment = order.shipments.get()
    prefix = f"shipment-{shipment.pk}"

    staff_client.post(
        reverse("admin:fulfillment_shipment_changelist"),
        {
            "action": "mark_shipped",
            "_selected_action": [shipment.pk],
            "apply": "1",
            f"{prefix}-carrier": "canadapost",
            f"{prefix}-service_name": "Expedited Parcel",
            f"{prefix}-tracking_number": "1234 5678 9012 3456",
        },
    )

    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.SHIPPED
    latest, previous = Order.history.filter(id=order.pk)[:2]
    assert (previous.status, latest.status) == ("paid", "shipped")
    assert latest.history_user == admin_user


def test_payment_outside_a_request_has_no_user():
    order = paid_order([(stocked_variant(quantity=3), 1)])

    latest = Order.history.filter(id=order.pk).first()

    assert latest.status == Order.Status.PAID
    assert latest.history_user is None
