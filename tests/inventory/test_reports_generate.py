"""generate_order_lines: made-up waiting lines for timing the reports."""

import io

import pytest
from django.core.management import CommandError, call_command

from inventory.reports import build_backorder_report, shop_today
from orders.models import OrderLine

pytestmark = pytest.mark.django_db


def test_generator_creates_waiting_lines():
    call_command(
        "generate_order_lines",
        "--lines=10",
        "--products=4",
        "--lines-per-order=3",
        "--force",
        stdout=io.StringIO(),
    )

    lines = OrderLine.objects.all()
    assert lines.count() == 10
    assert lines.filter(quantity_backordered=2).count() == 10
    assert lines.values("order").distinct().count() == 4
    assert build_backorder_report(shop_today()).subject.endswith("20 units on 10 lines")


def test_generator_rejects_shop_database():
    with pytest.raises(CommandError) as error:
        call_command("generate_order_lines", "--lines=10", stdout=io.StringIO())

    assert "is not named for benchmarks" in str(error.value)
    assert OrderLine.objects.count() == 0
