"""Customers at the counter: found by email or phone, or added on the spot.

They are the same shop.models.Customer records as online, so a customer
who buys in store and online has one history.
"""

from shop import customers
from shop.customers import (
    InvalidCustomerEmail,
    find_customer_by_email,
    find_customer_by_phone,
    split_full_name,
)
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


def find_customer(query: str) -> Customer | None:
    """Find a customer by email (ignoring case and spaces) or phone digits.

    A phone matches on its digits alone, so "902 555-0101" finds
    "(902) 555-0101"; a leading country code 1 is ignored.
    """
    query = query.strip()
    if "@" in query:
        return find_customer_by_email(query)
    return find_customer_by_phone(query)


def find_or_create_customer(*, name: str, email: str, phone: str) -> Customer:
    """Find the customer with this email, or add one with the name and phone.

    Raises CounterSaleError for a blank or invalid email: a new customer
    needs one.
    """
    first_name, last_name = split_full_name(name)
    try:
        return customers.find_or_create_customer(
            email=email, first_name=first_name, last_name=last_name, phone=phone
        )
    except InvalidCustomerEmail as error:
        raise CounterSaleError(str(error)) from None
