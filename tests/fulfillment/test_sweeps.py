from datetime import timedelta

import pytest
from django.utils import timezone

from fulfillment import sweeps, tasks
from fulfillment.models import Shipment

from .label_setup import make_shipment

pytestmark = pytest.mark.django_db


def aged(minutes: float = 2, **changes) -> Shipment:
    """Make a shipment created `minutes` ago, with `changes` applied."""
    shipment = make_shipment()
    created_at = timezone.now() - timedelta(minutes=minutes)
    Shipment.objects.filter(pk=shipment.pk).update(created_at=created_at, **changes)
    shipment.refresh_from_db()
    return shipment


def shipped(minutes: float = 2, **changes) -> Shipment:
    """Make a shipment shipped `minutes` ago, its tracking email not sent."""
    shipped_at = timezone.now() - timedelta(minutes=minutes)
    values = {"status": Shipment.Status.SHIPPED, "shipped_at": shipped_at}
    return aged(minutes=minutes + 60, **(values | changes))


def test_email_sweep_picks_shipped_unemailed():
    wanted = shipped()

    assert sweeps.shipments_owed_tracking_email() == [wanted.pk]


def test_email_sweep_picks_delivered_unemailed():
    wanted = shipped(status=Shipment.Status.DELIVERED)

    assert sweeps.shipments_owed_tracking_email() == [wanted.pk]


def test_email_sweep_skips_recent():
    shipped(minutes=0.5)

    assert sweeps.shipments_owed_tracking_email() == []


def test_email_sweep_skips_emailed():
    shipped(tracking_emailed_at=timezone.now())

    assert sweeps.shipments_owed_tracking_email() == []


def test_email_sweep_skips_unshipped():
    aged(status=Shipment.Status.LABELLED)

    assert sweeps.shipments_owed_tracking_email() == []


def test_email_sweep_oldest_first_bounded():
    older = shipped(minutes=10)
    newer = shipped(minutes=5)
    shipped(minutes=3)

    assert sweeps.shipments_owed_tracking_email(limit=2) == [older.pk, newer.pk]


@pytest.mark.parametrize(
    "status",
    [Shipment.Status.READY, Shipment.Status.PACKED, Shipment.Status.LABELLED],
)
def test_slip_sweep_picks_open_without_slip(status):
    wanted = aged(status=status)

    assert sweeps.shipments_owed_packing_slip() == [wanted.pk]


def test_slip_sweep_skips_recent():
    aged(minutes=0.5)

    assert sweeps.shipments_owed_packing_slip() == []


def test_slip_sweep_skips_stored_slip():
    aged(packing_slip_pdf="packing-slips/100001-1.pdf")

    assert sweeps.shipments_owed_packing_slip() == []


@pytest.mark.parametrize("status", [Shipment.Status.SHIPPED, Shipment.Status.CANCELLED])
def test_slip_sweep_skips_closed(status):
    aged(status=status)

    assert sweeps.shipments_owed_packing_slip() == []


def test_slip_sweep_oldest_first_bounded():
    older = aged(minutes=10)
    newer = aged(minutes=5)
    aged(minutes=3)

    assert sweeps.shipments_owed_packing_slip(limit=2) == [older.pk, newer.pk]


def test_sweep_task_queues_owed_work(monkeypatch):
    unemailed = shipped()
    shipped(tracking_emailed_at=timezone.now())
    slipless = aged()
    aged(minutes=0.5)
    emails, slips = [], []
    monkeypatch.setattr(tasks.send_tracking_email, "delay", emails.append)
    monkeypatch.setattr(tasks.render_packing_slip, "delay", slips.append)

    counts = tasks.queue_owed_shipment_work()

    assert counts == {"tracking_emails": 1, "packing_slips": 1}
    assert emails == [unemailed.pk]
    assert slips == [slipless.pk]


def test_sweep_task_stores_slip_and_sends_email(mailoutbox):
    unemailed = shipped()
    slipless = aged()

    tasks.queue_owed_shipment_work.delay()

    unemailed.refresh_from_db()
    slipless.refresh_from_db()
    assert unemailed.tracking_emailed_at is not None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [unemailed.order.email]
    assert slipless.packing_slip_pdf.name == f"packing-slips/{slipless.number}.pdf"
    assert tasks.queue_owed_shipment_work() == {
        "tracking_emails": 0,
        "packing_slips": 0,
    }
