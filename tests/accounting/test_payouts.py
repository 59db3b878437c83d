"""Stripe payouts from the payout.paid webhook: the Payout, its items
matched to payments, and Dr bank / Cr Stripe clearing."""

import logging
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounting import tasks
from accounting.models import JournalEntry, JournalLine, Payout, PayoutItem
from orders.models import Payment, StripeEvent
from tests.factories.orders import OrderFactory
from tests.fixtures.stripe_replay import balance_transaction, signed_event

pytestmark = pytest.mark.django_db

WEBHOOK_URL = "/stripe/webhook/"
ARRIVAL = date(2026, 3, 12)


def payment_for(intent_id, amount, *, charge_id="", fee_amount=None):
    order = OrderFactory(paid=True, total_amount=amount)
    return Payment.objects.create(
        order=order,
        stripe_payment_intent_id=intent_id,
        stripe_charge_id=charge_id,
        amount=amount,
        fee_amount=fee_amount,
        status=Payment.Status.SUCCEEDED,
        succeeded_at=datetime(2026, 3, 9, 15, 0, tzinfo=UTC),
    )


def deliver(client, payload, signature):
    return client.post(
        WEBHOOK_URL,
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature},
    )


@pytest.fixture
def two_charges_paid_out(stripe_replay):
    """A payout of two charges: $73.60 (fee $2.43) and $40.00 (fee $1.46).

    Net $71.17 + $38.54 = $109.71 paid out.
    """
    first = payment_for("pi_one", Decimal("73.60"), charge_id="ch_one")
    second = payment_for("pi_two", Decimal("40.00"), charge_id="ch_two")
    stripe_replay.add_charge(
        payment_intent_id="pi_one", charge_id="ch_one", amount=7360, fee=243
    )
    stripe_replay.add_charge(
        payment_intent_id="pi_two", charge_id="ch_two", amount=4000, fee=146
    )
    payout = stripe_replay.add_payout(
        payout_id="po_march",
        arrival_date=ARRIVAL,
        transactions=[
            stripe_replay.store.objects["txn_one"],
            stripe_replay.store.objects["txn_two"],
        ],
    )
    return payout, first, second


def test_payout_paid_records_payout(
    client, two_charges_paid_out, django_capture_on_commit_callbacks
):
    payout_object, _, _ = two_charges_paid_out
    payload, signature = signed_event("evt_po", "payout.paid", payout_object)

    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, payload, signature)

    assert response.status_code == 200
    payout = Payout.objects.get()
    assert payout.stripe_payout_id == "po_march"
    assert payout.amount == Decimal("109.71")
    assert payout.arrival_date == ARRIVAL
    assert payout.status == "paid"


def test_payout_items_matched_to_payments(
    client, two_charges_paid_out, django_capture_on_commit_callbacks
):
    payout_object, first, second = two_charges_paid_out
    payload, signature = signed_event("evt_po", "payout.paid", payout_object)

    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, payload, signature)

    items = list(
        PayoutItem.objects.values_list(
            "stripe_balance_transaction_id",
            "type",
            "payment",
            "gross_amount",
            "fee_amount",
            "net_amount",
        )
    )
    assert items == [
        (
            "txn_one",
            "charge",
            first.pk,
            Decimal("73.60"),
            Decimal("2.43"),
            Decimal("71.17"),
        ),
        (
            "txn_two",
            "charge",
            second.pk,
            Decimal("40.00"),
            Decimal("1.46"),
            Decimal("38.54"),
        ),
    ]


def test_payout_posts_bank_and_clearing(
    client, two_charges_paid_out, django_capture_on_commit_callbacks
):
    payout_object, _, _ = two_charges_paid_out
    payload, signature = signed_event("evt_po", "payout.paid", payout_object)

    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, payload, signature)

    entry = JournalEntry.objects.get(event_key="payout:po_march")
    assert entry.kind == JournalEntry.Kind.PAYOUT
    assert entry.entry_date == ARRIVAL
    assert entry.payout == Payout.objects.get()
    lines = [
        (line.account.key, line.debit, line.credit)
        for line in entry.lines.select_related("account")
    ]
    assert lines == [
        ("bank", Decimal("109.71"), Decimal("0.00")),
        ("stripe_clearing", Decimal("0.00"), Decimal("109.71")),
    ]


def test_payout_items_supply_missing_fees(
    client, two_charges_paid_out, django_capture_on_commit_callbacks
):
    payout_object, first, second = two_charges_paid_out
    Payment.objects.filter(pk=second.pk).update(fee_amount=Decimal("1.46"))
    payload, signature = signed_event("evt_po", "payout.paid", payout_object)

    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, payload, signature)

    first.refresh_from_db()
    assert first.fee_amount == Decimal("2.43")
    fee_entries = JournalEntry.objects.filter(kind=JournalEntry.Kind.PROCESSOR_FEE)
    assert list(fee_entries.values_list("event_key", flat=True)) == [
        f"fee:payment:{first.pk}"
    ]


def test_payout_event_replayed_changes_nothing(
    client, two_charges_paid_out, django_capture_on_commit_callbacks
):
    payout_object, _, _ = two_charges_paid_out
    payload, signature = signed_event("evt_po", "payout.paid", payout_object)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, payload, signature)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = deliver(client, payload, signature)

    assert response.status_code == 200
    assert callbacks == []
    assert Payout.objects.count() == 1
    assert PayoutItem.objects.count() == 2
    assert JournalEntry.objects.count() == 3
    assert JournalLine.objects.count() == 6
    assert StripeEvent.objects.count() == 1


def test_payout_in_new_event_posts_once(
    client, two_charges_paid_out, django_capture_on_commit_callbacks
):
    payout_object, _, _ = two_charges_paid_out
    payload, signature = signed_event("evt_po", "payout.paid", payout_object)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, payload, signature)
    payload, signature = signed_event("evt_po_again", "payout.paid", payout_object)

    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, payload, signature)

    assert response.status_code == 200
    assert Payout.objects.count() == 1
    assert PayoutItem.objects.count() == 2
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.PAYOUT).count() == 1


def test_payout_bad_signature_rejected(
    client, two_charges_paid_out, django_capture_on_commit_callbacks
):
    payout_object, _, _ = two_charges_paid_out
    payload, _ = signed_event("evt_po", "payout.paid", payout_object)
    _, wrong = signed_event(
        "evt_po", "payout.paid", payout_object, secret="whsec_wrong"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, payload, wrong)

    assert response.status_code == 400
    assert Payout.objects.count() == 0
    assert PayoutItem.objects.count() == 0
    assert JournalEntry.objects.count() == 0
    assert StripeEvent.objects.count() == 0


def test_payout_unknown_charge_left_unmatched(
    client, stripe_replay, django_capture_on_commit_callbacks, caplog
):
    known = payment_for("pi_one", Decimal("73.60"), charge_id="ch_one")
    known_txn = stripe_replay.add_charge(
        payment_intent_id="pi_one", charge_id="ch_one", amount=7360, fee=243
    )
    stranger = balance_transaction(
        "txn_stranger", type="charge", amount=2500, fee=103, source="ch_stranger"
    )
    payout_object = stripe_replay.add_payout(
        payout_id="po_mixed", arrival_date=ARRIVAL, transactions=[known_txn, stranger]
    )
    payload, signature = signed_event("evt_mixed", "payout.paid", payout_object)

    with (
        caplog.at_level(logging.WARNING, logger="accounting.payment_processor"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = deliver(client, payload, signature)

    assert response.status_code == 200
    assert Payout.objects.get().amount == Decimal("95.14")
    items = dict(
        PayoutItem.objects.values_list("stripe_balance_transaction_id", "payment")
    )
    assert items == {"txn_one": known.pk, "txn_stranger": None}
    assert [record.getMessage() for record in caplog.records] == [
        "Stripe payout item matches no payment"
    ]
    assert caplog.records[0].stripe_balance_transaction_id == "txn_stranger"


def test_payout_item_matched_by_intent(
    client, stripe_replay, django_capture_on_commit_callbacks
):
    # The fee task never ran, so the payment has no charge id yet. The
    # charge's payment intent still finds it.
    payment = payment_for("pi_one", Decimal("73.60"))
    transaction = stripe_replay.add_charge(
        payment_intent_id="pi_one", charge_id="ch_one", amount=7360, fee=243
    )
    payout_object = stripe_replay.add_payout(
        payout_id="po_one", arrival_date=ARRIVAL, transactions=[transaction]
    )
    payload, signature = signed_event("evt_one", "payout.paid", payout_object)

    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, payload, signature)

    assert PayoutItem.objects.get().payment == payment
    payment.refresh_from_db()
    assert payment.stripe_charge_id == "ch_one"
    assert payment.fee_amount == Decimal("2.43")


def test_payout_items_task_twice_adds_once(stripe_replay, two_charges_paid_out):
    payout = Payout.objects.create(
        stripe_payout_id="po_march",
        amount=Decimal("109.71"),
        arrival_date=ARRIVAL,
        status="paid",
    )
    tasks.record_payout_items.delay(payout.pk)

    added = tasks.record_payout_items.delay(payout.pk).get()

    assert added == 0
    assert PayoutItem.objects.count() == 2


def test_payout_items_read_every_page(stripe_replay, monkeypatch):
    monkeypatch.setattr("accounting.stripe_sync.PAGE_SIZE", 2)
    transactions = [
        stripe_replay.add_charge(
            payment_intent_id=f"pi_{n}", charge_id=f"ch_{n}", amount=1000, fee=59
        )
        for n in range(5)
    ]
    stripe_replay.add_payout(
        payout_id="po_pages", arrival_date=ARRIVAL, transactions=transactions
    )
    payout = Payout.objects.create(
        stripe_payout_id="po_pages",
        amount=Decimal("47.05"),
        arrival_date=ARRIVAL,
        status="paid",
    )

    added = tasks.record_payout_items.delay(payout.pk).get()

    assert added == 5
    assert sorted(
        PayoutItem.objects.values_list("stripe_balance_transaction_id", flat=True)
    ) == ["txn_0", "txn_1", "txn_2", "txn_3", "txn_4"]


def test_sweep_queues_payouts_without_items(monkeypatch):
    empty = Payout.objects.create(
        stripe_payout_id="po_empty",
        amount=Decimal("10.00"),
        arrival_date=ARRIVAL,
        status="paid",
    )
    Payout.objects.filter(pk=empty.pk).update(
        created_at=datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    )
    queued = []
    monkeypatch.setattr(tasks.record_payout_items, "delay", queued.append)

    count = tasks.record_missing_payout_items()

    assert count == 1
    assert queued == [empty.pk]


def test_payout_admin_lists_items_and_orders(
    admin_client, stripe_replay, django_capture_on_commit_callbacks
):
    known = payment_for("pi_one", Decimal("73.60"), charge_id="ch_one")
    known_txn = stripe_replay.add_charge(
        payment_intent_id="pi_one", charge_id="ch_one", amount=7360, fee=243
    )
    stranger = balance_transaction(
        "txn_stranger", type="charge", amount=2500, fee=103, source="ch_stranger"
    )
    payout_object = stripe_replay.add_payout(
        payout_id="po_mixed", arrival_date=ARRIVAL, transactions=[known_txn, stranger]
    )
    payload, signature = signed_event("evt_mixed", "payout.paid", payout_object)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(admin_client, payload, signature)
    payout = Payout.objects.get()
    order_url = reverse("admin:orders_order_change", args=[known.order_id])

    response = admin_client.get(
        reverse("admin:accounting_payout_change", args=[payout.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="{order_url}">{known.order.number}</a>' in page
    assert "<p>Not matched</p>" in page
    # Amount and items' net total: 71.17 + 23.97.
    assert page.count('<div class="readonly">95.14</div>') == 2
    assert '<div class="readonly">3.46</div>' in page  # Fees: 2.43 + 1.03.
    assert "payout:po_mixed" in page


def test_payout_admin_is_read_only(admin_client):
    payout = Payout.objects.create(
        stripe_payout_id="po_x",
        amount=Decimal("10.00"),
        arrival_date=ARRIVAL,
        status="paid",
    )

    add = admin_client.get(reverse("admin:accounting_payout_add"))
    delete = admin_client.post(
        reverse("admin:accounting_payout_delete", args=[payout.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert delete.status_code == 403
    assert Payout.objects.filter(pk=payout.pk).exists()
