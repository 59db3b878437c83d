"""Canada Post contract shipping: labels, voids, transmit and manifests."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounting.models import JournalEntry
from fulfillment.labels import buy_label, void_label
from fulfillment.manifests import transmit_contract_shipments
from fulfillment.models import Shipment
from fulfillment.parcels import LabelInputError
from shipping.canadapost import CanadaPostException
from shipping.models import CarrierCall
from tests.fixtures.canadapost_server import CONTRACT_ID, LABEL_PDF

from .label_setup import make_box, make_shipment

pytestmark = pytest.mark.django_db

CONTRACT_SHIPMENT = "/rs/0001234567/0001234567/shipment"
SHIPMENT_LINK = CONTRACT_SHIPMENT + "/545021584835957806"


@pytest.fixture
def contract(canadapost, settings):
    settings.CANADAPOST_CONTRACT_ID = CONTRACT_ID
    return canadapost


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def contract_labelled() -> Shipment:
    make_box()
    shipment = make_shipment()
    return buy_label(shipment_id=shipment.pk)


def paths(server, method):
    return [r.path for r in server.requests if r.method == method]


def test_contract_label_creates_contract_shipment(contract):
    shipment = contract_labelled()

    posts = paths(contract, "POST")
    assert posts == ["/rs/ship/price", CONTRACT_SHIPMENT]
    created = next(r for r in contract.requests if r.path == CONTRACT_SHIPMENT)
    assert b"<group-id>ledgerfront</group-id>" in created.body
    assert f"<contract-id>{CONTRACT_ID}</contract-id>".encode() in created.body
    assert shipment.status == Shipment.Status.LABELLED
    assert shipment.tracking_number == "123456789012"
    assert shipment.carrier_shipment_id == "545021584835957806"
    assert shipment.label_refund_link == contract.url + SHIPMENT_LINK
    assert shipment.label_pdf.read() == LABEL_PDF


def test_label_without_contract_is_non_contract(canadapost):
    make_box()
    shipment = make_shipment()

    buy_label(shipment_id=shipment.pk)

    assert paths(canadapost, "POST") == [
        "/rs/ship/price",
        "/rs/0001234567/ncshipment",
    ]


def test_void_contract_label_deletes_shipment(contract):
    shipment = contract_labelled()

    void_label(shipment_id=shipment.pk)

    assert paths(contract, "DELETE") == [SHIPMENT_LINK]
    assert not [r for r in contract.requests if r.path.endswith("/refund")]
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.READY
    assert shipment.label_refund_link == ""
    original = JournalEntry.objects.get(event_key=f"label:shipment:{shipment.pk}")
    assert JournalEntry.objects.filter(reverses=original).count() == 1


def test_void_contract_label_rejected_keeps_it(contract):
    shipment = contract_labelled()
    contract.fail_next(10)

    with pytest.raises(CanadaPostException, match="Canada Post rejected"):
        void_label(shipment_id=shipment.pk)

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.LABELLED
    assert shipment.label_cost_amount == Decimal("10.21")
    assert not JournalEntry.objects.filter(reverses__isnull=False).exists()


def test_transmit_stores_manifest(contract):
    shipment = contract_labelled()
    today = timezone.localdate().isoformat()

    stored = transmit_contract_shipments(shipments=[shipment])

    assert stored == [f"manifests/{today}-1.pdf"]
    with default_storage.open(stored[0], "rb") as pdf:
        assert pdf.read() == LABEL_PDF
    assert paths(contract, "POST")[-1] == "/rs/0001234567/0001234567/manifest"
    transmit = contract.requests[-3].body
    assert b"<group-id>ledgerfront</group-id>" in transmit
    assert paths(contract, "GET")[-2:] == [
        "/rs/0001234567/0001234567/manifest/50000000001",
        "/rs/artifact/76108cb5192002d5/20000001/0",
    ]
    download = CarrierCall.objects.get(operation="get_artifact", reference=stored[0])
    assert download.succeeded
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.LABELLED


def test_second_transmit_numbers_next_manifest(contract):
    shipment = contract_labelled()
    transmit_contract_shipments(shipments=[shipment])

    stored = transmit_contract_shipments(shipments=[shipment])

    assert stored == [f"manifests/{timezone.localdate().isoformat()}-2.pdf"]


def test_transmit_rejects_non_contract(canadapost):
    make_box()
    shipment = buy_label(shipment_id=make_shipment().pk)
    canadapost.requests.clear()

    with pytest.raises(LabelInputError, match="contract label"):
        transmit_contract_shipments(shipments=[shipment])

    assert canadapost.requests == []


def test_transmit_action_downloads_manifest(contract, staff_client):
    shipment = contract_labelled()
    data = {
        "action": "transmit_contract_shipments",
        "_selected_action": [shipment.pk],
    }

    response = staff_client.post(
        reverse("admin:fulfillment_shipment_changelist") + "?queue=all", data
    )

    today = timezone.localdate().isoformat()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{today}-1.pdf"'
    assert b"".join(response.streaming_content) == LABEL_PDF
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Transmitted to Canada Post. Manifests stored: manifests/{today}-1.pdf."
    ]


def test_transmit_action_unlabelled_explains(contract, staff_client):
    shipment = make_shipment()
    data = {
        "action": "transmit_contract_shipments",
        "_selected_action": [shipment.pk],
    }

    response = staff_client.post(reverse("admin:fulfillment_shipment_changelist"), data)

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "None of the selected shipments has a Canada Post contract label waiting "
        "to be transmitted. Select labelled contract shipments."
    ]
    assert contract.requests == []
