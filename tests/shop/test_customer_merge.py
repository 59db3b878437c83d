"""Merging duplicate customer records: nothing lost, the ledger untouched."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounting.models import Invoice, JournalEntry
from inventory.services import set_opening_stock
from orders.counter import CounterLine, record_counter_sale
from orders.models import Order
from shop.consent import make_unsubscribe_token, unsubscribe
from shop.customer_merge import MOVED_RELATIONS, MergeError, merge_customers
from shop.models import Address, Cart, ConsentSource, Customer
from tests.accounting.ledger_setup import account_balances, pay
from tests.factories.orders import order_with_lines
from tests.factories.shop import CustomerFactory, VariantFactory

from .customer_admin_setup import staff_with

pytestmark = pytest.mark.django_db

MERGE_URL = reverse("admin:shop_customer_merge")
MARCH_5 = datetime(2026, 3, 5, 14, 15, tzinfo=UTC)
APRIL_2 = datetime(2026, 4, 2, 9, 30, tzinfo=UTC)
HALIFAX = {
    "name": "Ann Roy",
    "line1": "5670 Spring Garden Road",
    "city": "Halifax",
    "province": "NS",
    "postal_code": "B3J 1H6",
}


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(
        "desk", is_staff=True, is_superuser=True
    )


@pytest.fixture
def mug(db, settings):
    """A $20.00 mug, 10 on the shelf, sold in Nova Scotia."""
    settings.SHOP_STORE_PROVINCE = "NS"
    variant = VariantFactory(
        sku="MUG-01", price=Decimal("20.00"), unit_cost=Decimal("8.00")
    )
    set_opening_stock(variant=variant, quantity=10)
    return variant


@pytest.fixture
def pair(mug, staff):
    """One person as two records, with online and in-store orders.

    The kept record has a name and an address. The duplicate, imported with
    spaces around its email, has the phone, a second copy of that address,
    a work address, the login and the latest consent decision.
    """
    kept = CustomerFactory(email="ann@example.com", first_name="Ann", last_name="Roy")
    user = get_user_model().objects.create_user(
        "ann@example.com", email="ann@example.com"
    )
    duplicate = CustomerFactory(
        email=" ann@example.com ",
        first_name="",
        last_name="",
        phone="902-555-0101",
        user=user,
        marketing_consent=True,
        marketing_consent_at=APRIL_2,
        marketing_consent_source=ConsentSource.IN_STORE,
    )
    Address.objects.create(customer=kept, **HALIFAX)
    Address.objects.create(customer=duplicate, **{**HALIFAX, "city": " HALIFAX "})
    Address.objects.create(customer=duplicate, **{**HALIFAX, "line1": "1 Work St"})

    pay(order_with_lines(lines=[(mug, 1)], customer=kept, number=100301))
    pay(order_with_lines(lines=[(mug, 2)], customer=duplicate, number=100302))
    record_counter_sale(
        lines=[CounterLine(mug.pk, 1)],
        customer=duplicate,
        payment_method="debit",
        amount_tendered=None,
        client_key="counter-1",
        user=staff,
    )
    return kept, duplicate


def order_numbers(customer):
    return sorted(
        Order.objects.filter(customer=customer).values_list("number", flat=True)
    )


def test_duplicate_merge_keeps_every_order(pair, staff):
    kept, duplicate = pair
    before = sorted(order_numbers(kept) + order_numbers(duplicate))

    result = merge_customers(
        keep_id=kept.pk, remove_ids=[duplicate.pk], merged_by=staff
    )

    assert len(before) == 3
    assert order_numbers(kept) == before
    assert Order.objects.filter(customer=kept).count() == 3
    # 100001 is the counter sale, numbered by the shop's order sequence.
    assert result.order_numbers == [100001, 100302]
    channels = Order.objects.filter(customer=kept).values_list("channel", flat=True)
    assert sorted(channels) == ["in_store", "online", "online"]
    assert not Customer.objects.filter(pk=duplicate.pk).exists()


def test_merge_moves_addresses_dropping_duplicates(pair, staff):
    kept, duplicate = pair

    result = merge_customers(
        keep_id=kept.pk, remove_ids=[duplicate.pk], merged_by=staff
    )

    lines = sorted(kept.addresses.values_list("line1", flat=True))
    assert lines == ["1 Work St", "5670 Spring Garden Road"]
    assert (result.addresses_moved, result.addresses_dropped) == (1, 1)
    assert Address.objects.count() == 2


def test_merge_takes_latest_consent_decision(pair, staff):
    kept, duplicate = pair
    Customer.objects.filter(pk=kept.pk).update(
        marketing_consent=False,
        marketing_consent_at=MARCH_5,
        marketing_consent_source=ConsentSource.UNSUBSCRIBE,
    )

    result = merge_customers(
        keep_id=kept.pk, remove_ids=[duplicate.pk], merged_by=staff
    )

    kept.refresh_from_db()
    assert kept.marketing_consent is True
    assert kept.marketing_consent_at == APRIL_2
    assert kept.marketing_consent_source == "in_store"
    assert result.consent_from == duplicate.pk


def test_merge_keeps_newer_withdrawal(pair, staff):
    kept, duplicate = pair
    later = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    Customer.objects.filter(pk=kept.pk).update(
        marketing_consent=False,
        marketing_consent_at=later,
        marketing_consent_source=ConsentSource.UNSUBSCRIBE,
    )

    result = merge_customers(
        keep_id=kept.pk, remove_ids=[duplicate.pk], merged_by=staff
    )

    kept.refresh_from_db()
    assert kept.marketing_consent is False
    assert kept.marketing_consent_at == later
    assert kept.marketing_consent_source == "unsubscribe"
    assert result.consent_from is None


def test_merge_fills_blank_phone_keeps_name(pair, staff):
    kept, duplicate = pair

    merge_customers(keep_id=kept.pk, remove_ids=[duplicate.pk], merged_by=staff)

    kept.refresh_from_db()
    assert (kept.first_name, kept.last_name) == ("Ann", "Roy")
    assert kept.phone == "902-555-0101"


def test_merge_fills_blank_name_from_removed(staff):
    kept = CustomerFactory(email="ann@example.com", first_name="", last_name="")
    duplicate = CustomerFactory(
        email="ann@work.example", first_name="Ann", last_name="Roy"
    )

    merge_customers(keep_id=kept.pk, remove_ids=[duplicate.pk], merged_by=staff)

    kept.refresh_from_db()
    assert (kept.first_name, kept.last_name) == ("Ann", "Roy")


def test_merge_moves_login_with_its_cart(pair, staff):
    kept, duplicate = pair
    user = duplicate.user
    cart = Cart.objects.create(user=user)

    result = merge_customers(
        keep_id=kept.pk, remove_ids=[duplicate.pk], merged_by=staff
    )

    kept.refresh_from_db()
    assert kept.user == user
    assert result.login_moved == "ann@example.com"
    assert Cart.objects.get(user=user) == cart


def test_merge_rejects_two_logins_changing_nothing(pair, staff):
    kept, duplicate = pair
    other = get_user_model().objects.create_user("ann.roy", email="ann@work.example")
    Customer.objects.filter(pk=kept.pk).update(user=other)
    orders_before = order_numbers(duplicate)

    with pytest.raises(MergeError) as error:
        merge_customers(keep_id=kept.pk, remove_ids=[duplicate.pk], merged_by=staff)

    assert str(error.value) == (
        "These records have more than one login: "
        f"customer {kept.pk} (ann@example.com) logs in as ann.roy and "
        f"customer {duplicate.pk} ( ann@example.com ) logs in as ann@example.com. "
        "A person keeps one login, so decide which one stays, clear the User "
        "field on the other customer record (that login then shows no orders), "
        "and merge again."
    )
    assert order_numbers(duplicate) == orders_before
    assert Address.objects.filter(customer=duplicate).count() == 2


def test_merge_leaves_ledger_untouched(pair, staff):
    kept, duplicate = pair
    entries_before = JournalEntry.objects.count()
    balances_before = dict(account_balances())
    invoices_before = set(Invoice.objects.values_list("number", "order_id"))

    merge_customers(keep_id=kept.pk, remove_ids=[duplicate.pk], merged_by=staff)

    assert entries_before >= 3
    assert JournalEntry.objects.count() == entries_before
    assert dict(account_balances()) == balances_before
    assert set(Invoice.objects.values_list("number", "order_id")) == invoices_before


def test_removed_record_history_names_merge(pair, staff):
    kept, duplicate = pair

    merge_customers(keep_id=kept.pk, remove_ids=[duplicate.pk], merged_by=staff)

    last = Customer.history.filter(id=duplicate.pk).latest("history_date")
    assert last.history_type == "-"
    assert last.history_user == staff
    assert last.history_change_reason == (
        f"Merged into customer {kept.pk} (ann@example.com)"
    )
    kept_entry = Customer.history.filter(id=kept.pk).latest("history_date")
    assert kept_entry.history_change_reason == (
        f"Customer {duplicate.pk} merged into this record"
    )


def test_moved_order_history_names_merge(pair, staff):
    kept, duplicate = pair

    merge_customers(keep_id=kept.pk, remove_ids=[duplicate.pk], merged_by=staff)

    order = Order.objects.get(number=100302)
    last = order.history.latest("history_date")
    assert last.customer_id == kept.pk
    assert last.history_user == staff
    assert last.history_change_reason == (
        f"Customer records merged into customer {kept.pk}"
    )


def test_unsubscribe_link_of_removed_record_still_works(pair, staff):
    kept, duplicate = pair
    token = make_unsubscribe_token(duplicate)
    merge_customers(keep_id=kept.pk, remove_ids=[duplicate.pk], merged_by=staff)

    unsubscribe(token)

    kept.refresh_from_db()
    assert kept.marketing_consent is False
    assert kept.marketing_consent_source == "unsubscribe"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("itself", "Customer {kept} cannot be merged into itself."),
        ("missing", "Customer 999999 was not found"),
        ("walk_in", "Customer {walk_in} is the walk-in record"),
        ("none", "No record was chosen to merge into customer {kept}."),
    ],
)
def test_merge_rejects_bad_request(case, message):
    kept = CustomerFactory(email="ann@example.com")
    walk_in = CustomerFactory(email="", first_name="Walk-in")
    remove = {
        "itself": [kept.pk],
        "missing": [999999],
        "walk_in": [walk_in.pk],
        "none": [],
    }[case]

    with pytest.raises(MergeError) as error:
        merge_customers(keep_id=kept.pk, remove_ids=remove)

    assert str(error.value).startswith(message.format(kept=kept.pk, walk_in=walk_in.pk))
    assert Customer.objects.count() == 2


def test_merge_handles_every_customer_relation():
    relations = {
        f"{rel.related_model._meta.label_lower}.{rel.field.name}"
        for rel in Customer._meta.related_objects
    }

    assert relations == MOVED_RELATIONS


def test_counter_sale_for_merged_customer_rejected(client, mug, staff):
    kept = CustomerFactory(email="ann@example.com")
    removed = CustomerFactory(email=" ann@example.com ")
    client.force_login(staff)
    client.post("/counter/add/", {"code": "MUG-01", "quantity": "1"})
    session = client.session
    session["counter_sale"]["customer_id"] = removed.pk
    session.save()
    merge_customers(keep_id=kept.pk, remove_ids=[removed.pk])
    key = client.session["counter_sale"]["client_key"]

    response = client.post(
        "/counter/pay/", {"client_key": key, "method": "debit"}, follow=True
    )

    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        f"Customer {removed.pk} is no longer on file: the record was merged "
        "into another or deleted. Find the customer again, then take payment."
    ]
    assert Order.objects.count() == 0
    assert client.session["counter_sale"]["customer_id"] is None


def merge_form(keep, *merge):
    return {"keep": str(keep.pk), "merge": [str(c.pk) for c in merge]}


def test_admin_merge_asks_for_confirmation(client, pair, staff):
    kept, duplicate = pair
    client.force_login(staff)

    response = client.post(MERGE_URL, merge_form(kept, kept, duplicate))

    assert response.status_code == 200
    assert response.context["confirm"] is True
    assert 'name="confirm" value="yes"' in response.text
    assert Customer.objects.filter(pk=duplicate.pk).exists()


def test_admin_merge_confirmed_redirects_to_kept(client, pair, staff):
    kept, duplicate = pair
    client.force_login(staff)

    response = client.post(
        MERGE_URL, {**merge_form(kept, duplicate), "confirm": "yes"}, follow=True
    )

    assert response.redirect_chain == [
        (reverse("admin:shop_customer_change", args=[kept.pk]), 302)
    ]
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        f"Customer {duplicate.pk} merged into customer {kept.pk} (ann@example.com): "
        "moved 2 orders, 1 address, the login ann@example.com, the consent "
        f"decision of customer {duplicate.pk}. Dropped 1 address that the kept "
        "record already had."
    ]
    assert order_numbers(kept) == [100001, 100301, 100302]


def test_admin_merge_error_keeps_selection(client, pair, staff):
    kept, duplicate = pair
    other = get_user_model().objects.create_user("ann.roy", email="ann@work.example")
    Customer.objects.filter(pk=kept.pk).update(user=other)
    client.force_login(staff)

    response = client.post(MERGE_URL, {**merge_form(kept, duplicate), "confirm": "yes"})

    assert response.status_code == 400
    assert response.context["keep_id"] == kept.pk
    assert response.context["remove_ids"] == [duplicate.pk]
    [message] = [str(message) for message in response.context["messages"]]
    assert message.startswith("These records have more than one login")
    assert Customer.objects.filter(pk=duplicate.pk).exists()


def test_admin_merge_needs_delete_permission(client, pair):
    kept, duplicate = pair
    client.force_login(staff_with("view_customer", "change_customer"))

    response = client.post(MERGE_URL, {**merge_form(kept, duplicate), "confirm": "yes"})

    assert response.status_code == 403
    assert Customer.objects.filter(pk=duplicate.pk).exists()


def test_admin_action_offers_merge_of_selection(client, staff):
    first = CustomerFactory(email="ann@example.com")
    second = CustomerFactory(email="ann@work.example")
    client.force_login(staff)

    response = client.post(
        reverse("admin:shop_customer_changelist"),
        {"action": "merge_selected", "_selected_action": [first.pk, second.pk]},
    )

    assert response.status_code == 200
    assert response.context["confirm"] is False
    assert [c.pk for c in response.context["group"].customers] == [
        first.pk,
        second.pk,
    ]
