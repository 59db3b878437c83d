"""The "Void label" admin action and the shipment's document downloads."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounting.models import JournalEntry
from fulfillment.documents_store import store_packing_slip
from fulfillment.labels import buy_label
from fulfillment.models import Shipment

from .label_setup import make_box, make_shipment

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:fulfillment_shipment_changelist"


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def void(staff_client, shipments):
    data = {"action": "void_labels", "_selected_action": [s.pk for s in shipments]}
    # Labelled shipments are listed under their status, not the default queue.
    response = staff_client.post(reverse(CHANGELIST) + "?queue=all", data)
    return [str(message) for message in get_messages(response.wsgi_request)]


def labelled(**order_fields) -> Shipment:
    make_box()
    shipment = make_shipment(**order_fields)
    return buy_label(shipment_id=shipment.pk)


def document_url(shipment, document):
    return reverse(
        "admin:fulfillment_shipment_document",
        kwargs={"shipment_id": shipment.pk, "document": document},
    )


def test_void_action_voids_own_label(staff_client):
    shipment = labelled()

    shown = void(staff_client, [shipment])

    assert shown == [f"Label voided: shipment {shipment.number}."]
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.READY
    assert shipment.tracking_number == ""
    assert not shipment.label_pdf
    original = JournalEntry.objects.get(event_key=f"label:shipment:{shipment.pk}")
    assert JournalEntry.objects.filter(reverses=original).count() == 1


def test_void_action_rejects_unlabelled(staff_client):
    shipment = make_shipment()

    shown = void(staff_client, [shipment])

    assert shown == [
        f"Shipment {shipment.number} is Ready to pack: only a label not yet "
        f"handed to the carrier can be voided."
    ]
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.READY


def test_void_action_refund_failure_keeps_label(staff_client, canadapost):
    shipment = labelled()
    canadapost.fail_next(10)

    shown = void(staff_client, [shipment])

    assert shown == [
        f"The label of shipment {shipment.number} was not voided and nothing "
        f"changed: Canada Post rejected the request: Server — Test server: "
        f"temporary failure. If it keeps failing, void it in the Canada Post "
        f"account."
    ]
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.LABELLED
    assert shipment.tracking_number == "1234567890123456"
    assert shipment.label_cost_amount == Decimal("10.21")
    assert shipment.label_pdf
    assert not JournalEntry.objects.filter(reverses__isnull=False).exists()


def test_void_action_reports_each(staff_client):
    voided = labelled()
    ready = make_shipment(number="100900")

    shown = void(staff_client, [voided, ready])

    assert shown == [
        f"Label voided: shipment {voided.number}.",
        f"Shipment {ready.number} is Ready to pack: only a label not yet "
        f"handed to the carrier can be voided.",
    ]


def test_change_page_links_documents(staff_client):
    shipment = labelled()

    response = staff_client.get(
        reverse("admin:fulfillment_shipment_change", args=[shipment.pk])
    )

    page = response.content.decode()
    assert f'<a href="{document_url(shipment, "label")}">Download label' in page
    assert "Download packing slip" not in page


def test_label_download_sends_stored_pdf(staff_client):
    shipment = labelled()
    stored = shipment.label_pdf.read()

    response = staff_client.get(document_url(shipment, "label"))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="label-{shipment.number}.pdf"'
    )
    assert b"".join(response.streaming_content) == stored


def test_packing_slip_download_sends_stored_pdf(staff_client):
    shipment = make_shipment()
    store_packing_slip(shipment_id=shipment.pk)
    shipment.refresh_from_db()

    response = staff_client.get(document_url(shipment, "packing_slip"))

    assert response["Content-Disposition"] == (
        f'inline; filename="packing-slip-{shipment.number}.pdf"'
    )
    assert b"".join(response.streaming_content) == shipment.packing_slip_pdf.read()


def test_missing_slip_download_explains(staff_client):
    shipment = make_shipment()

    response = staff_client.get(document_url(shipment, "packing_slip"), follow=True)

    assert response.redirect_chain == [
        (reverse("admin:fulfillment_shipment_change", args=[shipment.pk]), 302)
    ]
    assert [str(m) for m in response.context["messages"]] == [
        f"Shipment {shipment.number} has no packing slip: it is stored within "
        f"minutes of the shipment being planned; until then use the “Print "
        f"packing slips” action."
    ]


def test_document_download_needs_staff(client):
    shipment = labelled()

    response = client.get(document_url(shipment, "label"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
