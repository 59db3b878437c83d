"""The fulfillment queue, order page and status page for shipments."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from fulfillment import services, tasks
from fulfillment.models import Shipment
from inventory.models import StockMovement
from orders.models import Order
from tests.inventory.allocation_setup import paid_order, stock_of, stocked_variant

from .pdf_tools import page_count
from .shipment_setup import half_stocked_order, line_units

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:fulfillment_shipment_changelist"


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def ship(shipment, tracking_number="1234567890123456"):
    return services.mark_shipped(
        shipment=shipment,
        carrier="canadapost",
        service_code="DOM.EP",
        service_name="Expedited Parcel",
        tracking_number=tracking_number,
        user=None,
    )


def action(staff_client, name, shipments, **extra):
    data = {"action": name, "_selected_action": [s.pk for s in shipments], **extra}
    return staff_client.post(reverse(CHANGELIST), data)


def test_queue_lists_ready_and_packed_oldest_first(staff_client):
    first = paid_order([(stocked_variant(quantity=3), 1)]).shipments.get()
    second = paid_order([(stocked_variant(quantity=3), 1)]).shipments.get()
    shipped = ship(paid_order([(stocked_variant(quantity=3), 1)]).shipments.get())

    response = staff_client.get(reverse(CHANGELIST))

    numbers = [shipment.number for shipment in response.context["cl"].result_list]
    assert numbers == [first.number, second.number]
    assert shipped.number not in numbers


def test_queue_query_count_fixed(staff_client, django_assert_num_queries):
    for _ in range(2):
        paid_order([(stocked_variant(quantity=3), 1), (stocked_variant(quantity=3), 2)])
    with django_assert_num_queries(6):
        staff_client.get(reverse(CHANGELIST))
    for _ in range(5):
        paid_order([(stocked_variant(quantity=3), 1)])

    with django_assert_num_queries(6):
        response = staff_client.get(reverse(CHANGELIST))

    assert len(response.context["cl"].result_list) == 7


def test_print_packing_slips_one_pdf(staff_client):
    shipments = [
        paid_order([(stocked_variant(quantity=3), 1)]).shipments.get() for _ in range(3)
    ]

    response = action(staff_client, "print_packing_slips", shipments)

    assert response["Content-Type"] == "application/pdf"
    assert page_count(b"".join(response.streaming_content)) == 3


def test_mark_packed_action(staff_client):
    shipment = paid_order([(stocked_variant(quantity=3), 1)]).shipments.get()

    action(staff_client, "mark_packed", [shipment])

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.PACKED


def test_mark_shipped_action_form_ships(staff_client, admin_user):
    order = paid_order([(stocked_variant(quantity=3), 2)])
    shipment = order.shipments.get()
    prefix = f"shipment-{shipment.pk}"

    action(
        staff_client,
        "mark_shipped",
        [shipment],
        apply="1",
        **{
            f"{prefix}-carrier": "canadapost",
            f"{prefix}-service_name": "Expedited Parcel",
            f"{prefix}-tracking_number": "1234 5678 9012 3456",
        },
    )

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.SHIPPED
    assert shipment.tracking_number == "1234567890123456"
    movement = StockMovement.objects.get(kind=StockMovement.Kind.SHIPMENT)
    assert movement.created_by == admin_user
    assert Order.objects.get(pk=order.pk).status == Order.Status.SHIPPED


def test_mark_shipped_action_bad_tracking_keeps_form(staff_client):
    shipment = paid_order([(stocked_variant(quantity=3), 2)]).shipments.get()
    prefix = f"shipment-{shipment.pk}"

    response = action(
        staff_client,
        "mark_shipped",
        [shipment],
        apply="1",
        **{
            f"{prefix}-carrier": "canadapost",
            f"{prefix}-service_name": "Expedited Parcel",
            f"{prefix}-tracking_number": "12-34",
        },
    )

    assert "“12-34” is not a tracking number" in response.text
    assert 'value="Expedited Parcel"' in response.text
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.READY


def test_buy_labels_without_label_task_says_so(staff_client, monkeypatch):
    monkeypatch.delattr(tasks, "buy_label", raising=False)
    shipment = paid_order([(stocked_variant(quantity=3), 1)]).shipments.get()

    response = action(staff_client, "buy_labels", [shipment])

    page = staff_client.get(response["Location"])
    assert "Label buying is not set up in this shop" in page.text


def test_split_moves_units_to_new_shipment():
    order = paid_order(
        [(stocked_variant(quantity=5, sku="MUG"), 3), (stocked_variant(quantity=5), 1)]
    )
    shipment = order.shipments.get()
    mug_line = order.lines.get(sku="MUG")

    new = services.split_shipment(
        shipment=shipment, quantities={mug_line.pk: 2}, user=None
    )

    assert new.number == f"{order.number}-2"
    assert line_units(new) == [("MUG", 2)]
    assert ("MUG", 1) in line_units(shipment)


def test_split_of_everything_rejected():
    order = paid_order([(stocked_variant(quantity=5, sku="MUG"), 3)])
    shipment = order.shipments.get()

    with pytest.raises(services.ShipmentError) as error:
        services.split_shipment(
            shipment=shipment, quantities={order.lines.get().pk: 3}, user=None
        )

    assert str(error.value) == (
        f"Move at least one unit of shipment {shipment.number} and leave at least "
        "one unit in it."
    )
    assert order.shipments.count() == 1
    assert line_units(shipment) == [("MUG", 3)]


def test_split_view_over_quantity_message(staff_client):
    order = paid_order([(stocked_variant(quantity=5, sku="MUG"), 3)])
    shipment = order.shipments.get()
    url = reverse("admin:fulfillment_split", args=[shipment.pk])

    response = staff_client.post(url, {f"line_{order.lines.get().pk}": "4"})

    assert "Ensure this value is less than or equal to 3." in response.text
    assert order.shipments.count() == 1


def test_merge_puts_units_in_oldest():
    order = paid_order([(stocked_variant(quantity=5, sku="MUG"), 3)])
    first = order.shipments.get()
    second = services.split_shipment(
        shipment=first, quantities={order.lines.get().pk: 1}, user=None
    )

    merged = services.merge_shipments(shipments=[second, first], user=None)

    second.refresh_from_db()
    assert merged.pk == first.pk
    assert line_units(merged) == [("MUG", 3)]
    assert second.status == Shipment.Status.CANCELLED


def test_merge_of_two_orders_rejected(staff_client):
    first = paid_order([(stocked_variant(quantity=3), 1)]).shipments.get()
    second = paid_order([(stocked_variant(quantity=3), 1)]).shipments.get()

    response = action(staff_client, "merge_shipments", [first, second])

    page = staff_client.get(response["Location"])
    assert "The selected shipments belong to different orders" in page.text
    assert Shipment.objects.filter(status=Shipment.Status.READY).count() == 2


def test_cancel_rest_releases_allocations():
    order = paid_order(
        [(stocked_variant(quantity=5, sku="MUG"), 2), (stocked_variant(quantity=5), 1)]
    )
    shipment = order.shipments.get()
    mug_line = order.lines.get(sku="MUG")
    services.split_shipment(shipment=shipment, quantities={mug_line.pk: 2}, user=None)
    ship(shipment)

    dropped = services.cancel_rest_of_order(
        order=order, reason="Customer no longer wants them", user=None
    )

    assert dropped == 2
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    mug_line.refresh_from_db()
    assert mug_line.quantity_allocated == 0
    assert stock_of(mug_line.variant).quantity_allocated == 0
    assert stock_of(mug_line.variant).quantity_on_hand == 5
    assert not order.shipments.filter(status=Shipment.Status.READY).exists()


def test_cancel_rest_of_paid_order_rejected():
    order = paid_order([(stocked_variant(quantity=5), 2)])

    with pytest.raises(services.ShipmentError) as error:
        services.cancel_rest_of_order(order=order, reason="Changed mind", user=None)

    assert str(error.value) == (
        f"Order {order.number} is paid; only a partly shipped order can have the "
        "rest cancelled."
    )
    assert order.lines.get().quantity_allocated == 2


def test_order_page_lists_shipments_with_tracking(staff_client):
    order, _purchase_order = half_stocked_order()
    ship(order.shipments.get(), "1234567890123456")

    response = staff_client.get(reverse("admin:orders_order_change", args=[order.pk]))

    assert f"{order.number}-1</a> · Shipped · 2 x MUG-OAT" in response.text
    assert "searchFor=1234567890123456" in response.text
    assert reverse("admin:orders_order_cancel_rest", args=[order.pk]) in response.text


def test_status_page_shows_tracking(client):
    order, _purchase_order = half_stocked_order()
    ship(order.shipments.get(), "1234567890123456")

    response = client.get(order.get_absolute_url())

    assert (
        'href="https://www.canadapost-postescanada.ca/track-reperage/en#/search?'
        'searchFor=1234567890123456"'
    ) in response.text
    assert f"Parcel {order.number}-1: Shipped" in response.text


def test_cancel_rest_needs_change_permission(client):
    viewer = get_user_model().objects.create_user("viewer", is_staff=True)
    client.force_login(viewer)
    order, _purchase_order = half_stocked_order()
    ship(order.shipments.get())

    url = reverse("admin:orders_order_cancel_rest", args=[order.pk])
    response = client.post(url, {"reason": "No"})

    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).status == Order.Status.PARTLY_SHIPPED
