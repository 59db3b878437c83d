"""Marketing consent: each decision recorded with its date and source.

Canada's anti-spam law (CASL) requires express consent before marketing
email and an unsubscribe mechanism in every message, so the shop keeps, on
each Customer, whether they accept marketing email, when they last decided
and where (shop.models.ConsentSource). A withdrawal keeps its own date.
Views, the counter and the admin call record_marketing_consent() and never
set the three fields themselves.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .customers import find_customer_by_email, find_or_create_customer
from .models import ConsentSource, Customer

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "shop.consent.unsubscribe"
CONSENT_FIELDS = [
    "marketing_consent",
    "marketing_consent_at",
    "marketing_consent_source",
]


class InvalidUnsubscribeLink(ValueError):
    """An unsubscribe link whose token is damaged or was not signed here."""


def apply_marketing_consent(
    customer: Customer,
    *,
    consent: bool,
    source: ConsentSource,
    decided_at: datetime | None = None,
) -> None:
    """Set consent, its date (now by default) and its source, unsaved.

    For callers that save the customer themselves, such as the admin form.
    """
    customer.marketing_consent = consent
    customer.marketing_consent_at = decided_at or timezone.now()
    customer.marketing_consent_source = source


def record_marketing_consent(
    *, customer: Customer, consent: bool, source: ConsentSource
) -> bool:
    """Record that the customer gave (True) or withdrew (False) consent.

    Locks the customer row. Returns False, changing nothing, when the
    decision repeats the recorded one, so the date stays that of the
    decision that made it. A withdrawal by someone who never decided is
    recorded, with its date. Updates `customer` in place.
    """
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        unchanged = locked.marketing_consent == consent
        if unchanged and locked.marketing_consent_at is not None:
            return False
        apply_marketing_consent(locked, consent=consent, source=source)
        locked.save(update_fields=[*CONSENT_FIELDS, "updated_at"])

    for field in CONSENT_FIELDS:
        setattr(customer, field, getattr(locked, field))
    logger.info(
        "Marketing consent %s",
        "given" if consent else "withdrawn",
        extra={"customer_id": customer.pk, "source": source.value},
    )
    return True


def subscribe_to_mailing_list(email: str) -> Customer:
    """Record consent from the mailing-list sign-up form for `email`.

    A new email gets a new customer record. Raises InvalidCustomerEmail
    (shop.customers) for a blank or invalid email.
    """
    # TODO: no confirmation email is sent, so anyone can sign up an address
    # they do not own. A double opt-in link would prove the consent.
    with transaction.atomic():
        customer = find_or_create_customer(email=email)
        record_marketing_consent(
            customer=customer, consent=True, source=ConsentSource.SIGNUP_FORM
        )
    return customer


def make_unsubscribe_token(customer: Customer) -> str:
    """Sign the customer's email, trimmed and lower-cased, for a link.

    The token names the address, not the record, so a link keeps working
    after its record is merged into another with the same email. It does
    not expire: CASL requires an unsubscribe link to work for at least 60
    days after the message is sent.
    """
    email = customer.email.strip().lower()
    return signing.dumps(email, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(customer: Customer) -> str:
    """Return the absolute URL that withdraws the customer's consent."""
    path = reverse("shop:unsubscribe", args=[make_unsubscribe_token(customer)])
    return settings.SHOP_BASE_URL.rstrip("/") + path


def read_unsubscribe_token(token: str) -> str:
    """Return the email an unsubscribe token was made for.

    Raises InvalidUnsubscribeLink for a damaged or forged token.
    """
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as error:
        raise InvalidUnsubscribeLink(
            "This unsubscribe link is invalid. Copy the whole link from the "
            "email, or write to us and we will take you off the list."
        ) from error


def unsubscribe(token: str) -> str:
    """Withdraw the consent of the email in an unsubscribe token.

    Returns that email. An email with no customer record, or one already
    unsubscribed, changes nothing. Raises InvalidUnsubscribeLink.
    """
    email = read_unsubscribe_token(token)
    customer = find_customer_by_email(email)
    if customer is not None:
        record_marketing_consent(
            customer=customer, consent=False, source=ConsentSource.UNSUBSCRIBE
        )
    return email
