"""Stripe's processing fee: read from the charge's balance transaction,
stored on the Payment and posted Dr processing fees, Cr Stripe clearing."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import stripe
from celery.exceptions import Retry
from django.db import transaction

from accounting import tasks
from accounting.models import JournalEntry, JournalLine, Payout
from accounting.posting.stripe import post_payout, post_processor_fee
from inventory.services import set_opening_stock
from orders import stripe_gateway
from orders.models import Payment
from orders.services import record_payment
from tests.factories.orders import OrderFactory, order_with_lines
from tests.factories.shop import VariantFactory
from tests.fixtures.localstripe import CARD_SUCCEEDS

pytestmark = pytest.mark.django_db

# 23:30 UTC on March 9 is 20:30 in Halifax, still March 9.
SUCCEEDED_AT = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)


def succeeded_payment(*, amount=Decimal("73.60"), intent_id="pi_fee73"):
    order = OrderFactory(paid=True, total_amount=amount)
    return Payment.objects.create(
        order=order,
        stripe_payment_intent_id=intent_id,
        amount=amount,
        status=Payment.Status.SUCCEEDED,
        succeeded_at=SUCCEEDED_AT,
    )


def lines_of(entry):
    return [
        (line.account.key, line.debit, line.credit)
        for line in entry.lines.select_related("account").order_by("id")
    ]


def test_fee_task_posts_replayed_fee(stripe_replay):
    # $73.60 at 2.9% + $0.30 is 2.1344 + 0.30 = $2.43.
    payment = succeeded_payment()
    stripe_replay.add_charge(
        payment_intent_id="pi_fee73", charge_id="ch_fee73", amount=7360, fee=243
    )

    result = tasks.record_processor_fee.delay(payment.pk).get()

    assert result == "2.43"
    payment.refresh_from_db()
    assert payment.fee_amount == Decimal("2.43")
    assert payment.stripe_charge_id == "ch_fee73"
    entry = JournalEntry.objects.get(event_key=f"fee:payment:{payment.pk}")
    assert entry.kind == JournalEntry.Kind.PROCESSOR_FEE
    assert entry.entry_date == date(2026, 3, 9)
    assert entry.payment == payment
    assert entry.order == payment.order
    assert lines_of(entry) == [
        ("processing_fees", Decimal("2.43"), Decimal("0.00")),
        ("stripe_clearing", Decimal("0.00"), Decimal("2.43")),
    ]


def test_fee_task_twice_posts_once(stripe_replay):
    payment = succeeded_payment()
    stripe_replay.add_charge(
        payment_intent_id="pi_fee73", charge_id="ch_fee73", amount=7360, fee=243
    )
    tasks.record_processor_fee.delay(payment.pk)
    requests_after_first = len(stripe_replay.requests)

    result = tasks.record_processor_fee.delay(payment.pk).get()

    assert result == "2.43"
    assert JournalEntry.objects.filter(kind="processor_fee").count() == 1
    assert JournalLine.objects.count() == 2
    assert len(stripe_replay.requests) == requests_after_first


def test_fee_of_zero_posts_nothing(stripe_replay):
    payment = succeeded_payment(amount=Decimal("10.00"), intent_id="pi_free")
    stripe_replay.add_charge(
        payment_intent_id="pi_free", charge_id="ch_free", amount=1000, fee=0
    )

    tasks.record_processor_fee.delay(payment.pk)

    payment.refresh_from_db()
    assert payment.fee_amount == Decimal("0.00")
    assert payment.stripe_charge_id == "ch_free"
    assert JournalEntry.objects.count() == 0


def test_fee_unknown_while_stripe_has_no_transaction(stripe_replay):
    payment = succeeded_payment()
    stripe_replay.add_charge_without_transaction(
        payment_intent_id="pi_fee73", charge_id="ch_fee73", amount=7360
    )

    result = tasks.record_processor_fee.delay(payment.pk).get()

    assert result is None
    payment.refresh_from_db()
    assert payment.fee_amount is None
    assert JournalEntry.objects.count() == 0


def test_fee_of_pending_payment_is_not_read(stripe_replay):
    payment = succeeded_payment()
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.PENDING)

    result = tasks.record_processor_fee.delay(payment.pk).get()

    assert result is None
    assert stripe_replay.requests == []
    assert Payment.objects.get(pk=payment.pk).fee_amount is None


@pytest.fixture
def stripe_down(settings, monkeypatch):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # Discard port: refused.
    monkeypatch.setattr("orders.stripe_gateway.MAX_NETWORK_RETRIES", 0)


def test_fee_task_retries_when_stripe_down(stripe_down):
    payment = succeeded_payment()

    with pytest.raises(Retry) as retry:
        tasks.record_processor_fee.delay(payment.pk)

    assert 0 <= retry.value.when <= tasks.STRIPE_RETRY_BACKOFF
    assert isinstance(retry.value.exc, stripe.APIConnectionError)
    assert Payment.objects.get(pk=payment.pk).fee_amount is None


def test_fee_task_gives_up_after_last_retry(stripe_down):
    payment = succeeded_payment()

    with pytest.raises(stripe.APIConnectionError):
        tasks.record_processor_fee.apply(
            args=(payment.pk,), retries=tasks.STRIPE_MAX_RETRIES
        )

    assert Payment.objects.get(pk=payment.pk).fee_amount is None
    assert JournalEntry.objects.count() == 0


def test_fee_with_localstripe_is_zero(localstripe):
    payment = paid_at_localstripe(localstripe)

    tasks.record_processor_fee.delay(payment.pk)

    payment.refresh_from_db()
    assert payment.fee_amount == Decimal("0.00")
    assert payment.stripe_charge_id.startswith("ch_")
    assert JournalEntry.objects.filter(kind="processor_fee").count() == 0


def test_fee_unknown_to_localstripe_is_zero(localstripe):
    payment = succeeded_payment(intent_id="pi_forgotten")

    tasks.record_processor_fee.delay(payment.pk)

    payment.refresh_from_db()
    assert payment.fee_amount == Decimal("0.00")
    assert payment.stripe_charge_id == ""


def test_sweep_queues_payments_without_fee(stripe_replay, monkeypatch):
    stale = succeeded_payment(intent_id="pi_stale")
    known = succeeded_payment(intent_id="pi_known")
    Payment.objects.filter(pk=known.pk).update(fee_amount=Decimal("1.00"))
    queued = []
    monkeypatch.setattr(tasks.record_processor_fee, "delay", queued.append)

    count = tasks.record_missing_processor_fees()

    assert count == 1
    assert queued == [stale.pk]


def test_post_payout_reverses_sides_for_negative_amount():
    payout = Payout.objects.create(
        stripe_payout_id="po_debit",
        amount=Decimal("-15.00"),
        arrival_date=date(2026, 3, 12),
        status="paid",
    )

    with transaction.atomic():
        entry = post_payout(payout=payout)

    assert entry.entry_date == date(2026, 3, 12)
    assert lines_of(entry) == [
        ("bank", Decimal("0.00"), Decimal("15.00")),
        ("stripe_clearing", Decimal("15.00"), Decimal("0.00")),
    ]


def test_post_processor_fee_skips_unknown_fee():
    payment = succeeded_payment()

    assert post_processor_fee(payment=payment) is None
    assert JournalEntry.objects.count() == 0


def paid_at_localstripe(localstripe):
    intent = stripe_gateway.create_payment_intent(
        amount=Decimal("73.60"), order_number=900001, idempotency_key="fee-test"
    )
    stripe_gateway.confirm_with_card(intent["id"], localstripe.card_id(CARD_SUCCEEDS))
    return succeeded_payment(intent_id=intent["id"])


def test_paid_order_records_fee_on_commit(
    stripe_replay, django_capture_on_commit_callbacks
):
    # Two mugs at $26.50 plus $12.00 shipping, HST 14%: $74.10.
    variant = VariantFactory(price=Decimal("26.50"))
    set_opening_stock(variant=variant, quantity=5)
    order = order_with_lines(lines=[(variant, 2)])
    stripe_replay.add_charge(
        payment_intent_id="pi_order", charge_id="ch_order", amount=7410, fee=245
    )
    intent = stripe_replay.store.objects["pi_order"]

    with django_capture_on_commit_callbacks(execute=True):
        record_payment(order_id=order.pk, payment_intent=intent)

    payment = Payment.objects.get(order=order)
    assert order.total_amount == Decimal("74.10")
    assert payment.fee_amount == Decimal("2.45")
    assert payment.stripe_charge_id == "ch_order"
    assert JournalEntry.objects.filter(event_key=f"fee:payment:{payment.pk}").exists()
