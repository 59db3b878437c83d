"""Property test: any sequence of business events leaves the books whole.

Each operation is a frozen dataclass with an `apply(world)` method that
runs one event through the real services, and OPERATION_STRATEGIES lists
a Hypothesis strategy per kind of event. To cover a new event (a refund,
a Stripe fee or payout, a supplier bill), add its dataclass and append
its strategy to OPERATION_STRATEGIES: the test draws random sequences
from all of them and checks the invariants after every sequence.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounting.models import CreditNote, Invoice, JournalLine
from accounting.posting.accounts import TAX_ACCOUNT_KEYS
from inventory import services as inventory_services
from inventory.models import Stock
from shop.models import TaxClass
from tests.accounting.ledger_setup import (
    PROVINCES,
    account_balances,
    pay,
    priced_order,
)
from tests.factories.shop import ProductFactory, VariantFactory

ZERO = Decimal("0.00")
VARIANT_COUNT = 3


@dataclass
class World:
    """The shop every operation acts on: a few variants and a clerk."""

    variants: list
    clerk: object


@dataclass(frozen=True)
class Sale:
    province: str
    lines: tuple[tuple[int, int], ...]
    shipping_amount: Decimal

    def apply(self, world: World) -> None:
        order = priced_order(
            province=self.province,
            lines=[(world.variants[index], quantity) for index, quantity in self.lines],
            shipping_amount=self.shipping_amount,
        )
        pay(order)


@dataclass(frozen=True)
class Adjustment:
    variant: int
    quantity_change: int

    def apply(self, world: World) -> None:
        variant = world.variants[self.variant]
        on_hand = Stock.objects.get(variant=variant).quantity_on_hand
        change = max(self.quantity_change, -on_hand)
        if change:
            inventory_services.adjust_stock(
                variant=variant,
                quantity_change=change,
                reason="Stocktake",
                user=world.clerk,
            )


@dataclass(frozen=True)
class Receipt:
    variant: int
    quantity: int
    unit_cost: Decimal

    def apply(self, world: World) -> None:
        inventory_services.receive_stock(
            variant=world.variants[self.variant],
            quantity=self.quantity,
            unit_cost=self.unit_cost,
            reference="PO-1",
        )


@dataclass(frozen=True)
class Return:
    variant: int
    quantity: int
    value_amount: Decimal

    def apply(self, world: World) -> None:
        inventory_services.return_to_stock(
            variant=world.variants[self.variant],
            quantity=self.quantity,
            value_amount=self.value_amount,
            reference="CN-1",
        )


variant_indexes = st.integers(min_value=0, max_value=VARIANT_COUNT - 1)


def amounts(low: str, high: str, places: int = 2):
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places)


OPERATION_STRATEGIES = [
    st.builds(
        Sale,
        province=st.sampled_from(PROVINCES),
        lines=st.lists(
            st.tuples(variant_indexes, st.integers(min_value=1, max_value=4)),
            min_size=1,
            max_size=3,
            unique_by=lambda line: line[0],
        ).map(tuple),
        shipping_amount=amounts("0", "40"),
    ),
    st.builds(
        Adjustment,
        variant=variant_indexes,
        quantity_change=st.integers(min_value=-6, max_value=6),
    ),
    st.builds(
        Receipt,
        variant=variant_indexes,
        quantity=st.integers(min_value=1, max_value=12),
        unit_cost=amounts("0", "30", places=4),
    ),
    st.builds(
        Return,
        variant=variant_indexes,
        quantity=st.integers(min_value=1, max_value=3),
        value_amount=amounts("0", "60"),
    ),
]


@pytest.fixture
def world(db):
    prices = [Decimal("52.00"), Decimal("24.99"), Decimal("3.35")]
    classes = [TaxClass.STANDARD, TaxClass.PRINTED_BOOK, TaxClass.ZERO_RATED]
    variants = []
    for price, tax_class in zip(prices, classes, strict=True):
        variant = VariantFactory(
            price=price,
            unit_cost=(price * Decimal("0.4333")).quantize(Decimal("0.0001")),
            product=ProductFactory(tax_class=tax_class),
        )
        inventory_services.set_opening_stock(variant=variant, quantity=7)
        variants.append(variant)
    clerk = get_user_model().objects.create_user("clerk")
    return World(variants=variants, clerk=clerk)


def check_books() -> None:
    totals = JournalLine.objects.aggregate(debit=Sum("debit"), credit=Sum("credit"))
    assert totals["debit"] == totals["credit"]

    # Summed in Python: SQLite adds decimals as floats inside a query.
    differences: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for entry_id, debit, credit in JournalLine.objects.values_list(
        "entry_id", "debit", "credit"
    ):
        differences[entry_id] += debit - credit
    assert {pk: diff for pk, diff in differences.items() if diff} == {}

    balances = account_balances()
    tax_payable = -sum((balances[key] for key in set(TAX_ACCOUNT_KEYS.values())), ZERO)
    invoiced = Invoice.objects.aggregate(tax=Sum("tax_amount", default=ZERO))["tax"]
    credited = CreditNote.objects.aggregate(tax=Sum("tax_amount", default=ZERO))["tax"]
    assert tax_payable == invoiced - credited

    stock_value = Stock.objects.aggregate(value=Sum("value_amount"))["value"]
    assert balances["inventory"] == stock_value


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=st.lists(st.one_of(OPERATION_STRATEGIES), max_size=8))
def test_books_stay_balanced(world, operations):
    with transaction.atomic():
        for operation in operations:
            operation.apply(world)

        check_books()
        # Each example starts again from the fixture's shop.
        transaction.set_rollback(True)
