"""Customers at the counter: found by email or phone, or added on the spot.

They are the same shop.models.Customer records as online, so a customer
who buys in store and online has one history.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from shop.models import Customer

# Sales without a named customer belong to one shared record. Customer
# emails are unique, so this record is the only one with a blank email.
WALK_IN_EMAIL = ""
WALK_IN_NAME = ("Walk-in", "customer")


class CounterSaleError(ValueError):
    """A counter sale or customer that cannot be recorded; nothing written."""


def walk_in_customer() -> Customer:
    """Return the shared customer record of sales to no one in particular."""
    customer, _ = Customer.objects.get_or_create(
        email=WALK_IN_EMAIL,
        defaults={"first_name": WALK_IN_NAME[0], "last_name": WALK_IN_NAME[1]},
    )
    return customer


def normalise_email(email: str) -> str:
    """Return an email without any spaces, for matching without case."""
    return "".join(email.split())


def find_customer(query: str) -> Customer | None:
    """Find a customer by email (ignoring case and spaces) or phone digits.

    A phone matches on its digits alone, so "902 555-0101" finds
    "(902) 555-0101"; a leading country code 1 is ignored.
    """
    query = query.strip()
    if "@" in query:
        email = normalise_email(query)
        return Customer.objects.filter(email__iexact=email).first()
    digits = _phone_digits(query)
    if len(digits) < 7:
        return None
    candidates = Customer.objects.filter(phone__contains=digits[-4:]).order_by("pk")
    return next((c for c in candidates if _phone_digits(c.phone) == digits), None)


def find_or_create_customer(*, name: str, email: str, phone: str) -> Customer:
    """Find the customer with this email, or add one with the name and phone.

    Raises CounterSaleError for a blank email: a new customer needs one.
    """
    email = normalise_email(email)
    if not email:
        raise CounterSaleError("Enter the customer's email; a new customer needs one.")
    try:
        validate_email(email)
    except ValidationError:
        raise CounterSaleError(
            f"Email {email!r} is invalid; check it with the customer."
        ) from None
    customer = Customer.objects.filter(email__iexact=email).first()
    if customer is not None:
        return customer
    first_name, _, last_name = name.strip().partition(" ")
    try:
        with transaction.atomic():
            return Customer.objects.create(
                email=email,
                first_name=first_name[:100],
                last_name=last_name.strip()[:100],
                phone=phone.strip()[:32],
            )
    except IntegrityError:
        # Added by a concurrent request since the lookup above.
        return Customer.objects.get(email__iexact=email)


def _phone_digits(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
