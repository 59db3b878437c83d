"""Fill a benchmark database with a large shop in bulk, for timing pages.

The rows are made up but shaped like real ones: orders spread over three
years with numbers rising with time, one to three lines each, a payment and
a balanced sale entry in the ledger for every paid order. Online orders
ship to Nova Scotia with HST at 15% on goods and shipping; in-store orders
have no shipping. Use it only on a database made for benchmarks.
"""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounting.models import Account, JournalEntry, JournalLine
from accounting.posting.dates import shop_date
from inventory.models import Stock, Supplier
from orders.models import Order, OrderLine, Payment
from shop.models import Category, Customer, Product, TaxClass, Variant
from shop.money import round_money

HST = Decimal("0.15")
SHIPPING = Decimal("12.00")
VARIANTS_PER_PRODUCT = 5
SUPPLIERS = 20
CUSTOMERS_PER_ORDER = Decimal("0.2")
IN_STORE_SHARE = 0.15
UNPAID_SHARE = 0.02
BACKORDERED_SHARE = 0.1
HISTORY_DAYS = 3 * 365
BATCH_SIZE = 5000
FIRST_NAMES = ["Avery", "Sam", "Jordan", "Morgan", "Riley", "Emma", "Liam", "Chloé"]
LAST_NAMES = ["Tremblay", "Gagnon", "Roy", "MacDonald", "Smith", "Leblanc", "Wong"]


@dataclass(frozen=True)
class Catalog:
    variants: list[Variant]
    customers: list[Customer]
    accounts: dict[str, int]


def build_shop(*, orders: int, products: int, seed: int = 1) -> None:
    """Create `products` products (5 variants and stock rows each), the
    customers and `orders` orders with their lines, payments and entries."""
    rng = random.Random(seed)
    catalog = Catalog(
        variants=_create_variants(products),
        customers=_create_customers(int(orders * CUSTOMERS_PER_ORDER) or 1),
        accounts=dict(Account.objects.values_list("key", "pk")),
    )
    now = timezone.now()
    first_moment = now - timedelta(days=HISTORY_DAYS)
    step = timedelta(days=HISTORY_DAYS) / orders
    with _auto_now_add_off(Order, "created_at"):
        for start in range(0, orders, BATCH_SIZE):
            count = min(BATCH_SIZE, orders - start)
            moments = [first_moment + step * (start + index) for index in range(count)]
            with transaction.atomic():
                _create_orders(rng, catalog, 100001 + start, moments, now)
            print(f"  {start + count} orders", end="\r", flush=True)
    print()


@contextmanager
def _auto_now_add_off(model, field_name: str) -> Iterator[None]:
    # bulk_create would stamp every order with the current time.
    field = model._meta.get_field(field_name)
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def _create_variants(products: int) -> list[Variant]:
    category = Category.add_root(name="Bench", slug="bench")
    suppliers = Supplier.objects.bulk_create(
        Supplier(name=f"Bench supplier {number}") for number in range(SUPPLIERS)
    )
    new_products = Product.objects.bulk_create(
        (
            Product(
                category=category,
                sku=f"BP{number:06d}",
                name=f"Bench product {number}",
                slug=f"bench-product-{number}",
                tax_class=TaxClass.STANDARD,
            )
            for number in range(products)
        ),
        batch_size=BATCH_SIZE,
    )
    variants = Variant.objects.bulk_create(
        (
            Variant(
                product=product,
                sku=f"BV{product.sku[2:]}-{size}",
                size=str(size),
                price=Decimal(10 + product.pk % 90),
            )
            for product in new_products
            for size in range(VARIANTS_PER_PRODUCT)
        ),
        batch_size=BATCH_SIZE,
    )
    Stock.objects.bulk_create(
        (
            Stock(
                variant=variant,
                supplier=suppliers[index % SUPPLIERS],
                quantity_on_hand=index % 40,
                reorder_point=5,
                reorder_quantity=12,
            )
            for index, variant in enumerate(variants)
        ),
        batch_size=BATCH_SIZE,
    )
    return variants


def _create_customers(count: int) -> list[Customer]:
    return Customer.objects.bulk_create(
        (
            Customer(
                email=f"customer{number}@bench.example",
                first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
                last_name=LAST_NAMES[number % len(LAST_NAMES)],
                phone=f"902-555-{number % 10000:04d}",
            )
            for number in range(count)
        ),
        batch_size=BATCH_SIZE,
    )


def _create_orders(rng, catalog: Catalog, first_number: int, moments, now) -> None:
    drafts = [
        _draft_order(rng, catalog, first_number + index, moment, now)
        for index, moment in enumerate(moments)
    ]
    orders = Order.objects.bulk_create(order for order, _lines in drafts)
    lines = []
    for order, order_lines in drafts:
        for line in order_lines:
            line.order = order
            lines.append(line)
    OrderLine.objects.bulk_create(lines)

    paid = [order for order in orders if order.paid_at is not None]
    payments = Payment.objects.bulk_create(_payment(order) for order in paid)
    entries = JournalEntry.objects.bulk_create(
        _sale_entry(order, payment)
        for order, payment in zip(paid, payments, strict=True)
    )
    JournalLine.objects.bulk_create(
        line
        for order, entry in zip(paid, entries, strict=True)
        for line in _sale_lines(order, entry, catalog.accounts)
    )


def _draft_order(rng, catalog: Catalog, number: int, moment: datetime, now):
    customer = rng.choice(catalog.customers)
    in_store = rng.random() < IN_STORE_SHARE
    lines = [_line(rng, rng.choice(catalog.variants)) for _ in range(rng.randint(1, 3))]
    subtotal = sum((line.subtotal_amount for line in lines), Decimal("0.00"))
    shipping = Decimal("0.00") if in_store else SHIPPING
    tax = round_money((subtotal + shipping) * HST)
    status, paid_at = _status(rng, in_store, moment, now)
    if status == Order.Status.PAID:
        for line in lines:
            if rng.random() < BACKORDERED_SHARE:
                line.quantity_backordered = line.quantity
                line.backordered_at = paid_at
            else:
                line.quantity_allocated = line.quantity
    else:
        for line in lines:
            line.quantity_shipped = line.quantity if paid_at else 0
    order = Order(
        number=number,
        customer=customer,
        email=customer.email,
        status=status,
        channel=Order.Channel.IN_STORE if in_store else Order.Channel.ONLINE,
        ship_name=f"{customer.first_name} {customer.last_name}",
        ship_line1="1500 Barrington Street",
        ship_city="Halifax",
        ship_province="NS",
        ship_postal_code=f"B3J {number % 10}Z{number % 7}",
        ship_phone=customer.phone,
        shipping_method="pickup" if in_store else "standard",
        shipping_method_name="In store" if in_store else "Standard",
        subtotal_amount=subtotal,
        shipping_amount=shipping,
        tax_amount=tax,
        total_amount=subtotal + shipping + tax,
        created_at=moment,
        paid_at=paid_at,
    )
    return order, lines


def _line(rng, variant: Variant) -> OrderLine:
    quantity = rng.randint(1, 3)
    return OrderLine(
        variant=variant,
        sku=variant.sku,
        name=f"Bench product {variant.sku}",
        tax_class=TaxClass.STANDARD,
        quantity=quantity,
        unit_price=variant.price,
        subtotal_amount=variant.price * quantity,
        tax_amount=round_money(variant.price * quantity * HST),
    )


def _status(rng, in_store: bool, moment: datetime, now: datetime):
    paid_at = moment + timedelta(minutes=2)
    if in_store:
        return Order.Status.COMPLETED, moment
    if rng.random() < UNPAID_SHARE:
        return Order.Status.PENDING_PAYMENT, None
    age = now - moment
    if age > timedelta(days=14):
        return Order.Status.DELIVERED, paid_at
    if age > timedelta(days=3):
        return Order.Status.SHIPPED, paid_at
    return Order.Status.PAID, paid_at


def _payment(order: Order) -> Payment:
    in_store = order.channel == Order.Channel.IN_STORE
    return Payment(
        order=order,
        method=Payment.Method.CASH if in_store else Payment.Method.CARD_ONLINE,
        stripe_payment_intent_id=None if in_store else f"pi_bench_{order.number}",
        amount=order.total_amount,
        status=Payment.Status.SUCCEEDED,
        succeeded_at=order.paid_at,
    )


def _sale_entry(order: Order, payment: Payment) -> JournalEntry:
    return JournalEntry(
        event_key=f"sale:order:{order.pk}",
        kind=JournalEntry.Kind.SALE,
        entry_date=shop_date(order.paid_at),
        description=f"Sale, order {order.number}",
        order=order,
        payment=payment,
    )


def _sale_lines(order: Order, entry: JournalEntry, accounts: dict[str, int]):
    in_store = order.channel == Order.Channel.IN_STORE
    memo = f"Order {order.number}"
    amounts = [
        ("cash_drawer" if in_store else "stripe_clearing", order.total_amount, 0),
        ("sales_in_store" if in_store else "sales_online", 0, order.subtotal_amount),
        ("shipping_revenue", 0, order.shipping_amount),
        ("gst_hst_payable", 0, order.tax_amount),
    ]
    return [
        JournalLine(
            entry=entry,
            account_id=accounts[key],
            debit=debit,
            credit=credit,
            memo=memo,
        )
        for key, debit, credit in amounts
        if debit or credit
    ]
