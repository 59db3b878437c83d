"""Fill a benchmark database with paid orders whose lines wait for stock.

    manage.py generate_order_lines --lines 100000

Writes with bulk inserts, so a million lines take minutes, not hours. The
rows are made up: run it only on a database made for benchmarks.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from inventory.models import Stock, Supplier
from orders.models import Order, OrderLine
from shop.models import Category, Customer, Product, TaxClass, Variant

SKU_PREFIX = "BENCH-"
UNIT_PRICE = Decimal("25.00")
CUSTOMER_COUNT = 1000
MAX_DAYS_WAITING = 60


class Command(BaseCommand):
    help = (
        "Create paid orders with backordered lines in bulk, for timing the "
        "nightly reports. Refuses a database whose name lacks 'bench' unless "
        "--force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--lines", type=int, required=True, help="Order lines.")
        parser.add_argument(
            "--lines-per-order", type=int, default=3, help="Lines on each order."
        )
        parser.add_argument(
            "--products", type=int, default=500, help="Variants the lines use."
        )
        parser.add_argument(
            "--backordered-percent",
            type=int,
            default=100,
            help="Share of lines with units waiting for stock, 0 to 100.",
        )
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--force", action="store_true", help="Run on any database.")

    def handle(self, *args, **options):
        self.check_options(options)
        rng = random.Random(options["seed"])
        variants = ensure_variants(options["products"])
        customers = ensure_customers()
        created = 0
        while created < options["lines"]:
            count = min(options["batch_size"], options["lines"] - created)
            with transaction.atomic():
                create_batch(rng, count, variants, customers, options)
            created += count
            self.stdout.write(f"{created} lines", ending="\r")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {created} order lines on {len(variants)} products."
            )
        )

    def check_options(self, options):
        name = str(connection.settings_dict["NAME"])
        if "bench" not in name and not options["force"]:
            raise CommandError(
                f"Database {name!r} is not named for benchmarks: this command "
                "fills it with made-up orders. Use a database whose name "
                "contains 'bench', or pass --force."
            )
        if options["lines"] < 1 or options["lines_per_order"] < 1:
            raise CommandError("--lines and --lines-per-order must be 1 or more.")
        if not 0 <= options["backordered_percent"] <= 100:
            raise CommandError(
                f"--backordered-percent is {options['backordered_percent']}; "
                "use a number from 0 to 100."
            )


def ensure_variants(count: int) -> list[Variant]:
    """Return `count` benchmark variants, creating those missing with stock."""
    existing = list(Variant.objects.filter(sku__startswith=SKU_PREFIX).order_by("id"))
    if len(existing) >= count:
        return existing[:count]
    category = Category.objects.filter(
        slug="bench"
    ).first() or Category.objects.add_root({"name": "Bench", "slug": "bench"})
    supplier, _ = Supplier.objects.get_or_create(
        name="Bench Supplier", defaults={"lead_time_days": 10}
    )
    start = len(existing)
    products = Product.objects.bulk_create(
        Product(
            category=category,
            sku=f"{SKU_PREFIX}P{number:06d}",
            name=f"Bench product {number}",
            slug=f"bench-product-{number}",
            tax_class=TaxClass.STANDARD,
        )
        for number in range(start, count)
    )
    variants = Variant.objects.bulk_create(
        Variant(product=product, sku=f"{SKU_PREFIX}{product.sku[7:]}", price=UNIT_PRICE)
        for product in products
    )
    Stock.objects.bulk_create(
        Stock(variant=variant, supplier=supplier, reorder_point=5, reorder_quantity=12)
        for variant in variants
    )
    return existing + variants


def ensure_customers() -> list[Customer]:
    customers = list(Customer.objects.filter(email__endswith="@bench.example"))
    if customers:
        return customers
    return Customer.objects.bulk_create(
        Customer(email=f"buyer{number}@bench.example", first_name=f"Buyer {number}")
        for number in range(CUSTOMER_COUNT)
    )


def create_batch(rng, count, variants, customers, options) -> None:
    now = timezone.now()
    first_number = (Order.objects.aggregate(last=Max("number"))["last"] or 0) + 1
    order_count = -(-count // options["lines_per_order"])
    orders = Order.objects.bulk_create(
        new_order(first_number + index, rng.choice(customers), now)
        for index in range(order_count)
    )
    lines = []
    for index in range(count):
        order = orders[index // options["lines_per_order"]]
        waiting = rng.randrange(100) < options["backordered_percent"]
        since = now - timedelta(minutes=rng.randrange(MAX_DAYS_WAITING * 24 * 60))
        lines.append(new_line(order, rng.choice(variants), waiting, since))
    OrderLine.objects.bulk_create(lines)


def new_order(number: int, customer: Customer, now) -> Order:
    return Order(
        number=number,
        customer=customer,
        email=customer.email,
        status=Order.Status.PAID,
        ship_name=customer.first_name,
        ship_line1="1500 Barrington Street",
        ship_city="Halifax",
        ship_province="NS",
        ship_postal_code="B3J 1Z7",
        shipping_method="standard",
        shipping_method_name="Standard",
        subtotal_amount=Decimal("0.00"),
        shipping_amount=Decimal("0.00"),
        tax_amount=Decimal("0.00"),
        total_amount=Decimal("0.00"),
        paid_at=now,
    )


def new_line(order: Order, variant: Variant, waiting: bool, since) -> OrderLine:
    return OrderLine(
        order=order,
        variant=variant,
        sku=variant.sku,
        name=f"Bench product {variant.sku}",
        tax_class=TaxClass.STANDARD,
        quantity=2,
        unit_price=UNIT_PRICE,
        subtotal_amount=UNIT_PRICE * 2,
        tax_amount=Decimal("0.00"),
        quantity_backordered=2 if waiting else 0,
        quantity_shipped=0 if waiting else 2,
        backordered_at=since if waiting else None,
    )
