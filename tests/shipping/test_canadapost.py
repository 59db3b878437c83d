import base64
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shipping.canadapost import (
    Address,
    CanadaPostClient,
    CanadaPostError,
    CanadaPostParcel,
    ShipmentRequest,
    quote_rates_with_fallback,
)
from shipping.models import CarrierCall
from tests.fixtures.canadapost_server import LABEL_PDF, PASSWORD, USERNAME

pytestmark = pytest.mark.django_db

PARCEL = CanadaPostParcel(
    weight_kg=Decimal("1.25"),
    length_cm=Decimal("30"),
    width_cm=Decimal("22.5"),
    height_cm=Decimal("10"),
)
SENDER = Address(
    name="Ledgerfront Demo Shop",
    address_line="1500 Barrington Street",
    city="Halifax",
    province="NS",
    postal_code="b3j 1z7",
    phone="902-555-0100",
)
CUSTOMER = Address(
    name="Jane Smith",
    address_line="290 Bremner Blvd",
    city="Toronto",
    province="ON",
    postal_code="M5V 3L9",
)


def client():
    return CanadaPostClient.from_settings(backoff_seconds=0.01)


def rates(origin="b3j 1z7", destination="M5V 3L9"):
    return client().get_rates(
        PARCEL, origin_postal_code=origin, destination_postal_code=destination
    )


def test_get_rates_parses_each_service(canadapost):
    quotes = rates()

    assert [
        (q.service_code, q.due_amount, q.base_amount, q.taxes_amount, q.transit_days)
        for q in quotes
    ] == [
        ("DOM.EP", Decimal("11.54"), Decimal("9.59"), Decimal("1.33"), 2),
        ("DOM.PC", Decimal("28.48"), Decimal("22.64"), Decimal("3.28"), 1),
        ("DOM.RP", Decimal("11.54"), Decimal("9.59"), Decimal("1.33"), 4),
        ("DOM.XP", Decimal("15.41"), Decimal("12.26"), Decimal("1.77"), 2),
    ]
    assert quotes[0].service_name == "Expedited Parcel"
    assert quotes[0].delivery_date == date(2026, 12, 9)
    assert quotes[0].pre_tax_amount == Decimal("10.21")


def test_get_rates_sends_vendor_media_type_and_auth(canadapost):
    rates()

    sent = canadapost.requests[0]
    token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    assert (sent.method, sent.path) == ("POST", "/rs/ship/price")
    assert sent.headers["Accept"] == "application/vnd.cpc.ship.rate-v4+xml"
    assert sent.headers["Content-Type"] == "application/vnd.cpc.ship.rate-v4+xml"
    assert sent.headers["Authorization"] == f"Basic {token}"
    assert sent.headers["Accept-language"] == "en-CA"


def test_get_rates_sends_namespace_and_formats(canadapost):
    rates()

    body = canadapost.requests[0].body.decode()
    assert '<mailing-scenario xmlns="http://www.canadapost.ca/ws/ship/rate-v4">' in body
    assert "<customer-number>0001234567</customer-number>" in body
    assert "<weight>1.250</weight>" in body
    assert "<length>30.0</length><width>22.5</width><height>10.0</height>" in body
    assert "<origin-postal-code>B3J1Z7</origin-postal-code>" in body
    assert "<postal-code>M5V3L9</postal-code>" in body


def test_get_rates_wrong_media_type_clear_error(canadapost, monkeypatch):
    monkeypatch.setattr("shipping.canadapost.client.RATE_MEDIA_TYPE", "application/xml")

    with pytest.raises(CanadaPostError) as error:
        rates()

    assert str(error.value) == (
        "Canada Post rejected the request: E003 — Accept must be "
        "application/vnd.cpc.ship.rate-v4+xml."
    )
    assert error.value.status_code == 406


def test_get_rates_wrong_namespace_clear_error(canadapost, monkeypatch):
    monkeypatch.setattr(
        "shipping.canadapost.rating.RATE_NS", "http://www.canadapost.ca/ws/ship/rate"
    )

    with pytest.raises(CanadaPostError) as error:
        rates()

    assert error.value.messages[0].code == "Server"
    assert "expected element {http://www.canadapost.ca/ws/ship/rate-v4}" in str(
        error.value
    )


def test_get_rates_unformatted_postal_code_rejected(canadapost, monkeypatch):
    monkeypatch.setattr(
        "shipping.canadapost.rating.format_postal_code", lambda value: value
    )

    with pytest.raises(CanadaPostError) as error:
        rates(origin="B3J1Z7", destination="M5V 3L9")

    assert str(error.value) == (
        "Canada Post rejected the request: 1002 — Invalid postal code "
        "'M5V 3L9' in postal-code."
    )


def test_get_rates_invalid_postal_code_not_sent(canadapost):
    with pytest.raises(ValueError, match="Invalid Canadian postal code 'M5V 3L'"):
        rates(destination="M5V 3L")

    assert canadapost.requests == []
    assert CarrierCall.objects.count() == 0


def test_get_rates_wrong_password_clear_error(canadapost, settings):
    settings.CANADAPOST_PASSWORD = "wrong-password"

    with pytest.raises(CanadaPostError) as error:
        rates()

    assert str(error.value) == (
        "Canada Post rejected the request: E001 — Invalid or missing API key."
    )
    assert CarrierCall.objects.get().status_code == 401


def test_error_document_lists_every_message(canadapost, settings):
    settings.CANADAPOST_CUSTOMER_NUMBER = "0009999999"

    with pytest.raises(CanadaPostError) as error:
        rates()

    assert str(error.value) == (
        "Canada Post rejected the request: AA004 — You cannot mail on behalf "
        "of the requested customer."
    )
    call = CarrierCall.objects.get()
    assert call.succeeded is False
    assert call.error == str(error.value)


def test_get_rates_retries_after_500(canadapost):
    canadapost.fail_next(1)

    quotes = rates()

    assert len(quotes) == 4
    calls = CarrierCall.objects.order_by("attempt")
    assert [(c.attempt, c.status_code, c.succeeded) for c in calls] == [
        (1, 500, False),
        (2, 200, True),
    ]
    assert calls[0].operation == "get_rates"


def test_get_rates_gives_up_after_three_500s(canadapost):
    canadapost.fail_next(3)

    with pytest.raises(CanadaPostError, match="Server — Test server"):
        rates()

    assert CarrierCall.objects.count() == 3


def test_fallback_uses_rate_table_on_timeout(canadapost, settings):
    settings.CANADAPOST_TIMEOUT = 0.2
    canadapost.delay_seconds = 0.6

    result = quote_rates_with_fallback(
        PARCEL,
        origin_postal_code="B3J1Z7",
        destination_postal_code="M5V3L9",
        province="ON",
        mailing_date=date(2026, 3, 5),
        client=client(),
    )

    assert result.from_rate_table is True
    assert {q.service_code: q.due_amount for q in result.quotes} == {
        "DOM.RP": Decimal("18.25"),
        "DOM.EP": Decimal("19.75"),
        "DOM.XP": Decimal("25.25"),
    }
    assert CarrierCall.objects.filter(succeeded=False).count() == 3


def test_fallback_raises_carrier_rejection(canadapost, settings):
    settings.CANADAPOST_CUSTOMER_NUMBER = "0009999999"

    with pytest.raises(CanadaPostError, match="AA004"):
        quote_rates_with_fallback(
            PARCEL,
            origin_postal_code="B3J1Z7",
            destination_postal_code="M5V3L9",
            province="ON",
            client=client(),
        )


def test_fallback_from_canada_post_when_up(canadapost):
    result = quote_rates_with_fallback(
        PARCEL,
        origin_postal_code="B3J1Z7",
        destination_postal_code="M5V3L9",
        province="ON",
        client=client(),
    )

    assert result.from_rate_table is False
    assert result.quotes[0].due_amount == Decimal("11.54")


def test_non_contract_shipment_and_label(canadapost):
    cp = client()
    request = ShipmentRequest("DOM.EP", SENDER, CUSTOMER, PARCEL, "ORDER-10042")

    shipment = cp.create_non_contract_shipment(request, reference="ORDER-10042")
    label = cp.get_artifact(shipment.label_url, reference="ORDER-10042")

    assert shipment.shipment_id == "406951321983787352"
    assert shipment.tracking_pin == "1234567890123456"
    assert shipment.refund_url == (
        f"{canadapost.url}/rs/0001234567/ncshipment/406951321983787352/refund"
    )
    assert label == LABEL_PDF
    assert canadapost.requests[1].headers["Accept"] == "application/pdf"
    artifact_call = CarrierCall.objects.get(operation="get_artifact")
    assert artifact_call.response_body == f"[PDF, {len(LABEL_PDF)} bytes]"
    assert artifact_call.reference == "ORDER-10042"


def test_non_contract_refund_posts_to_refund_link(canadapost):
    cp = client()
    shipment = cp.create_non_contract_shipment(
        ShipmentRequest("DOM.EP", SENDER, CUSTOMER, PARCEL)
    )

    ticket = cp.request_non_contract_refund(
        shipment.refund_url, email="shop@example.com"
    )

    sent = canadapost.requests[-1]
    assert ticket == "GT12345678RT"
    assert (sent.method, sent.path) == (
        "POST",
        "/rs/0001234567/ncshipment/406951321983787352/refund",
    )
    assert sent.headers["Content-Type"] == "application/vnd.cpc.ncshipment-v4+xml"
    assert b"<email>shop@example.com</email>" in sent.body


def test_contract_shipment_void_sends_delete(canadapost):
    cp = client()
    shipment = cp.create_shipment(
        ShipmentRequest("DOM.EP", SENDER, CUSTOMER, PARCEL), group_id="20261207"
    )

    cp.void_shipment(shipment.self_url)

    sent = canadapost.requests[-1]
    assert shipment.tracking_pin == "123456789012"
    assert (sent.method, sent.path) == (
        "DELETE",
        "/rs/0001234567/0001234567/shipment/545021584835957806",
    )
    assert sent.headers["Accept"] == "application/vnd.cpc.shipment-v8+xml"


def test_transmit_and_get_manifest(canadapost):
    cp = client()

    links = cp.transmit_shipments(
        group_ids=["20261207"], shipping_point="B3J 1Z7", manifest_address=SENDER
    )
    manifest = cp.get_manifest(links[0])

    assert links == [f"{canadapost.url}/rs/0001234567/0001234567/manifest/50000000001"]
    assert manifest.po_number == "P123456789"
    assert cp.get_artifact(manifest.artifact_url) == LABEL_PDF


def test_create_shipment_not_retried_after_500(canadapost):
    canadapost.fail_next(1)

    with pytest.raises(CanadaPostError):
        client().create_shipment(
            ShipmentRequest("DOM.EP", SENDER, CUSTOMER, PARCEL), group_id="20261207"
        )

    assert len(canadapost.requests) == 1


def test_tracking_summary_parses_event(canadapost, settings):
    settings.SHOP_TIME_ZONE = "America/Toronto"

    summary = client().tracking_summary("7023210039414604")

    event = summary.events[0]
    assert summary.delivered is False
    assert event.time == datetime(
        2011, 4, 4, 13, 34, 57, tzinfo=ZoneInfo("America/Toronto")
    )
    assert event.description == "Order information received by Canada Post"
    assert event.event_type == "INDUCTION"
    assert summary.expected_delivery_date == date(2011, 4, 5)


def test_tracking_summary_delivered(canadapost):
    summary = client().tracking_summary("1234567890123456")

    assert summary.delivered is True
    assert summary.actual_delivery_date == date(2026, 12, 9)


def test_tracking_unknown_pin_clear_error(canadapost):
    with pytest.raises(CanadaPostError) as error:
        client().tracking_summary("1111222233334444")

    assert str(error.value) == "Canada Post rejected the request: 004 — No Pin History"


def test_follow_refuses_link_on_other_host(canadapost):
    with pytest.raises(ValueError, match=r"not on http://127\.0\.0\.1"):
        client().get_artifact("https://example.com/rs/artifact/1/2/0")

    assert canadapost.requests == []


def test_password_never_in_carrier_calls(canadapost, settings):
    canadapost.fail_next(1)
    rates()
    settings.CANADAPOST_PASSWORD = "wrong-password"
    with pytest.raises(CanadaPostError):
        rates()

    for call in CarrierCall.objects.all():
        row = " ".join(str(value) for value in vars(call).values())
        assert PASSWORD not in row
        assert "wrong-password" not in row
        assert "Authorization" not in row


def test_carrier_call_admin_read_only(admin_client):
    call = CarrierCall.objects.create(
        operation="get_rates", method="POST", url="https://x/rs/ship/price"
    )

    listing = admin_client.get("/admin/shipping/carriercall/?succeeded__exact=0")
    change = admin_client.post(
        f"/admin/shipping/carriercall/{call.pk}/change/", {"operation": "edited"}
    )

    assert listing.context["cl"].result_count == 1
    assert change.status_code == 403
    call.refresh_from_db()
    assert call.operation == "get_rates"
