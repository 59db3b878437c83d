import re
from decimal import Decimal

import pytest

from accounting.models import JournalEntry
from fulfillment.labels import buy_label, void_label
from fulfillment.models import Shipment
from shipping.models import CarrierCall
from tests.fixtures import canadapost_server as server
from tests.fixtures.canadapost_server import LABEL_PDF

from .label_setup import make_box, make_shipment
from .pdf_tools import page_barcodes

pytestmark = pytest.mark.django_db


def entry_lines(shipment: Shipment) -> list[tuple[str, Decimal, Decimal]]:
    entry = JournalEntry.objects.get(event_key=f"label:shipment:{shipment.pk}")
    return [
        (line.account.key, line.debit, line.credit)
        for line in entry.lines.select_related("account")
    ]


def test_own_label_stores_pdf_and_parcel(tmp_path):
    box = make_box()
    shipment = make_shipment()

    buy_label(shipment_id=shipment.pk)

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.LABELLED
    assert shipment.labelled_at is not None
    assert shipment.label_requested_at is None
    assert shipment.carrier == "shop"
    assert shipment.tracking_number == f"LF{shipment.number}"
    assert shipment.box == box
    assert shipment.weight_g == 1000
    assert (shipment.length_cm, shipment.width_cm, shipment.height_cm) == (
        Decimal("31.0"),
        Decimal("26.0"),
        Decimal("11.0"),
    )
    assert page_barcodes(shipment.label_pdf.read(), tmp_path) == [
        f"LF{shipment.number}"
    ]


def test_own_label_cost_from_rate_table():
    make_box()
    shipment = make_shipment()

    buy_label(shipment_id=shipment.pk)

    shipment.refresh_from_db()
    # 31 x 26 x 11 cm is 1.774 kg dimensional weight: the 2 kg bracket.
    assert shipment.label_cost_amount == Decimal("14.25")
    assert shipment.label_tax_amount == Decimal("0.00")
    assert entry_lines(shipment) == [
        ("shipping_expense", Decimal("14.25"), Decimal("0.00")),
        ("bank", Decimal("0.00"), Decimal("14.25")),
    ]


def test_buy_label_twice_buys_once(canadapost):
    make_box()
    shipment = make_shipment()

    buy_label(shipment_id=shipment.pk)
    second = buy_label(shipment_id=shipment.pk)

    assert second is None
    purchases = [r for r in canadapost.requests if r.path.endswith("/ncshipment")]
    assert len(purchases) == 1
    assert JournalEntry.objects.filter(event_key__startswith="label:").count() == 1


def test_canada_post_label_stores_pin_cost_and_pdf(canadapost):
    make_box()
    shipment = make_shipment()

    buy_label(shipment_id=shipment.pk)

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.LABELLED
    assert shipment.carrier == "canadapost"
    assert shipment.tracking_number == "1234567890123456"
    assert shipment.carrier_shipment_id == "406951321983787352"
    assert shipment.label_refund_link == (
        f"{canadapost.url}/rs/0001234567/ncshipment/406951321983787352/refund"
    )
    assert shipment.label_cost_amount == Decimal("10.21")
    assert shipment.label_tax_amount == Decimal("1.33")
    assert shipment.label_pdf.read() == LABEL_PDF


def test_canada_post_label_cost_posted_to_cent(canadapost):
    make_box()
    shipment = make_shipment()

    buy_label(shipment_id=shipment.pk)

    assert entry_lines(shipment) == [
        ("shipping_expense", Decimal("10.21"), Decimal("0.00")),
        ("gst_hst_recoverable", Decimal("1.33"), Decimal("0.00")),
        ("bank", Decimal("0.00"), Decimal("11.54")),
    ]


def test_interrupted_purchase_not_repeated(canadapost):
    make_box()
    shipment = make_shipment()
    Shipment.objects.filter(pk=shipment.pk).update(
        label_requested_at="2026-12-08T10:00:00-04:00"
    )

    result = buy_label(shipment_id=shipment.pk)

    assert result is None
    assert canadapost.requests == []
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.READY
    assert shipment.last_error == (
        f"A label purchase for shipment {shipment.number} started at "
        f"2026-12-08 10:00 and did not finish. Look for reference "
        f"{shipment.number} in the Canada Post account before clearing "
        f"'label requested at' and buying again."
    )


def test_rejected_address_keeps_carrier_message(canadapost, monkeypatch):
    monkeypatch.setattr(
        server, "POSTAL_CODE", re.compile(r"^(?!X0A)[A-Z]\d[A-Z]\d[A-Z]\d$")
    )
    make_box()
    shipment = make_shipment(ship_postal_code="X0A 0H0", ship_province="NU")

    buy_label(shipment_id=shipment.pk)

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.READY
    assert shipment.label_requested_at is None
    assert shipment.tracking_number == ""
    assert shipment.last_error == (
        "Canada Post rejected the request: 1002 — Invalid postal code "
        "'X0A0H0' in postal-code."
    )
    assert not JournalEntry.objects.filter(event_key__startswith="label:").exists()
    assert CarrierCall.objects.filter(succeeded=False).count() == 1


def test_invalid_postal_code_named_before_sending(canadapost):
    make_box()
    shipment = make_shipment(ship_postal_code="B3J 1H")

    buy_label(shipment_id=shipment.pk)

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.READY
    assert shipment.label_requested_at is None
    assert shipment.last_error == (
        "Invalid Canadian postal code 'B3J 1H': enter it as A1A 1A1."
    )
    assert canadapost.requests == []


def test_void_label_reverses_cost(canadapost):
    make_box()
    shipment = make_shipment()
    buy_label(shipment_id=shipment.pk)

    void_label(shipment_id=shipment.pk)

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.READY
    assert shipment.tracking_number == ""
    assert not shipment.label_pdf
    refunds = [r for r in canadapost.requests if r.path.endswith("/refund")]
    assert len(refunds) == 1
    original = JournalEntry.objects.get(event_key=f"label:shipment:{shipment.pk}")
    reversal = JournalEntry.objects.get(reverses=original)
    assert [
        (line.account.key, line.debit, line.credit)
        for line in reversal.lines.select_related("account")
    ] == [
        ("shipping_expense", Decimal("0.00"), Decimal("10.21")),
        ("gst_hst_recoverable", Decimal("0.00"), Decimal("1.33")),
        ("bank", Decimal("11.54"), Decimal("0.00")),
    ]
