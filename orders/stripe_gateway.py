"""Calls to the Stripe API for card payments, returning plain dicts.

The client is built per call from settings, so tests and the offline
localstripe server can point STRIPE_API_BASE elsewhere at run time. Every
call has a timeout and a bounded number of retries. The stripe library (16)
gives every POST an idempotency key, so a retried request is not run twice.
Nothing here touches the database: callers call it outside transactions.
"""

from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings

from shop.money import CURRENCY, round_money

CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 30
MAX_NETWORK_RETRIES = 2

# Expanded on every intent we read, so the card brand and last 4 digits
# come back with it.
EXPAND = ["payment_method"]

PaymentIntentData = dict[str, Any]


def stripe_client() -> stripe.StripeClient:
    """Build a client for the API at STRIPE_API_BASE."""
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(
            timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS)
        ),
    )


def to_minor_units(amount: Decimal) -> int:
    """Convert dollars to the whole cents Stripe expects ("12.34" -> 1234)."""
    return int(round_money(amount) * 100)


def from_minor_units(cents: int) -> Decimal:
    return round_money(Decimal(cents) / 100)


def create_payment_intent(
    *, amount: Decimal, order_number: int, idempotency_key: str
) -> PaymentIntentData:
    """Create a card PaymentIntent for an order, not yet confirmed."""
    params: stripe.params.PaymentIntentCreateParams = {
        "amount": to_minor_units(amount),
        "currency": CURRENCY.lower(),
        "metadata": {"order_number": str(order_number)},
    }
    if not settings.STRIPE_OFFLINE:
        # The page only takes cards, which the server confirms without a
        # return URL; localstripe 1.15 rejects this parameter.
        # NOTE: checked against localstripe only, not against Stripe itself.
        params["automatic_payment_methods"] = {
            "enabled": True,
            "allow_redirects": "never",
        }
    intent = stripe_client().v1.payment_intents.create(
        params=params, options={"idempotency_key": idempotency_key}
    )
    return intent.to_dict()


def update_payment_intent_amount(intent_id: str, amount: Decimal) -> PaymentIntentData:
    intent = stripe_client().v1.payment_intents.update(
        intent_id, params={"amount": to_minor_units(amount)}
    )
    return intent.to_dict()


def confirm_with_card(intent_id: str, card_id: str) -> PaymentIntentData:
    """Set the card on the intent, then confirm it.

    Raises stripe.CardError when the card is declined. The card goes in a
    separate update because localstripe 1.15 returns 500 "Not implemented"
    for a payment method passed to the confirm call. Stripe accepts both.
    """
    client = stripe_client()
    client.v1.payment_intents.update(intent_id, params={"payment_method": card_id})
    intent = client.v1.payment_intents.confirm(intent_id, params={"expand": EXPAND})
    return intent.to_dict()


def retrieve_payment_intent(intent_id: str) -> PaymentIntentData:
    intent = stripe_client().v1.payment_intents.retrieve(
        intent_id, params={"expand": EXPAND}
    )
    return intent.to_dict()


def card_details(intent: PaymentIntentData) -> tuple[str, str]:
    """Return the card brand and last 4 digits of an intent, or blanks.

    They are present only when `payment_method` was expanded: Stripe then
    returns a PaymentMethod (details under "card"), localstripe returns the
    Card itself. A webhook's intent carries only the payment method's id.
    """
    method = intent.get("payment_method")
    if not isinstance(method, dict):
        return "", ""
    card = method.get("card") or method
    return str(card.get("brand") or "")[:20], str(card.get("last4") or "")[:4]


RefundData = dict[str, Any]


def create_refund(
    *,
    payment_intent_id: str,
    amount: Decimal,
    idempotency_key: str,
    metadata: dict[str, str],
) -> RefundData:
    """Refund `amount` of a succeeded PaymentIntent to the customer's card.

    Stripe gives back the refund made the first time for a repeated
    `idempotency_key` (for 24 hours), so a retry cannot refund twice.
    Raises stripe.StripeError when Stripe rejects the refund or cannot be
    reached.
    """
    refund = stripe_client().v1.refunds.create(
        params={
            "payment_intent": payment_intent_id,
            "amount": to_minor_units(amount),
            "metadata": metadata,
        },
        options={"idempotency_key": idempotency_key},
    )
    return refund.to_dict()


def list_refunds(*, charge_id: str) -> list[RefundData]:
    """Return the refunds of a charge, newest first (up to 100)."""
    refunds = stripe_client().v1.refunds.list(
        params={"charge": charge_id, "limit": 100}
    )
    return [refund.to_dict() for refund in refunds.data]
