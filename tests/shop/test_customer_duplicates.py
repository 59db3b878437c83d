"""Likely duplicate customers: the matching rules and the admin screen."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from shop.duplicates import (
    SAME_EMAIL,
    SAME_PHONE_AND_NAME,
    find_duplicate_ids,
    name_key,
)
from shop.models import ConsentSource
from tests.factories.orders import OrderFactory
from tests.factories.shop import CustomerFactory

from .customer_admin_setup import staff_with

pytestmark = pytest.mark.django_db

DUPLICATES_URL = reverse("admin:shop_customer_duplicates")
MARCH_5 = datetime(2026, 3, 5, 14, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("first_name", "last_name", "key"),
    [
        ("Renée", "Côté", "reneecote"),
        (" RENEE ", "cote", "reneecote"),
        ("Renée Anne", "Côté", "reneeannecote"),
        ("Zoë", "", "zoe"),
        ("", "", ""),
    ],
)
def test_name_key_ignores_case_accents_spaces(first_name, last_name, key):
    assert name_key(first_name, last_name) == key


def test_same_email_with_spaces_is_duplicate():
    trimmed = CustomerFactory(email="ann@example.com")
    legacy = CustomerFactory(email=" Ann@Example.com ")

    assert find_duplicate_ids() == [([trimmed.pk, legacy.pk], [SAME_EMAIL])]


def test_same_phone_and_name_is_duplicate():
    online = CustomerFactory(
        email="renee@example.com",
        first_name="Renée",
        last_name="Côté",
        phone="+1 (902) 555-0101",
    )
    in_store = CustomerFactory(
        email="rcote@work.example",
        first_name="renee",
        last_name="cote",
        phone="902.555.0101",
    )

    assert find_duplicate_ids() == [([online.pk, in_store.pk], [SAME_PHONE_AND_NAME])]


def test_same_phone_other_name_is_not_duplicate():
    CustomerFactory(first_name="Renée", last_name="Côté", phone="902-555-0101")
    CustomerFactory(first_name="Marc", last_name="Côté", phone="902-555-0101")

    assert find_duplicate_ids() == []


def test_same_name_without_phone_is_not_duplicate():
    CustomerFactory(first_name="Ann", last_name="Roy", phone="")
    CustomerFactory(first_name="Ann", last_name="Roy", phone="")

    assert find_duplicate_ids() == []


def test_short_phone_matches_no_one():
    CustomerFactory(first_name="Ann", last_name="Roy", phone="0101")
    CustomerFactory(first_name="Ann", last_name="Roy", phone="01-01")

    assert find_duplicate_ids() == []


def test_matches_chain_into_one_group():
    first = CustomerFactory(email="ann@example.com", first_name="Ann", last_name="Roy")
    second = CustomerFactory(
        email=" ann@example.com", first_name="Ann", last_name="Roy", phone="9025550101"
    )
    third = CustomerFactory(
        email="ann@work.example",
        first_name="ANN",
        last_name="ROY",
        phone="902 555 0101",
    )

    assert find_duplicate_ids() == [
        ([first.pk, second.pk, third.pk], [SAME_EMAIL, SAME_PHONE_AND_NAME])
    ]


def test_walk_in_record_is_never_duplicate():
    CustomerFactory(email="", first_name="Walk-in", last_name="customer")
    CustomerFactory(email="walkin@example.com", first_name="Walk-in")

    assert find_duplicate_ids() == []


def legacy_pair(number):
    """Two records of one person whose emails differ only by spaces."""
    email = f"person{number}@example.com"
    kept = CustomerFactory(email=email, first_name="Ann", last_name=f"Roy{number}")
    legacy = CustomerFactory(email=f" {email} ", first_name="", last_name="")
    return kept, legacy


def test_duplicates_page_shows_orders_and_consent(client, admin_user):
    kept, legacy = legacy_pair(1)
    OrderFactory(customer=kept, number=100201)
    OrderFactory(customer=kept, number=100202)
    legacy.marketing_consent = True
    legacy.marketing_consent_at = MARCH_5
    legacy.marketing_consent_source = ConsentSource.IN_STORE
    legacy.save()
    client.force_login(admin_user)

    response = client.get(DUPLICATES_URL)

    [group] = response.context["groups"]
    assert [c.pk for c in group.customers] == [kept.pk, legacy.pk]
    assert [c.order_total for c in group.customers] == [2, 0]
    assert group.customers[0].last_order_number == 100202
    assert group.suggested_keep == kept
    html = response.text
    assert "2 records: same email" in html
    assert "<td>100202, " in html
    assert "Yes, 2026-03-05 (In store)" in html
    keep_radio = f'name="keep" value="{kept.pk}" aria-label="Keep customer {kept.pk}"'
    assert f"{keep_radio} checked" in html


def test_duplicates_page_query_count_is_fixed(
    client, admin_user, django_assert_num_queries
):
    client.force_login(admin_user)
    for number in range(2):
        legacy_pair(number)
    # Session, user, the scan, the groups' records and the storefront's
    # cart count, which a context processor adds to every page.
    with django_assert_num_queries(5):
        response = client.get(DUPLICATES_URL)
    assert len(response.context["groups"]) == 2

    for number in range(2, 12):
        legacy_pair(number)
    with django_assert_num_queries(5):
        response = client.get(DUPLICATES_URL)
    assert len(response.context["groups"]) == 12


def test_duplicates_page_needs_view_permission(client):
    legacy_pair(1)
    client.force_login(staff_with("view_product"))

    response = client.get(DUPLICATES_URL)

    assert response.status_code == 403


def test_view_only_staff_get_no_merge_form(client):
    legacy_pair(1)
    client.force_login(staff_with("view_customer"))

    response = client.get(DUPLICATES_URL)

    assert response.status_code == 200
    assert len(response.context["groups"]) == 1
    assert reverse("admin:shop_customer_merge") not in response.text
