"""CSV import and export of customers in the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shop.models import ConsentSource, Customer
from tests.factories.shop import CustomerFactory

from .csv_import_setup import (
    export_rows_and_queries,
    import_csv,
    outcomes,
    preview_errors,
    upload,
)

pytestmark = pytest.mark.django_db

CUSTOMERS = "shop_customer"


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def ann():
    return CustomerFactory(
        email="ann@example.com", first_name="Ann", last_name="Leblanc", phone=""
    )


def test_email_matches_trimmed_ignoring_case(staff_client, ann):
    text = (
        'email,first_name,last_name,phone\n" Ann@Example.COM ",Ann,Leblanc,902-555-0101'
    )

    import_csv(staff_client, CUSTOMERS, text)

    assert Customer.objects.count() == 1
    ann.refresh_from_db()
    assert ann.email == "ann@example.com"
    assert ann.phone == "902-555-0101"


def test_import_creates_unknown_customer(staff_client, ann):
    text = "email,first_name,last_name\n bo@example.com ,Bo,Arsenault"

    import_csv(staff_client, CUSTOMERS, text)

    bo = Customer.objects.get(email="bo@example.com")
    assert (bo.first_name, bo.last_name, bo.marketing_consent) == (
        "Bo",
        "Arsenault",
        False,
    )


def test_imported_consent_gets_source_and_time(staff_client, ann):
    before = timezone.now()

    import_csv(staff_client, CUSTOMERS, "email,marketing_consent\nann@example.com,yes")

    ann.refresh_from_db()
    assert ann.marketing_consent is True
    assert ann.marketing_consent_source == ConsentSource.IMPORT
    assert before <= ann.marketing_consent_at <= timezone.now()


def test_repeated_consent_keeps_its_date(staff_client, ann):
    decided = timezone.now() - timedelta(days=30)
    Customer.objects.filter(pk=ann.pk).update(
        marketing_consent=True,
        marketing_consent_at=decided,
        marketing_consent_source=ConsentSource.CHECKOUT,
    )

    preview = upload(
        staff_client, CUSTOMERS, "email,marketing_consent\nann@example.com,yes"
    )
    import_csv(staff_client, CUSTOMERS, "email,marketing_consent\nann@example.com,yes")

    assert outcomes(preview) == [(2, "Unchanged")]
    ann.refresh_from_db()
    assert (ann.marketing_consent_at, ann.marketing_consent_source) == (
        decided,
        ConsentSource.CHECKOUT,
    )


def test_withdrawal_recorded_from_import(staff_client, ann):
    Customer.objects.filter(pk=ann.pk).update(
        marketing_consent=True, marketing_consent_source=ConsentSource.CHECKOUT
    )

    import_csv(staff_client, CUSTOMERS, "email,marketing_consent\nann@example.com,no")

    ann.refresh_from_db()
    assert ann.marketing_consent is False
    assert ann.marketing_consent_source == ConsentSource.IMPORT


def test_preview_rejects_bad_rows_and_saves_nothing(staff_client, ann):
    text = "\n".join(
        [
            "email,first_name,marketing_consent",
            "ann@example.com,Annie,yes",
            "bo@,Bo,no",
            "ANN@example.com,Ann,perhaps",
        ]
    )

    preview = upload(staff_client, CUSTOMERS, text)

    assert preview_errors(preview) == [
        "Row 3: email 'bo@' is not a valid email address; correct it, like "
        "ann@example.com",
        "Row 4: marketing_consent 'perhaps' is not yes or no; enter yes or no",
        "Row 4: email 'ANN@example.com' is already on row 2; keep one row for it",
    ]
    assert preview.context.get("confirm_form") is None
    assert Customer.objects.count() == 1
    ann.refresh_from_db()
    assert (ann.first_name, ann.marketing_consent) == ("Ann", False)


def test_export_writes_customers_by_email(staff_client, ann):
    CustomerFactory(
        email="bo@example.com",
        first_name="Bo",
        last_name="Arsenault",
        phone="902 555 0199",
        marketing_consent=True,
    )

    response = staff_client.get(reverse("admin:shop_customer_export"))

    assert response.content.decode("utf-8-sig").splitlines() == [
        "email,first_name,last_name,phone,marketing_consent",
        "ann@example.com,Ann,Leblanc,,no",
        "bo@example.com,Bo,Arsenault,902 555 0199,yes",
    ]


def export_queries(staff_client, count):
    for number in range(count):
        CustomerFactory(email=f"export-{count}-{number}@example.com")
    rows, queries = export_rows_and_queries(staff_client, "admin:shop_customer_export")
    assert rows == Customer.objects.count()
    return queries


def test_export_queries_fixed(staff_client):
    few = export_queries(staff_client, 2)
    many = export_queries(staff_client, 8)

    assert few == many


def test_export_then_import_skips_walk_in(staff_client, ann):
    walk_in = CustomerFactory(email="", first_name="Walk-in", last_name="customer")
    exported = staff_client.get(reverse("admin:shop_customer_export"))

    preview = upload(staff_client, CUSTOMERS, exported.content.decode())

    assert preview_errors(preview) == []
    assert outcomes(preview) == [(2, "Unchanged")]
    assert (
        exported.content.decode("utf-8-sig")
        .splitlines()[1]
        .startswith("ann@example.com,")
    )
    assert Customer.objects.filter(pk=walk_in.pk).exists()
