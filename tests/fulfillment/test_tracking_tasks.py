import pytest

from fulfillment import tasks
from fulfillment.models import Shipment

from .label_setup import make_box, make_shipment
from .test_tracking import shipped

pytestmark = pytest.mark.django_db


def test_tracking_sweep_queues_each(monkeypatch):
    wanted = shipped()
    shipped(status=Shipment.Status.LABELLED)
    queued = []
    monkeypatch.setattr(tasks.refresh_tracking, "delay", queued.append)

    count = tasks.refresh_tracking_all()

    assert count == 1
    assert queued == [wanted.pk]


def test_label_task_twice_buys_once(canadapost):
    make_box()
    shipment = make_shipment()

    tasks.buy_label.delay(shipment.pk)
    tasks.buy_label.delay(shipment.pk)

    purchases = [r for r in canadapost.requests if r.path.endswith("/ncshipment")]
    assert len(purchases) == 1
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.LABELLED
