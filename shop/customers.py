"""One customer record per person: finding and creating Customer rows.

Every path that creates or finds a customer by email goes through this
module: checkout, account confirmation, the counter, the mailing-list
sign-up form and the admin form. An email is trimmed of surrounding spaces
and matched without regard to case, so " Ann@Example.COM " finds the
record of "ann@example.com". The unique index on lower(email) backs the
rule in the database. Emails are stored as typed, apart from the trimming.
"""

import logging

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower, Trim

from .models import Customer

logger = logging.getLogger(__name__)

# A phone number shorter than this, in digits, matches no one: it is a
# typing mistake or an extension, not a number that names a person.
MIN_PHONE_DIGITS = 7


class InvalidCustomerEmail(ValueError):
    """An email that is blank or not an address, with a message for staff
    or the customer."""


def normalize_email(email: str) -> str:
    """Trim surrounding spaces from an email, keeping its case."""
    return email.strip()


def phone_digits(phone: str) -> str:
    """Return a phone number's digits without the North American "1" prefix.

    "+1 (902) 555-0101" and "902.555.0101" both return "9025550101".
    """
    digits = "".join(character for character in phone if character.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        return digits[1:]
    return digits


def split_full_name(name: str) -> tuple[str, str]:
    """Split a typed full name at its first space into first and last name.

    Each part is cut to the 100 characters Customer stores.
    """
    first_name, _, last_name = name.strip().partition(" ")
    return first_name[:100], last_name.strip()[:100]


def find_customer_by_email(
    email: str, *, exclude_pk: int | None = None
) -> Customer | None:
    """Return the customer with this email, ignoring case and spaces, or None.

    `exclude_pk` leaves one record out, for checking an edited record's
    new email against the others.
    """
    email = normalize_email(email)
    if not email:
        return None
    return _by_email(Customer.objects.all(), email, exclude_pk=exclude_pk)


def find_customer_by_phone(phone: str) -> Customer | None:
    """Return the oldest customer whose phone has the same digits, or None.

    Punctuation, spaces and a leading country code 1 are ignored, so
    "902 555 0101" finds "(902) 555-0101".
    """
    digits = phone_digits(phone)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    candidates = Customer.objects.filter(phone__contains=digits[-4:]).order_by("pk")
    return next((c for c in candidates if phone_digits(c.phone) == digits), None)


def find_or_create_customer(
    *, email: str, first_name: str = "", last_name: str = "", phone: str = ""
) -> Customer:
    """Return the customer with this email, creating one if there is none.

    The email is trimmed and matched without regard to case. An existing
    record keeps its values, except that a record without a name gets the
    name given, and one without a phone the phone given. The row is locked
    until the caller's transaction ends, so a merge cannot delete it before
    an order refers to it. Raises InvalidCustomerEmail for a blank or
    invalid email.
    """
    email = _valid_email(email)
    with transaction.atomic():
        customer = _locked_by_email(email)
        if customer is None:
            customer = _create_customer(email, first_name, last_name, phone)
        else:
            _fill_blanks(
                customer, first_name=first_name, last_name=last_name, phone=phone
            )
    return customer


def _valid_email(email: str) -> str:
    email = normalize_email(email)
    if not email:
        raise InvalidCustomerEmail("Enter an email address: a customer needs one.")
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidCustomerEmail(
            f"Email {email!r} is invalid. Check it and enter it again."
        ) from None
    return email


def _by_email(
    customers: QuerySet[Customer], email: str, *, exclude_pk: int | None = None
) -> Customer | None:
    if exclude_pk is not None:
        customers = customers.exclude(pk=exclude_pk)
    # lower(email) is what the unique index holds, so this lookup uses it.
    by_case = customers.annotate(email_lower=Lower("email"))
    customer = by_case.filter(email_lower=email.lower()).order_by("pk").first()
    if customer is not None:
        return customer
    # Rows written before emails were trimmed may still have spaces around
    # them. This scan runs only when no trimmed row matched.
    untrimmed = customers.annotate(email_trimmed=Lower(Trim("email")))
    return untrimmed.filter(email_trimmed=email.lower()).order_by("pk").first()


def _locked_by_email(email: str) -> Customer | None:
    # FOR NO KEY UPDATE (on PostgreSQL) waits for a merge that holds the
    # row and then finds it deleted, but lets the order insert that follows
    # take its foreign key lock. SQLite takes no row locks.
    locked = Customer.objects.select_for_update(no_key=True)
    return _by_email(locked, email)


def _create_customer(
    email: str, first_name: str, last_name: str, phone: str
) -> Customer:
    try:
        with transaction.atomic():
            customer = Customer.objects.create(
                email=email,
                first_name=first_name.strip()[:100],
                last_name=last_name.strip()[:100],
                phone=phone.strip()[:32],
            )
    except IntegrityError:
        # A concurrent request created the record after our lookup, and the
        # unique index on lower(email) rejected this insert.
        existing = _locked_by_email(email)
        if existing is None:
            raise
        return existing

    logger.info("Customer created", extra={"customer_id": customer.pk})
    return customer


def _fill_blanks(
    customer: Customer, *, first_name: str, last_name: str, phone: str
) -> None:
    # The name is filled as a pair, so one person's first name never ends
    # up next to another's last name.
    filled = []
    if not customer.first_name and not customer.last_name:
        customer.first_name = first_name.strip()[:100]
        customer.last_name = last_name.strip()[:100]
        filled += ["first_name", "last_name"]
    if not customer.phone:
        customer.phone = phone.strip()[:32]
        filled.append("phone")
    changed = [field for field in filled if getattr(customer, field)]
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
