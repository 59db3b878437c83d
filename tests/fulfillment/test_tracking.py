from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from fulfillment.models import Shipment, TrackingEvent
from fulfillment.tracking import refresh_tracking, shipments_to_track

from .label_setup import make_shipment

pytestmark = pytest.mark.django_db

HALIFAX = ZoneInfo("America/Halifax")


def shipped(pin: str = "7023210039414604", **changes) -> Shipment:
    shipment = make_shipment()
    values = {
        "status": Shipment.Status.SHIPPED,
        "carrier": "canadapost",
        "tracking_number": pin,
        "shipped_at": datetime(2026, 12, 7, 9, 0, tzinfo=HALIFAX),
    }
    Shipment.objects.filter(pk=shipment.pk).update(**(values | changes))
    shipment.refresh_from_db()
    return shipment


def test_refresh_records_event_once(canadapost):
    shipment = shipped()

    first = refresh_tracking(shipment_id=shipment.pk)
    second = refresh_tracking(shipment_id=shipment.pk)

    assert len(first) == 1
    assert second == []
    event = TrackingEvent.objects.get(shipment=shipment)
    assert event.occurred_at == datetime(2011, 4, 4, 13, 34, 57, tzinfo=HALIFAX)
    assert event.code == "INDUCTION"
    assert event.description == "Order information received by Canada Post"
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.SHIPPED
    assert shipment.tracking_checked_at is not None


def test_refresh_marks_delivered(canadapost):
    shipment = shipped(pin="1234567890123456")

    refresh_tracking(shipment_id=shipment.pk)

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED
    assert shipment.delivered_at == datetime(2026, 12, 9, 14, 22, 10, tzinfo=HALIFAX)
    event = TrackingEvent.objects.get(shipment=shipment)
    assert (event.code, event.location) == ("DELIVERED", "TORONTO")


def test_refresh_skips_own_label(canadapost):
    shipment = shipped(pin="LF100001-1", carrier="shop")

    added = refresh_tracking(shipment_id=shipment.pk)

    assert added == []
    assert canadapost.requests == []


def test_tracking_sweep_picks_shipped_undelivered():
    wanted = shipped()
    shipped(status=Shipment.Status.DELIVERED)
    shipped(tracking_number="")
    make_shipment()

    assert list(shipments_to_track()) == [wanted]
