"""Customer accounts: signing up, confirming the email, resetting passwords.

A user's username is their email, trimmed and lower-cased, so the login
form can look people up by email with the stock ModelBackend.

Anyone can sign up with any email, so an account gets its customer record,
with the orders and addresses of earlier guest checkouts under that email,
only once its owner follows the signed link emailed to that address. Until
then the account has no customer record and shows no orders.
"""

import contextlib
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.forms import PasswordResetForm
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .customers import find_or_create_customer
from .emails import send_logged_email
from .models import Customer, EmailLog

logger = logging.getLogger(__name__)

CONFIRMATION_SALT = "shop.accounts.confirm-email"
CONFIRMATION_MAX_AGE = timedelta(days=3)
# A second confirmation email within this time is not sent, so the Resend
# button cannot be used to flood someone's inbox.
CONFIRMATION_RESEND_INTERVAL = timedelta(minutes=1)
CONFIRMATION_EMAIL_KIND = "account_confirmation"
PASSWORD_RESET_EMAIL_KIND = "account_password_reset"


class SignupError(Exception):
    """A signup that was rejected, with a message for the customer."""


class ConfirmationError(Exception):
    """An email confirmation link that cannot be used, with the reason."""


def normalize_email(email: str) -> str:
    """Trim spaces and lower-case an email, as customers are looked up."""
    return email.strip().lower()


def email_has_account(email: str) -> bool:
    """Tell whether a user already logs in with this email, in any case."""
    email = normalize_email(email)
    users = get_user_model().objects
    return (
        users.filter(username__iexact=email).exists()
        or users.filter(email__iexact=email).exists()
    )


def register_customer(*, email: str, password: str) -> AbstractBaseUser:
    """Create a user for `email`, without a customer record yet.

    confirm_email() links the customer record, or creates one, once the
    owner of the address follows the emailed link. Raises SignupError when
    a user with that email already exists.
    """
    email = normalize_email(email)
    if email_has_account(email):
        raise SignupError(f"An account for {email} already exists. Log in instead.")

    try:
        user = get_user_model().objects.create_user(
            username=email, email=email, password=password
        )
    except IntegrityError as error:
        # A second signup with the same email won the race for the username.
        logger.warning("Signup failed on a duplicate email: %s", error)
        raise SignupError(
            f"An account for {email} already exists. Log in instead."
        ) from error

    logger.info("Customer signed up", extra={"user_id": user.pk})
    return user


def confirmation_pending(user: AbstractBaseUser) -> bool:
    """Tell whether the user has yet to confirm their email address."""
    return not Customer.objects.filter(user_id=user.pk).exists()


def make_confirmation_token(user: AbstractBaseUser) -> str:
    """Sign the user's id and email into a token for the confirmation link."""
    value = {"user": user.pk, "email": normalize_email(user.email)}
    return signing.dumps(value, salt=CONFIRMATION_SALT, compress=True)


def send_confirmation_email(user: AbstractBaseUser) -> bool:
    """Email the user a link that confirms they own their email address.

    Returns False, sending nothing, when a confirmation email went to the
    same address less than CONFIRMATION_RESEND_INTERVAL ago. Raises what
    the email backend raises; the attempt is logged as an EmailLog row.
    """
    since = timezone.now() - CONFIRMATION_RESEND_INTERVAL
    recent = EmailLog.objects.filter(
        to=user.email,
        kind=CONFIRMATION_EMAIL_KIND,
        status=EmailLog.Status.SENT,
        created_at__gte=since,
    )
    if recent.exists():
        return False

    path = reverse("shop:confirm-email", args=[make_confirmation_token(user)])
    context = {
        "email": user.email,
        "confirm_url": settings.SHOP_BASE_URL.rstrip("/") + path,
        "valid_days": CONFIRMATION_MAX_AGE.days,
        "shop_name": settings.SHOP_NAME,
    }
    send_logged_email(
        to=user.email,
        subject=f"Confirm your email for {settings.SHOP_NAME}",
        text_body=render_to_string("emails/account_confirmation.txt", context),
        kind=CONFIRMATION_EMAIL_KIND,
        reference=f"user {user.pk}",
    )
    return True


def confirm_email(token: str) -> Customer:
    """Link the customer record of the token's email to the token's user.

    The user takes over the guest's orders and addresses, or gets a new
    customer record when there is none. Following a link twice changes
    nothing. Raises ConfirmationError for a link that is expired, tampered
    with, for an email the user no longer has, or for a customer record
    that another user has already confirmed.
    """
    user_id, email = _read_token(token)
    with transaction.atomic():
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None or normalize_email(user.email) != email:
            raise ConfirmationError(
                "This confirmation link is for an account that no longer uses "
                "that email. Log in and ask for a new link."
            )
        customer = _link_customer(email, user)

    logger.info(
        "Customer email confirmed",
        extra={"user_id": user.pk, "customer_id": customer.pk},
    )
    return customer


def _read_token(token: str) -> tuple[int, str]:
    try:
        value = signing.loads(
            token,
            salt=CONFIRMATION_SALT,
            max_age=CONFIRMATION_MAX_AGE.total_seconds(),
        )
    except signing.SignatureExpired as error:
        raise ConfirmationError(
            f"This confirmation link is more than {CONFIRMATION_MAX_AGE.days} "
            "days old. Log in and use Resend on your account page."
        ) from error
    except signing.BadSignature as error:
        raise ConfirmationError(
            "This confirmation link is invalid. Copy the whole link from the "
            "email, or log in and ask for a new one."
        ) from error
    return value["user"], value["email"]


def _link_customer(email: str, user: AbstractBaseUser) -> Customer:
    customer = find_or_create_customer(email=email)
    if customer.user_id == user.pk:
        return customer
    if customer.user_id is not None:
        raise ConfirmationError(
            f"The orders of {email} already belong to another account."
        )

    customer.user = user
    customer.save(update_fields=["user", "updated_at"])
    return customer


class LoggedPasswordResetForm(PasswordResetForm):
    """Django's password reset form, sending through send_logged_email.

    The link starts with SHOP_BASE_URL rather than the request's host, so a
    forged Host header cannot point the link elsewhere.
    """

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # Without the sites framework, Django's site_name is the request's
        # host, such as "127.0.0.1:8000", so emails use SHOP_NAME instead.
        context = {
            **context,
            "base_url": settings.SHOP_BASE_URL.rstrip("/"),
            "shop_name": settings.SHOP_NAME,
        }
        subject = render_to_string(subject_template_name, context)
        # send_logged_email logs a failure. The page must look the same
        # whether or not the email has an account, so nothing is raised.
        with contextlib.suppress(Exception):
            send_logged_email(
                to=to_email,
                subject="".join(subject.splitlines()),
                text_body=render_to_string(email_template_name, context),
                kind=PASSWORD_RESET_EMAIL_KIND,
                reference=f"user {context['user'].pk}",
            )
