"""The order change list's search, on indexed columns where it can be.

The admin's default search runs ILIKE '%term%' on every search field,
which reads the whole table, and a field across a to-many relation
(an order's line SKUs) adds SELECT DISTINCT on every column. At 100,000
orders that took seconds (docs/benchmarks.md). Here the term's shape
picks one lookup instead:

- digits: the order number, through its unique index;
- an "@": the customer's email, case-insensitive, through the index on
  LOWER(email) of customers;
- anything else: a line's SKU as sold, exact as typed or in capitals,
  or part of the ship-to name, the customer's first or last name or the
  postal code. These conditions still read every order, in one pass
  without DISTINCT.

The customer service lookup (/admin/lookup/) matches more loosely.
"""

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from shop.models import Customer

from .models import Order, OrderLine

SEARCH_HELP_TEXT = (
    "Order number, customer email (whole address), SKU (exact), or part "
    "of a name or postal code."
)
# The largest value a PositiveBigIntegerField holds on every database.
MAX_NUMBER = 2**63 - 1


def parse_order_number(term: str) -> int | None:
    """Return `term` as an order number, or None when it cannot be one."""
    term = term.strip().removeprefix("#")
    if not term.isdigit() or int(term) > MAX_NUMBER:
        return None
    return int(term)


def search_orders(queryset: QuerySet[Order], term: str) -> QuerySet[Order]:
    """Filter `queryset` to the orders `term` matches (see the module docs)."""
    term = " ".join(term.split())
    if not term:
        return queryset

    number = parse_order_number(term)
    if number is not None:
        return queryset.filter(number=number)

    if "@" in term:
        customers = Customer.objects.alias(email_lower=Lower("email")).filter(
            email_lower=term.lower()
        )
        return queryset.filter(customer__in=customers)

    # An uncorrelated subquery, which PostgreSQL runs once (a hashed
    # SubPlan), where EXISTS inside an OR would run once per order.
    orders_with_sku = OrderLine.objects.filter(sku__in={term, term.upper()}).values(
        "order_id"
    )
    return queryset.filter(
        Q(ship_name__icontains=term)
        | Q(customer__first_name__icontains=term)
        | Q(customer__last_name__icontains=term)
        | Q(ship_postal_code__icontains=term)
        | Q(pk__in=orders_with_sku)
    )
