"""Stripe's charge.refunded event: each refund recorded once."""

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.utils import timezone

from accounting.models import CreditNote, JournalEntry
from inventory.models import StockMovement
from orders import payments
from orders.models import Refund, StripeEvent
from orders.refunds import DASHBOARD_REASON, RefundInProgressError, refund_order
from tests.accounting.refunds_setup import paid_pe_order
from tests.fixtures.localstripe import SECRET_KEY
from tests.orders.test_webhook import deliver, event_payload, sign

pytestmark = pytest.mark.django_db


def refund_at_stripe(localstripe, order, *, cents: int, metadata=None) -> dict:
    """Refund at localstripe without telling the shop, like the dashboard."""
    data = {
        "payment_intent": order.payments.get().stripe_payment_intent_id,
        "amount": cents,
    }
    for key, value in (metadata or {}).items():
        data[f"metadata[{key}]"] = value
    response = requests.post(
        f"{localstripe.url}/v1/refunds", data=data, auth=(SECRET_KEY, ""), timeout=10
    )
    response.raise_for_status()
    return response.json()


def charge_refunded(stripe_refunds: list[dict]) -> dict:
    """Build the Charge Stripe sends in charge.refunded, refunds embedded."""
    first = stripe_refunds[0]
    return {
        "id": first["charge"],
        "object": "charge",
        "payment_intent": first["payment_intent"],
        "amount_refunded": sum(refund["amount"] for refund in stripe_refunds),
        "refunded": False,
        "refunds": {"object": "list", "data": stripe_refunds, "has_more": False},
    }


def test_admin_refund_then_webhook_records_once(client, localstripe):
    order = paid_pe_order(localstripe)
    refund = refund_order(order=order, amount=Decimal("10.00"), reason="", user=None)
    stripe_refund = retrieve_stripe_refund(localstripe, refund)
    payload = event_payload(
        "evt_refunded", "charge.refunded", charge_refunded([stripe_refund])
    )

    response = deliver(client, payload, sign(payload))

    assert response.status_code == 200
    assert Refund.objects.count() == 1
    assert CreditNote.objects.count() == 1
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.REFUND).count() == 1
    assert StripeEvent.objects.get().type == "charge.refunded"


def retrieve_stripe_refund(localstripe, refund) -> dict:
    response = requests.get(
        f"{localstripe.url}/v1/refunds/{refund.stripe_refund_id}",
        auth=(SECRET_KEY, ""),
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def test_dashboard_refund_recorded_as_lump_sum(client, localstripe):
    order = paid_pe_order(localstripe)
    stripe_refund = refund_at_stripe(localstripe, order, cents=1150)
    payload = event_payload(
        "evt_dashboard", "charge.refunded", charge_refunded([stripe_refund])
    )

    response = deliver(client, payload, sign(payload))

    assert response.status_code == 200
    refund = Refund.objects.get()
    assert refund.stripe_refund_id == stripe_refund["id"]
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.amount == Decimal("11.50")
    assert refund.reason == DASHBOARD_REASON
    credit_note = refund.credit_note
    assert credit_note.total_amount == Decimal("11.50")
    assert credit_note.restocked is False
    # Split over what is left, shipping included: $9.34 on the item and
    # $2.16 on the shipping, each with HST 15% inside.
    assert [(line.quantity, line.amount) for line in credit_note.lines.all()] == [
        (0, Decimal("8.12"))
    ]
    assert credit_note.shipping_amount == Decimal("1.88")
    assert credit_note.tax_amount == Decimal("1.50")
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.RETURN).exists()


def test_replayed_refund_event_records_once(client, localstripe):
    order = paid_pe_order(localstripe)
    stripe_refund = refund_at_stripe(localstripe, order, cents=500)
    payload = event_payload(
        "evt_dashboard", "charge.refunded", charge_refunded([stripe_refund])
    )
    deliver(client, payload, sign(payload))

    response = deliver(client, payload, sign(payload))

    assert response.status_code == 200
    assert Refund.objects.count() == 1
    assert CreditNote.objects.count() == 1


def test_second_event_records_only_new_refund(client, localstripe):
    order = paid_pe_order(localstripe)
    first = refund_at_stripe(localstripe, order, cents=500)
    payload = event_payload("evt_1", "charge.refunded", charge_refunded([first]))
    deliver(client, payload, sign(payload))
    second = refund_at_stripe(localstripe, order, cents=700)
    payload = event_payload(
        "evt_2", "charge.refunded", charge_refunded([second, first])
    )

    deliver(client, payload, sign(payload))

    amounts = sorted(Refund.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("5.00"), Decimal("7.00")]
    assert CreditNote.objects.count() == 2


def test_event_for_refund_in_progress_is_retried(localstripe):
    order = paid_pe_order(localstripe)
    pending = Refund.objects.create(
        order=order,
        payment=order.payments.get(),
        amount=Decimal("5.00"),
        status=Refund.Status.PENDING,
    )
    stripe_refund = refund_at_stripe(
        localstripe, order, cents=500, metadata={"refund_id": str(pending.pk)}
    )
    event = {
        "id": "evt_early",
        "type": "charge.refunded",
        "data": {"object": charge_refunded([stripe_refund])},
    }

    with pytest.raises(RefundInProgressError):
        payments.handle_stripe_event(event)

    pending.refresh_from_db()
    assert pending.status == Refund.Status.PENDING
    assert StripeEvent.objects.count() == 0
    assert CreditNote.objects.count() == 0


def test_event_completes_abandoned_refund(localstripe):
    order = paid_pe_order(localstripe)
    abandoned = Refund.objects.create(
        order=order,
        payment=order.payments.get(),
        amount=Decimal("5.00"),
        status=Refund.Status.PENDING,
    )
    Refund.objects.filter(pk=abandoned.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    stripe_refund = refund_at_stripe(
        localstripe, order, cents=500, metadata={"refund_id": str(abandoned.pk)}
    )
    event = {
        "id": "evt_late",
        "type": "charge.refunded",
        "data": {"object": charge_refunded([stripe_refund])},
    }

    payments.handle_stripe_event(event)

    abandoned.refresh_from_db()
    assert abandoned.status == Refund.Status.SUCCEEDED
    assert abandoned.stripe_refund_id == stripe_refund["id"]
    assert abandoned.credit_note.total_amount == Decimal("5.00")
    assert Refund.objects.count() == 1


def test_webhook_answers_503_while_refund_in_progress(client, localstripe):
    order = paid_pe_order(localstripe)
    pending = Refund.objects.create(
        order=order,
        payment=order.payments.get(),
        amount=Decimal("5.00"),
        status=Refund.Status.PENDING,
    )
    stripe_refund = refund_at_stripe(
        localstripe, order, cents=500, metadata={"refund_id": str(pending.pk)}
    )
    payload = event_payload(
        "evt_in_progress", "charge.refunded", charge_refunded([stripe_refund])
    )

    response = deliver(client, payload, sign(payload))

    assert response.status_code == 503
    assert not StripeEvent.objects.filter(event_id="evt_in_progress").exists()
    assert CreditNote.objects.count() == 0
