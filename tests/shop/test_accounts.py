from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from shop.cart import add_to_cart, cart_lines
from shop.models import Cart, Customer
from tests.factories.inventory import StockFactory
from tests.factories.orders import OrderFactory
from tests.factories.shop import CustomerFactory, ProductFactory, VariantFactory

PASSWORD = "harbour-lights-2041"


def _signup(client, email, password=PASSWORD, confirm=None):
    return client.post(
        reverse("shop:signup"),
        {"email": email, "password1": password, "password2": confirm or password},
    )


def _customer_user(django_user_model, email="avery@example.com"):
    user = django_user_model.objects.create_user(
        username=email, email=email, password=PASSWORD
    )
    CustomerFactory(email=email, user=user)
    return user


def _stocked_variant(*, on_hand, sku, name="Linen Shirt"):
    variant = VariantFactory(product=ProductFactory(name=name), sku=sku)
    StockFactory(variant=variant, quantity_on_hand=on_hand, backorderable=False)
    return variant


@pytest.mark.django_db
def test_signup_creates_user_without_customer(client):
    response = _signup(client, "  Avery@Example.COM ")

    user = get_user_model().objects.get()
    assert response.url == reverse("shop:account")
    assert user.username == "avery@example.com"
    assert user.email == "avery@example.com"
    assert Customer.objects.count() == 0
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_signup_hides_guest_orders_until_confirmed(client, mailoutbox):
    guest = CustomerFactory(email="Avery.Tremblay@Example.com")
    OrderFactory(customer=guest, total_amount=Decimal("71.82"))

    _signup(client, "avery.tremblay@example.com ")

    guest.refresh_from_db()
    assert guest.user is None
    assert Customer.objects.count() == 1
    history = client.get(reverse("shop:account"))
    assert list(history.context["page"].object_list) == []
    assert history.context["confirmation_pending"] is True
    assert "We sent a confirmation email to avery.tremblay@example.com" in (
        history.content.decode()
    )
    assert [message.to for message in mailoutbox] == [["avery.tremblay@example.com"]]


@pytest.mark.django_db
def test_signup_existing_email_is_rejected(client, django_user_model):
    _customer_user(django_user_model, "avery@example.com")

    response = _signup(client, "AVERY@example.com")

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "An account for avery@example.com already exists. Log in instead."
    ]
    assert django_user_model.objects.count() == 1
    assert 'value="AVERY@example.com"' in response.content.decode()


@pytest.mark.django_db
def test_signup_mismatched_passwords_are_rejected(client, django_user_model):
    response = _signup(client, "avery@example.com", confirm="something-else-77")

    assert response.context["form"].errors["password2"] == [
        "The two passwords do not match."
    ]
    assert django_user_model.objects.count() == 0
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_signup_weak_password_is_rejected(client, django_user_model):
    response = _signup(client, "avery@example.com", password="12345678")

    assert response.context["form"].errors["password1"] == [
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert django_user_model.objects.count() == 0


@pytest.mark.django_db
def test_login_accepts_email_in_any_case(client, django_user_model):
    user = _customer_user(django_user_model, "avery@example.com")

    response = client.post(
        reverse("shop:login"), {"username": " Avery@Example.com", "password": PASSWORD}
    )

    assert response.url == reverse("shop:account")
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_login_wrong_password_keeps_email(client, django_user_model):
    _customer_user(django_user_model, "avery@example.com")

    response = client.post(
        reverse("shop:login"), {"username": "avery@example.com", "password": "nope"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert 'value="avery@example.com"' in response.content.decode()


@pytest.mark.django_db
def test_login_error_names_email(client, django_user_model):
    _customer_user(django_user_model, "avery@example.com")

    response = client.post(
        reverse("shop:login"), {"username": "avery@example.com", "password": "nope"}
    )

    assert response.context["form"].non_field_errors() == [
        "The email or password is not right. Check both, and note that the "
        "password is case-sensitive."
    ]


@pytest.mark.django_db
def test_login_merges_session_cart_capped(client, django_user_model):
    user = _customer_user(django_user_model)
    shirt = _stocked_variant(on_hand=5, sku="SHIRT")
    socks = _stocked_variant(on_hand=10, sku="SOCKS", name="Wool Socks")
    add_to_cart(cart=Cart.objects.create(user=user), variant=shirt, quantity=3)
    client.post(reverse("shop:cart-add"), {"variant": shirt.pk, "quantity": "4"})
    client.post(reverse("shop:cart-add"), {"variant": socks.pk, "quantity": "2"})
    session_cart_id = client.session["cart_id"]

    response = client.post(
        reverse("shop:login"),
        {"username": "avery@example.com", "password": PASSWORD},
    )

    lines = cart_lines(Cart.objects.get(user=user))
    assert [(line.variant.sku, line.quantity) for line in lines] == [
        ("SHIRT", 5),
        ("SOCKS", 2),
    ]
    assert not Cart.objects.filter(pk=session_cart_id).exists()
    assert "cart_id" not in client.session
    assert "Only 5 of Linen Shirt are available, so your cart has 5 instead of 7." in [
        str(message) for message in get_messages(response.wsgi_request)
    ]


@pytest.mark.django_db
def test_signup_keeps_session_cart(client):
    shirt = _stocked_variant(on_hand=5, sku="SHIRT")
    client.post(reverse("shop:cart-add"), {"variant": shirt.pk, "quantity": "2"})

    _signup(client, "avery@example.com")

    user = get_user_model().objects.get()
    lines = cart_lines(Cart.objects.get(user=user))
    assert [(line.variant.sku, line.quantity) for line in lines] == [("SHIRT", 2)]


@pytest.mark.django_db
def test_logout_keeps_saved_cart(client, django_user_model):
    user = _customer_user(django_user_model)
    cart = Cart.objects.create(user=user)
    add_to_cart(cart=cart, variant=_stocked_variant(on_hand=5, sku="S"), quantity=1)
    client.force_login(user)

    response = client.post(reverse("shop:logout"))

    assert response.url == reverse("shop:home")
    assert "_auth_user_id" not in client.session
    assert [line.quantity for line in cart_lines(cart)] == [1]


@pytest.mark.django_db
def test_account_lists_only_own_orders(client, django_user_model):
    user = _customer_user(django_user_model)
    own_paid = OrderFactory(
        customer=user.customer, number=100123, total_amount=Decimal("71.82"), paid=True
    )
    own_pending = OrderFactory(
        customer=user.customer, number=100124, total_amount=Decimal("1234.50")
    )
    OrderFactory(number=100125, total_amount=Decimal("9.99"))
    client.force_login(user)

    response = client.get(reverse("shop:account"))

    html = response.content.decode()
    assert list(response.context["page"].object_list) == [own_pending, own_paid]
    assert f'<a href="{own_paid.get_absolute_url()}">100123</a>' in html
    assert "$71.82" in html
    assert "$1,234.50" in html
    assert "Paid" in html
    assert "Awaiting payment" in html
    assert "100125" not in html


@pytest.mark.django_db
def test_account_requires_login(client):
    response = client.get(reverse("shop:account"))

    assert response.url == f"{reverse('shop:login')}?next=/account/"
