"""What the customer reads after a failed payment, against localstripe."""

from decimal import Decimal

from django.urls import reverse

from tests.factories.orders import order_with_lines
from tests.factories.shop import VariantFactory
from tests.fixtures.localstripe import CARD_NEEDS_3DS


def _pay(client, order, card_id):
    return client.post(
        reverse("orders:payment-confirm", args=[order.access_token]),
        {"card_id": card_id},
    )


def test_failed_3ds_shows_friendly_message(client, localstripe, db):
    variant = VariantFactory(price=Decimal("52.00"))
    order = order_with_lines(lines=[(variant, 1)])
    body = _pay(client, order, localstripe.card_id(CARD_NEEDS_3DS)).json()
    localstripe.authenticate(client_secret=body["client_secret"], success=False)
    client.get(body["return_url"])

    response = client.get(reverse("orders:payment", args=[order.access_token]))

    html = response.content.decode()
    assert (
        "Your bank did not confirm this payment. Try again or use another card." in html
    )
    assert "PaymentMethod" not in html
    assert order.payments.get().failure_message == (
        "The provided PaymentMethod has failed authentication."
    )
