"""Find an order from whatever a customer quotes on the phone or by email.

A customer rarely has the order number at hand: they give their email, their
name, a phone number written their own way, a postal code or the tracking
number from the shipping email. `find_orders` matches any of these from one
search box. `get_order_for_lookup` loads what the customer service screen
shows about one order, in a fixed number of queries.
"""

import re
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat, Replace, Upper

from shop.models import EmailLog
from shop.text import strip_control_characters

from .counter_customers import WALK_IN_EMAIL
from .models import Order

RESULT_LIMIT = 50
# A phone number shorter than this is more likely part of an order number.
MIN_PHONE_DIGITS = 7
PHONE_PUNCTUATION = (" ", "-", "(", ")", ".", "+", "/")
POSTAL_CODE = re.compile(r"^[A-Z]\d[A-Z]\d[A-Z]\d$")


def find_orders(query: str) -> QuerySet[Order]:
    """Return the orders a free-text customer service query points to.

    The query is tried as an order number, an email (any case, outer spaces
    ignored) and a ship-to or customer name. It is also tried as a phone
    number (digits only, a leading country code 1 ignored), a postal code
    (with or without its space) and a shipment's tracking number. Control
    characters are dropped, and an empty query matches nothing. Newest
    orders come first.
    """
    query = " ".join(strip_control_characters(query).split())
    if not query:
        return Order.objects.none()

    condition = (
        _number_condition(query)
        | _email_condition(query)
        | _name_condition(query)
        | _phone_condition(query)
        | _postal_code_condition(query)
        | Q(shipments__tracking_number__iexact=query.replace(" ", ""))
    )
    orders = _with_search_columns(Order.objects.all()).filter(condition)
    return orders.select_related("customer").distinct().order_by("-number")


def _with_search_columns(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.annotate(
        lookup_customer_name=Concat(
            F("customer__first_name"), Value(" "), F("customer__last_name")
        ),
        lookup_ship_phone=digits_of("ship_phone"),
        lookup_customer_phone=digits_of("customer__phone"),
        lookup_postal_code=Upper(Replace(F("ship_postal_code"), Value(" "))),
    )


def digits_of(field: str):
    """Return `field` with the usual phone punctuation removed, in SQL."""
    # Phones are stored as typed. Stripping the usual punctuation in SQL
    # keeps the comparison in the database on SQLite and PostgreSQL alike.
    # NOTE: other characters (letters, "ext") stay, so such a phone matches
    # only by the digits after them.
    expression = F(field)
    for character in PHONE_PUNCTUATION:
        expression = Replace(expression, Value(character))
    return expression


def _number_condition(query: str) -> Q:
    number = query.removeprefix("#").strip()
    if not number.isdigit():
        return Q(pk__in=[])
    return Q(number=int(number))


def _email_condition(query: str) -> Q:
    if "@" not in query:
        return Q(pk__in=[])
    return Q(email__iexact=query) | Q(customer__email__iexact=query)


def _name_condition(query: str) -> Q:
    # Each word may come anywhere in the name, so "Tremblay Avery" finds
    # Avery Tremblay. The walk-in record's name ("Walk-in customer") would
    # match words such as "Tom" on every anonymous counter sale.
    if not any(character.isalpha() for character in query):
        return Q(pk__in=[])
    ship_name = Q()
    customer_name = Q()
    for word in query.split():
        ship_name &= Q(ship_name__icontains=word)
        customer_name &= Q(lookup_customer_name__icontains=word)
    return (ship_name | customer_name) & ~Q(customer__email=WALK_IN_EMAIL)


def phone_digits(query: str) -> str:
    """Return the digits of the phone number `query`, or "" if it is not one.

    A leading country code 1 is dropped. Fewer than MIN_PHONE_DIGITS digits,
    a letter or an "@" mean the query is something else.
    """
    digits = re.sub(r"\D", "", query)
    if len(digits) < MIN_PHONE_DIGITS or re.search(r"[A-Za-z@]", query):
        return ""
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


def postal_code_of(query: str) -> str:
    """Return `query` as a postal code without its space ("B3J1H6"), or ""."""
    postal_code = query.replace(" ", "").upper()
    return postal_code if POSTAL_CODE.match(postal_code) else ""


def _phone_condition(query: str) -> Q:
    digits = phone_digits(query)
    if not digits:
        return Q(pk__in=[])
    return Q(lookup_ship_phone__endswith=digits) | Q(
        lookup_customer_phone__endswith=digits
    )


def _postal_code_condition(query: str) -> Q:
    postal_code = postal_code_of(query)
    if not postal_code:
        return Q(pk__in=[])
    return Q(lookup_postal_code=postal_code)


@dataclass
class OrderLookup:
    """An order with the emails sent about it, for the lookup screen."""

    order: Order
    emails: list[EmailLog]


def get_order_for_lookup(order_id: int) -> OrderLookup | None:
    """Load an order with its lines, money, parcels, documents and emails.

    The number of queries is the same whatever the number of lines,
    payments, shipments or documents. Return None for an unknown id.
    """
    order = (
        Order.objects.select_related("customer", "invoice")
        .prefetch_related("lines", "payments", "refunds", "shipments", "credit_notes")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        return None
    return OrderLookup(order=order, emails=list_order_emails(order))


def list_order_emails(order: Order) -> list[EmailLog]:
    """Return the emails sent about an order or to its customer, newest first.

    An email counts when its reference is the order number or the number of
    the order's invoice or one of its credit notes, or when it went to the
    order's email address. Expects `credit_notes` and `invoice` loaded.

    NOTE: order and document numbers come from separate sequences, so an
    email about another document with the same number is listed too.
    """
    references = [str(order.number)]
    invoice = getattr(order, "invoice", None)
    if invoice is not None:
        references.append(str(invoice.number))
    references += [str(note.number) for note in order.credit_notes.all()]
    emails = EmailLog.objects.filter(
        Q(reference__in=references) | Q(to__iexact=order.email)
    )
    return list(emails.order_by("-created_at", "-pk"))
