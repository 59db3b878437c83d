"""The shipment page: what a phone's narrow queue leaves out is shown here."""

import pytest
from django.urls import reverse

from fulfillment.models import Shipment
from tests.factories.orders import OrderFactory

pytestmark = pytest.mark.django_db


def test_shipment_page_shows_ship_to_address(client, admin_user):
    order = OrderFactory(paid=True, ship_company="Harbour Books", ship_line2="Unit 4")
    shipment = Shipment.objects.create(number=f"{order.number}-1", order=order)
    client.force_login(admin_user)

    response = client.get(
        reverse("admin:fulfillment_shipment_change", args=[shipment.pk])
    )

    assert (
        "Avery Tremblay<br>Harbour Books<br>5670 Spring Garden Road<br>Unit 4<br>"
        "Halifax NS B3J 1H6"
    ) in response.text


def test_shipment_page_shows_tracking_link(client, admin_user):
    order = OrderFactory(paid=True)
    shipment = Shipment.objects.create(
        number=f"{order.number}-1",
        order=order,
        status=Shipment.Status.SHIPPED,
        carrier="canadapost",
        tracking_number="7023210155000012",
    )
    client.force_login(admin_user)

    response = client.get(
        reverse("admin:fulfillment_shipment_change", args=[shipment.pk])
    )

    assert "searchFor=7023210155000012" in response.text
