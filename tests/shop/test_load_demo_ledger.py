import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from accounting.models import JournalEntry
from inventory.models import Stock, StockMovement
from shop.models import Variant
from tests.accounting.ledger_setup import account_balances


def load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def demo_password(monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "harbour-demo-1")


@pytest.mark.django_db
def test_load_demo_sets_unit_cost_to_45_percent():
    load_demo()

    hoodie = Variant.objects.get(sku="MH01-XS-Black")
    assert (hoodie.price, hoodie.unit_cost) == (Decimal("52.00"), Decimal("23.40"))
    assert Variant.objects.filter(unit_cost__isnull=True).count() == 0


@pytest.mark.django_db
def test_load_demo_keeps_unit_cost_already_set():
    load_demo()
    Variant.objects.filter(sku="MH01-XS-Black").update(unit_cost=Decimal("20.00"))

    load_demo()

    assert Variant.objects.get(sku="MH01-XS-Black").unit_cost == Decimal("20.00")


@pytest.mark.django_db
def test_load_demo_posts_opening_stock_to_equity():
    load_demo()

    value = Stock.objects.aggregate(total=Sum("value_amount"))["total"]
    balances = account_balances()
    assert balances["inventory"] == value
    assert balances["owners_equity"] == -value


@pytest.mark.django_db
def test_load_demo_prints_stock_value_to_cent():
    output = load_demo()

    # SQLite sums decimals as floats, which gave "$932,977.430000001".
    assert "Demo stock on hand is worth $932,977.43 at cost." in output


@pytest.mark.django_db
def test_load_demo_posts_each_movement_once():
    load_demo()
    load_demo()

    movements = StockMovement.objects.exclude(value_amount=0)
    keys = set(JournalEntry.objects.values_list("event_key", flat=True))
    assert keys == {
        f"stock:movement:{pk}" for pk in movements.values_list("pk", flat=True)
    }
    assert JournalEntry.objects.count() == 1921
