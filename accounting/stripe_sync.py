"""Read Stripe's balance transactions: the fee on a charge, a payout's items.

Stripe reports what it kept of a charge in the charge's balance transaction
(amount, fee and net in cents) and lists the balance transactions a payout
settled when filtered by that payout. These functions call the API through
orders.stripe_gateway's client, so they honour STRIPE_API_BASE, and return
plain values in dollars. They touch no database rows, so callers run them
outside transactions. Network and API errors propagate as
stripe.StripeError.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from orders.stripe_gateway import from_minor_units, stripe_client
from shop.money import CURRENCY

# Stripe's largest page size for list calls.
PAGE_SIZE = 100


class UnexpectedCurrencyError(ValueError):
    """A balance transaction is in a currency other than the shop's."""


@dataclass(frozen=True)
class BalanceTransaction:
    """One movement of the Stripe balance, in dollars.

    `charge_id` is the charge the movement comes from: the source itself
    for a charge, the refunded charge for a refund, "" otherwise.
    `payment_intent_id` is that charge's intent when Stripe returned it.
    """

    id: str
    type: str
    gross_amount: Decimal
    fee_amount: Decimal
    net_amount: Decimal
    charge_id: str = ""
    payment_intent_id: str = ""


@dataclass(frozen=True)
class PayoutData:
    """A Stripe Payout as the shop records it."""

    id: str
    amount: Decimal
    arrival_date: date
    status: str


def fetch_charge_transaction(payment_intent_id: str) -> BalanceTransaction | None:
    """Return the balance transaction of an intent's latest charge.

    Returns None when the intent has no charge yet or the charge has no
    balance transaction. Raises UnexpectedCurrencyError when Stripe
    settled the charge in another currency than CAD.
    """
    intent = (
        stripe_client()
        .v1.payment_intents.retrieve(
            payment_intent_id,
            params={"expand": ["latest_charge.balance_transaction"]},
        )
        .to_dict()
    )
    charge = intent.get("latest_charge")
    if isinstance(charge, str):
        charge = _retrieve_charge(charge)
    if not charge:
        return None
    transaction = charge.get("balance_transaction")
    if isinstance(transaction, str):
        transaction = _retrieve_balance_transaction(transaction)
    if not transaction:
        return None
    return parse_balance_transaction(transaction, source=charge)


def list_payout_transactions(payout_id: str) -> Iterator[BalanceTransaction]:
    """Yield the balance transactions a payout settled, page after page.

    The payout's own transaction (type "payout") is left out, so the
    items are what made up the amount paid out.
    """
    page = stripe_client().v1.balance_transactions.list(
        params={"payout": payout_id, "limit": PAGE_SIZE, "expand": ["data.source"]}
    )
    for transaction in page.auto_paging_iter():
        data = transaction.to_dict()
        if data["type"] != "payout":
            yield parse_balance_transaction(data)


def parse_balance_transaction(
    data: Mapping[str, Any], *, source: Mapping[str, Any] | None = None
) -> BalanceTransaction:
    """Convert a BalanceTransaction from Stripe's JSON to dollars.

    `source` is the charge or refund behind it, when the caller has it
    and the transaction carries only its id.
    """
    if data["currency"] != CURRENCY.lower():
        raise UnexpectedCurrencyError(
            f"Balance transaction {data['id']} is in {data['currency']}, not "
            f"{CURRENCY.lower()}; the shop records Stripe amounts in "
            f"{CURRENCY} only."
        )
    if source is None and isinstance(data.get("source"), Mapping):
        source = data["source"]
    charge_id, payment_intent_id = _charge_of(data, source or {})
    return BalanceTransaction(
        id=data["id"],
        type=data["type"],
        gross_amount=from_minor_units(data["amount"]),
        fee_amount=from_minor_units(data["fee"]),
        net_amount=from_minor_units(data["net"]),
        charge_id=charge_id,
        payment_intent_id=payment_intent_id,
    )


def parse_payout(data: Mapping[str, Any]) -> PayoutData:
    """Convert a Payout from Stripe's JSON (a payout.* event's object).

    Stripe gives `arrival_date` as a Unix time at midnight UTC of the day
    the money reaches the bank, so the date is read in UTC, not in the
    shop's time zone.
    """
    arrival = datetime.fromtimestamp(int(data["arrival_date"]), tz=UTC)
    return PayoutData(
        id=data["id"],
        amount=from_minor_units(data["amount"]),
        arrival_date=arrival.date(),
        status=str(data["status"]),
    )


def _charge_of(data: Mapping[str, Any], source: Mapping[str, Any]) -> tuple[str, str]:
    source_id = data.get("source")
    if isinstance(source_id, Mapping):
        source_id = source_id.get("id")
    source_id = str(source_id or "")

    if source.get("object") == "refund" or source_id.startswith("re_"):
        charge = source.get("charge") or ""
        charge_id = charge.get("id", "") if isinstance(charge, Mapping) else charge
        return str(charge_id), str(source.get("payment_intent") or "")
    if source_id.startswith(("ch_", "py_")):
        return source_id, str(source.get("payment_intent") or "")
    return "", ""


def _retrieve_charge(charge_id: str) -> dict[str, Any]:
    charge = stripe_client().v1.charges.retrieve(
        charge_id, params={"expand": ["balance_transaction"]}
    )
    return charge.to_dict()


def _retrieve_balance_transaction(transaction_id: str) -> dict[str, Any]:
    return stripe_client().v1.balance_transactions.retrieve(transaction_id).to_dict()
