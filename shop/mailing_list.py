"""The mailing list as CSV rows, for import into an email marketing tool.

Only customers whose latest recorded decision gives consent are listed.
"""

from collections.abc import Iterator

from django.utils import timezone

from .consent import unsubscribe_url
from .csv_files import plain_spreadsheet_text
from .models import Customer

HEADER = [
    "email",
    "first_name",
    "last_name",
    "consent_date",
    "consent_source",
    "unsubscribe_url",
]


def list_mailing_list_customers():
    """Return the customers who accept marketing email, oldest record first.

    The shared walk-in record, with its blank email, is never listed.
    """
    return (
        Customer.objects.filter(marketing_consent=True).exclude(email="").order_by("pk")
    )


def mailing_list_rows() -> Iterator[list[str]]:
    """Yield the header, then one row per customer who accepts marketing.

    The consent date is ISO 8601 with the UTC offset of the shop's time
    zone, such as "2026-03-05T10:15:00-04:00". The unsubscribe URL is the
    signed link that withdraws consent, for the tool to put in each email.
    """
    yield HEADER
    for customer in list_mailing_list_customers().iterator():
        consent_date = ""
        if customer.marketing_consent_at is not None:
            local = timezone.localtime(customer.marketing_consent_at)
            consent_date = local.isoformat(timespec="seconds")
        yield [
            plain_spreadsheet_text(customer.email.strip()),
            plain_spreadsheet_text(customer.first_name),
            plain_spreadsheet_text(customer.last_name),
            consent_date,
            customer.marketing_consent_source,
            unsubscribe_url(customer),
        ]
