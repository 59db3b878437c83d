"""The mailing-list CSV export of the Customer admin."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from shop.consent import unsubscribe_url
from shop.models import ConsentSource
from tests.factories.shop import CustomerFactory

from .customer_admin_setup import staff_with

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("admin:shop_customer_mailing_list")
HEADER = [
    "email",
    "first_name",
    "last_name",
    "consent_date",
    "consent_source",
    "unsubscribe_url",
]
# 14:15 UTC on March 5 is 10:15 in Halifax (UTC-4 in winter), and 13:30
# UTC on July 1 is 10:30 there (UTC-3 in summer).
MARCH_5 = datetime(2026, 3, 5, 14, 15, tzinfo=UTC)
JULY_1 = datetime(2026, 7, 1, 13, 30, tzinfo=UTC)


def export_rows(client):
    response = client.get(EXPORT_URL)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def mailing_list(db):
    """Two consenting customers, one who never decided, one withdrawn."""
    ann = CustomerFactory(
        email="Ann@Example.com",
        first_name="Ann",
        last_name="Roy",
        marketing_consent=True,
        marketing_consent_at=MARCH_5,
        marketing_consent_source=ConsentSource.CHECKOUT,
    )
    rene = CustomerFactory(
        email="rene@example.com",
        first_name="René",
        last_name="Côté",
        marketing_consent=True,
        marketing_consent_at=JULY_1,
        marketing_consent_source=ConsentSource.IN_STORE,
    )
    CustomerFactory(email="never@example.com")
    CustomerFactory(
        email="withdrawn@example.com",
        marketing_consent=False,
        marketing_consent_at=JULY_1,
        marketing_consent_source=ConsentSource.UNSUBSCRIBE,
    )
    return ann, rene


def test_export_lists_consenting_customers_exactly(client, mailing_list):
    ann, rene = mailing_list
    client.force_login(staff_with("view_customer"))

    rows = export_rows(client)

    assert rows == [
        HEADER,
        [
            "Ann@Example.com",
            "Ann",
            "Roy",
            "2026-03-05T10:15:00-04:00",
            "checkout",
            unsubscribe_url(ann),
        ],
        [
            "rene@example.com",
            "René",
            "Côté",
            "2026-07-01T10:30:00-03:00",
            "in_store",
            unsubscribe_url(rene),
        ],
    ]


def test_export_leaves_out_non_consenting(client, mailing_list):
    client.force_login(staff_with("view_customer"))

    emails = [row[0] for row in export_rows(client)]

    assert "never@example.com" not in emails
    assert "withdrawn@example.com" not in emails


def test_export_response_is_csv_attachment(client, mailing_list):
    client.force_login(staff_with("view_customer"))

    response = client.get(EXPORT_URL)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="mailing-list-'
    )


def test_export_needs_view_permission(client, mailing_list):
    client.force_login(staff_with("view_product"))

    response = client.get(EXPORT_URL)

    assert response.status_code == 403


def test_export_neutralises_spreadsheet_formulas(client):
    CustomerFactory(
        email="eve@example.com",
        first_name="=HYPERLINK(1)",
        last_name="+Smith",
        marketing_consent=True,
        marketing_consent_at=MARCH_5,
        marketing_consent_source=ConsentSource.SIGNUP_FORM,
    )
    client.force_login(staff_with("view_customer"))

    rows = export_rows(client)

    assert rows[1][1:3] == ["'=HYPERLINK(1)", "'+Smith"]


def test_changelist_links_to_export_and_duplicates(client):
    client.force_login(staff_with("view_customer"))

    response = client.get(reverse("admin:shop_customer_changelist"))

    assert f'href="{EXPORT_URL}"' in response.text
    assert f'href="{reverse("admin:shop_customer_duplicates")}"' in response.text
