"""Customer accounts: signing up links a login to the shop's customer record.

A user's username is their email, trimmed and lower-cased, so the login
form can look people up by email with the stock ModelBackend.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction

from .models import Customer

logger = logging.getLogger(__name__)


class SignupError(Exception):
    """A signup that was rejected, with a message for the customer."""


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
    """Create a user for `email` and link it to the customer with that email.

    The customer who already bought as a guest with that email, in any case,
    gets the new login and so their order history. Otherwise a customer is
    created. Raises SignupError when a user with that email already exists.
    """
    email = normalize_email(email)
    if email_has_account(email):
        raise SignupError(f"An account for {email} already exists. Log in instead.")

    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=email, email=email, password=password
            )
            customer = _link_customer(email, user)
    except IntegrityError as error:
        # A second signup with the same email won the race for the username
        # or for the customer's unique lower(email) index.
        logger.warning("Signup failed on a duplicate email: %s", error)
        raise SignupError(
            f"An account for {email} already exists. Log in instead."
        ) from error

    logger.info(
        "Customer signed up", extra={"user_id": user.pk, "customer_id": customer.pk}
    )
    return user


def _link_customer(email: str, user: AbstractBaseUser) -> Customer:
    customer = Customer.objects.select_for_update().filter(email__iexact=email).first()
    if customer is None:
        return Customer.objects.create(email=email, user=user)
    if customer.user_id is not None:
        raise IntegrityError(f"Customer {customer.pk} already has a user.")

    customer.user = user
    customer.save(update_fields=["user"])
    return customer
