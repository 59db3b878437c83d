import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from shop.accounts import CONFIRMATION_SALT, make_confirmation_token
from shop.models import Address, Customer, EmailLog
from tests.factories.orders import OrderFactory
from tests.factories.shop import CustomerFactory

PASSWORD = "harbour-lights-2041"


def _signup(client, email="avery@example.com"):
    # Following the redirect shows the account page, which uses up the
    # signup messages.
    return client.post(
        reverse("shop:signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )


def _guest_with_order(email="avery@example.com"):
    guest = CustomerFactory(email=email)
    order = OrderFactory(customer=guest, total_amount=Decimal("71.82"))
    Address.objects.create(
        customer=guest,
        name="Avery Tremblay",
        line1="12 Spring Garden Rd",
        city="Halifax",
        province="NS",
        postal_code="B3J 1Z7",
    )
    return guest, order


def _link_in(message):
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_confirmation_email_is_logged(client, mailoutbox, settings):
    settings.SHOP_BASE_URL = "http://testserver"
    _guest_with_order()

    _signup(client)

    log = EmailLog.objects.get()
    assert log.kind == "account_confirmation"
    assert log.to == "avery@example.com"
    assert log.status == EmailLog.Status.SENT
    assert mailoutbox[0].subject == "Confirm your email for Ledgerfront Demo Shop"
    assert "/account/confirm/" in mailoutbox[0].body


@pytest.mark.django_db
def test_confirmation_link_takes_over_guest(client, mailoutbox, settings):
    settings.SHOP_BASE_URL = "http://testserver"
    guest, order = _guest_with_order()
    _signup(client)
    link = _link_in(mailoutbox[0])

    shown = client.get(link)
    response = client.post(link)

    user = get_user_model().objects.get()
    guest.refresh_from_db()
    assert "Confirm my email" in shown.content.decode()
    assert response.url == reverse("shop:account")
    assert guest.user == user
    assert list(user.customer.addresses.values_list("city", flat=True)) == ["Halifax"]
    history = client.get(reverse("shop:account"))
    assert list(history.context["page"].object_list) == [order]
    assert history.context["confirmation_pending"] is False


@pytest.mark.django_db
def test_confirmation_get_changes_nothing(client, mailoutbox, settings):
    settings.SHOP_BASE_URL = "http://testserver"
    guest, _ = _guest_with_order()
    _signup(client)

    client.get(_link_in(mailoutbox[0]))

    guest.refresh_from_db()
    assert guest.user is None


@pytest.mark.django_db
def test_confirmation_link_expires(client, mailoutbox, settings):
    guest, _ = _guest_with_order()
    _signup(client)
    user = get_user_model().objects.get()
    old = timezone.now() - timedelta(days=4)
    signer = signing.TimestampSigner(salt=CONFIRMATION_SALT)
    signer.timestamp = lambda: signing.b62_encode(int(old.timestamp()))
    token = signer.sign_object(
        {"user": user.pk, "email": "avery@example.com"}, compress=True
    )

    response = client.post(reverse("shop:confirm-email", args=[token]))

    guest.refresh_from_db()
    assert response.status_code == 400
    assert _messages(response) == [
        "This confirmation link is more than 3 days old. Log in and use Resend "
        "on your account page."
    ]
    assert guest.user is None


@pytest.mark.django_db
def test_confirmation_tampered_link_is_rejected(client):
    guest, _ = _guest_with_order()
    _signup(client)
    token = make_confirmation_token(get_user_model().objects.get())

    response = client.post(reverse("shop:confirm-email", args=[token[:-2] + "xx"]))

    guest.refresh_from_db()
    assert response.status_code == 400
    assert _messages(response) == [
        "This confirmation link is invalid. Copy the whole link from the email, "
        "or log in and ask for a new one."
    ]
    assert guest.user is None


@pytest.mark.django_db
def test_confirmation_without_guest_creates_customer(client, mailoutbox, settings):
    settings.SHOP_BASE_URL = "http://testserver"
    _signup(client)

    client.post(_link_in(mailoutbox[0]))

    customer = Customer.objects.get()
    assert customer.email == "avery@example.com"
    assert customer.user.username == "avery@example.com"


@pytest.mark.django_db
def test_confirmation_twice_changes_nothing(client, mailoutbox, settings):
    settings.SHOP_BASE_URL = "http://testserver"
    guest, _ = _guest_with_order()
    _signup(client)
    link = _link_in(mailoutbox[0])
    client.post(link)

    response = client.post(link)

    assert response.url == reverse("shop:account")
    assert list(Customer.objects.values_list("pk", flat=True)) == [guest.pk]


@pytest.mark.django_db
def test_confirmation_of_claimed_guest_is_rejected(client, django_user_model):
    guest, _ = _guest_with_order()
    owner = django_user_model.objects.create_user(
        username="owner@example.com", email="owner@example.com"
    )
    guest.user = owner
    guest.save()
    _signup(client)
    token = make_confirmation_token(django_user_model.objects.get(username=guest.email))

    response = client.post(reverse("shop:confirm-email", args=[token]))

    guest.refresh_from_db()
    assert response.status_code == 400
    assert _messages(response) == [
        "The orders of avery@example.com already belong to another account."
    ]
    assert guest.user == owner


@pytest.mark.django_db
def test_resend_sends_again_after_a_minute(client, mailoutbox):
    _guest_with_order()
    _signup(client)
    EmailLog.objects.update(created_at=timezone.now() - timedelta(minutes=2))

    response = client.post(reverse("shop:resend-confirmation"))

    assert response.url == reverse("shop:account")
    assert len(mailoutbox) == 2
    assert _messages(response) == [
        "We sent a confirmation email to avery@example.com. Follow its link to "
        "see your orders in your account."
    ]


@pytest.mark.django_db
def test_resend_within_a_minute_sends_nothing(client, mailoutbox):
    _guest_with_order()
    _signup(client)

    response = client.post(reverse("shop:resend-confirmation"))

    assert len(mailoutbox) == 1
    assert _messages(response) == [
        "A confirmation email went to avery@example.com less than a minute ago. "
        "Check your inbox and spam folder."
    ]


@pytest.mark.django_db
def test_password_reset_emails_link(client, mailoutbox, settings):
    settings.SHOP_BASE_URL = "https://shop.example.ca"
    get_user_model().objects.create_user(
        username="avery@example.com", email="avery@example.com", password=PASSWORD
    )

    response = client.post(
        reverse("shop:password-reset"), {"email": "AVERY@example.com"}
    )

    assert response.url == reverse("shop:password-reset-done")
    assert [message.to for message in mailoutbox] == [["avery@example.com"]]
    assert "https://shop.example.ca/account/password-reset/" in mailoutbox[0].body
    assert EmailLog.objects.get().kind == "account_password_reset"


@pytest.mark.django_db
def test_password_reset_email_names_shop(client, mailoutbox, settings):
    settings.SHOP_NAME = "Harbour Goods"
    get_user_model().objects.create_user(
        username="avery@example.com", email="avery@example.com", password=PASSWORD
    )

    client.post(reverse("shop:password-reset"), {"email": "avery@example.com"})

    assert mailoutbox[0].subject == "Reset your password for Harbour Goods"
    assert mailoutbox[0].body.rstrip().endswith("\n\nHarbour Goods")


@pytest.mark.django_db
def test_password_reset_link_sets_password(client, mailoutbox, settings):
    settings.SHOP_BASE_URL = "http://testserver"
    user = get_user_model().objects.create_user(
        username="avery@example.com", email="avery@example.com", password=PASSWORD
    )
    client.post(reverse("shop:password-reset"), {"email": "avery@example.com"})
    form_url = client.get(_link_in(mailoutbox[0])).url

    response = client.post(
        form_url,
        {"new_password1": "tide-pools-1987", "new_password2": "tide-pools-1987"},
    )

    user.refresh_from_db()
    assert response.url == reverse("shop:password-reset-complete")
    assert user.check_password("tide-pools-1987")


@pytest.mark.django_db
def test_password_reset_unknown_email_sends_nothing(client, mailoutbox):
    response = client.post(
        reverse("shop:password-reset"), {"email": "nobody@example.com"}
    )

    assert response.url == reverse("shop:password-reset-done")
    assert mailoutbox == []


@pytest.mark.django_db
def test_login_and_account_link_to_password_reset(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="avery@example.com", email="avery@example.com", password=PASSWORD
    )
    reset_link = f'href="{reverse("shop:password-reset")}"'

    login_page = client.get(reverse("shop:login"))
    client.force_login(user)
    account_page = client.get(reverse("shop:account"))

    assert reset_link in login_page.content.decode()
    assert reset_link in account_page.content.decode()
