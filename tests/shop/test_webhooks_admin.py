"""The webhook endpoint admin and the delivery log, for the Manager role."""

import json

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.urls import reverse

from shop.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from shop.roles import FULFILLMENT, MANAGER
from shop.webhooks import emit

from .webhook_setup import SECRET, fake_dns, make_endpoint

pytestmark = pytest.mark.django_db

ENDPOINTS = "admin:shop_webhookendpoint_changelist"
ENDPOINT_ADD = "admin:shop_webhookendpoint_add"
DELIVERIES = "admin:shop_webhookdelivery_changelist"
DATA = {"order": {"number": 100042, "total_amount": "77.52"}}


def log_in(client, role: str) -> User:
    user = User.objects.create_user(f"{role.lower()}@example.ca", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


@pytest.fixture(autouse=True)
def receiver_dns(monkeypatch):
    fake_dns(
        monkeypatch,
        {
            "erp.example.com": ["203.0.113.10"],
            "metadata.example.com": ["203.0.113.11", "169.254.169.254"],
        },
    )


@pytest.fixture
def manager_client(client):
    log_in(client, MANAGER)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def endpoint_form(**fields):
    return {
        "name": "Warehouse ERP",
        "url": "https://erp.example.com/ledgerfront/webhooks",
        "events": ["order.paid", "stock.changed"],
        "is_active": "on",
        **fields,
    }


def record_deliveries(endpoint, count):
    for number in range(count):
        emit(WebhookEvent.ORDER_PAID, {"order": {"number": 100000 + number}})
    return list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk"))


@pytest.mark.parametrize(("role", "status"), [(MANAGER, 200), (FULFILLMENT, 403)])
@pytest.mark.parametrize("url_name", [ENDPOINTS, DELIVERIES])
def test_webhook_admin_for_manager_only(client, role, status, url_name):
    log_in(client, role)

    response = client.get(reverse(url_name))

    assert response.status_code == status


def test_endpoint_added_with_checked_events(manager_client):
    response = manager_client.post(reverse(ENDPOINT_ADD), endpoint_form())

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert endpoint.url == "https://erp.example.com/ledgerfront/webhooks"
    assert endpoint.events == ["order.paid", "stock.changed"]
    assert endpoint.is_active
    assert endpoint.secret.startswith("whsec_")


def test_endpoint_secret_shown_once(manager_client):
    response = manager_client.post(reverse(ENDPOINT_ADD), endpoint_form(), follow=True)

    endpoint = WebhookEndpoint.objects.get()
    message = next(str(message) for message in response.context["messages"])
    assert message.startswith(f"Signing secret of Warehouse ERP: {endpoint.secret} ")
    change = reverse("admin:shop_webhookendpoint_change", args=[endpoint.pk])
    page = manager_client.get(change).content.decode()
    assert endpoint.secret not in page
    assert f"whsec_…{endpoint.secret[-4:]}" in page


@pytest.mark.parametrize(
    ("url", "error"),
    [
        (
            "ftp://erp.example.com/hooks",
            "ftp://erp.example.com/hooks is not an http or https URL",
        ),
        (
            "http://127.0.0.1:8000/stripe/webhook/",
            "http://127.0.0.1:8000/stripe/webhook/ points at this shop",
        ),
    ],
)
def test_endpoint_url_rejected(manager_client, settings, url, error):
    settings.SHOP_BASE_URL = "http://127.0.0.1:8000"

    response = manager_client.post(reverse(ENDPOINT_ADD), endpoint_form(url=url))

    assert response.status_code == 200
    assert error in " ".join(response.context["adminform"].form.errors["url"])
    assert response.context["adminform"].form["name"].value() == "Warehouse ERP"
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "error"),
    [
        (
            "http://localhost:8000/stripe/webhook/",
            "localhost is a loopback address, so webhooks are not sent there",
        ),
        (
            "http://[::1]:8000/x",
            "::1 is a loopback address, so webhooks are not sent there",
        ),
        (
            "http://127.0.0.2:8000/x",
            "127.0.0.2 is a loopback address, so webhooks are not sent there",
        ),
        (
            "http://0.0.0.0:8000/x",
            "0.0.0.0 is an unspecified address, so webhooks are not sent there",
        ),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254 is a link-local address, so webhooks are not sent",
        ),
        (
            "https://metadata.example.com/hooks",
            "metadata.example.com resolves to 169.254.169.254, which is a "
            "link-local address",
        ),
    ],
)
def test_endpoint_internal_url_rejected(manager_client, settings, url, error):
    settings.WEBHOOK_ALLOW_LOOPBACK = False

    response = manager_client.post(reverse(ENDPOINT_ADD), endpoint_form(url=url))

    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["url"]
    assert message.startswith(f"{url} is rejected: {error}")
    assert message.endswith("use the receiver's public or LAN address.")
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://192.168.1.20:8080/hooks",
        "http://10.0.0.5/hooks",
        "http://172.16.4.2/hooks",
        "http://[fd12:3456::7]/hooks",
    ],
)
def test_endpoint_lan_url_accepted(manager_client, settings, url):
    settings.WEBHOOK_ALLOW_LOOPBACK = False

    response = manager_client.post(reverse(ENDPOINT_ADD), endpoint_form(url=url))

    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().url == url


def test_endpoint_unresolved_name_accepted(manager_client):
    url = "https://not-in-dns.example.com/hooks"

    response = manager_client.post(reverse(ENDPOINT_ADD), endpoint_form(url=url))

    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().url == url


def test_endpoint_loopback_accepted_when_allowed(manager_client, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    url = "http://localhost:9911/hooks"

    response = manager_client.post(reverse(ENDPOINT_ADD), endpoint_form(url=url))

    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().url == url


def test_endpoint_without_events_rejected(manager_client):
    response = manager_client.post(reverse(ENDPOINT_ADD), endpoint_form(events=[]))

    assert response.context["adminform"].form.errors["events"] == [
        "Choose at least one event to send."
    ]
    assert WebhookEndpoint.objects.count() == 0


def test_regenerate_secret_replaces_it(manager_client):
    endpoint = make_endpoint("https://erp.example.com/hooks")

    response = manager_client.post(
        reverse(ENDPOINTS),
        {"action": "regenerate_secret", "_selected_action": [endpoint.pk]},
    )

    endpoint.refresh_from_db()
    assert endpoint.secret != SECRET
    assert endpoint.secret.startswith("whsec_")
    assert messages_of(response)[0].startswith(
        f"Signing secret of Warehouse ERP: {endpoint.secret} "
    )


def test_resend_action_queues_new_delivery(
    manager_client, webhook_receiver, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(webhook_receiver.url, WebhookEvent.ORDER_PAID)
    [delivery] = record_deliveries(endpoint, 1)

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse(DELIVERIES),
            {"action": "resend", "_selected_action": [delivery.pk]},
        )

    resent = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    [request] = webhook_receiver.requests
    assert messages_of(response) == [
        "Resent 1 delivery, keeping its event id. 1 of them was still pending, "
        "so it is marked failed and only its resend is retried."
    ]
    assert resent.resend_of == delivery
    assert resent.event_id == delivery.event_id
    assert resent.status == WebhookDelivery.Status.DELIVERED
    assert request.headers["Ledgerfront-Delivery-Id"] == str(resent.pk)


def test_resend_action_marks_pending_original_failed(
    manager_client, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint("https://erp.example.com/hooks", WebhookEvent.ORDER_PAID)
    [delivery] = record_deliveries(endpoint, 1)

    with django_capture_on_commit_callbacks(execute=False):
        manager_client.post(
            reverse(DELIVERIES), {"action": "resend", "_selected_action": [delivery.pk]}
        )

    resent = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.next_attempt_at is None
    assert delivery.error == (
        f"Replaced by delivery {resent.pk}, a resend, while still pending; it is "
        "not retried."
    )
    assert resent.status == WebhookDelivery.Status.PENDING


def test_resend_action_counts_plural_deliveries(
    manager_client, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint("https://erp.example.com/hooks", WebhookEvent.ORDER_PAID)
    deliveries = record_deliveries(endpoint, 2)
    WebhookDelivery.objects.filter(endpoint=endpoint).update(
        status=WebhookDelivery.Status.DELIVERED
    )

    with django_capture_on_commit_callbacks(execute=False):
        response = manager_client.post(
            reverse(DELIVERIES),
            {"action": "resend", "_selected_action": [d.pk for d in deliveries]},
        )

    assert messages_of(response) == ["Resent 2 deliveries, keeping their event ids."]
    assert WebhookDelivery.objects.filter(resend_of__isnull=False).count() == 2
    assert (
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).count()
        == 2
    )


def test_resend_action_reports_inactive_endpoint(manager_client):
    endpoint = make_endpoint("https://erp.example.com/hooks", is_active=False)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="order.paid", payload={}
    )

    response = manager_client.post(
        reverse(DELIVERIES), {"action": "resend", "_selected_action": [delivery.pk]}
    )

    assert messages_of(response) == [
        f"Endpoint Warehouse ERP is inactive, so delivery {delivery.pk} was not "
        "resent; activate the endpoint first."
    ]
    assert WebhookDelivery.objects.count() == 1


def test_delivery_page_shows_indented_payload(manager_client):
    endpoint = make_endpoint("https://erp.example.com/hooks", WebhookEvent.ORDER_PAID)
    [delivery] = record_deliveries(endpoint, 1)

    response = manager_client.get(
        reverse("admin:shop_webhookdelivery_change", args=[delivery.pk])
    )

    page = response.content.decode()
    indented = json.dumps(delivery.payload, indent=2).replace('"', "&quot;")
    assert f"<pre>{indented}</pre>" in page


def test_delivery_log_filters_by_status(manager_client):
    endpoint = make_endpoint("https://erp.example.com/hooks", WebhookEvent.ORDER_PAID)
    delivered, pending = record_deliveries(endpoint, 2)
    WebhookDelivery.objects.filter(pk=delivered.pk).update(
        status=WebhookDelivery.Status.DELIVERED
    )

    response = manager_client.get(reverse(DELIVERIES), {"status__exact": "pending"})

    assert list(response.context["cl"].result_list) == [pending]


@pytest.mark.parametrize("count", [1, 20])
def test_delivery_log_query_count_fixed(
    manager_client, django_assert_num_queries, count
):
    endpoint = make_endpoint("https://erp.example.com/hooks", WebhookEvent.ORDER_PAID)
    record_deliveries(endpoint, count)

    with django_assert_num_queries(11):
        response = manager_client.get(reverse(DELIVERIES))

    assert len(response.context["cl"].result_list) == count
