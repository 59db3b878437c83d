"""Where webhooks may be sent: blocked addresses, at save and at delivery.

No test connects anywhere but 127.0.0.1: host names resolve from a fixed
table (fake_dns), and a blocked address is rejected before any connection.
"""

import ipaddress
import logging
import os
import socket
import subprocess
import sys

import pytest
import requests
from django.conf import settings as django_settings

from shop.models import WebhookDelivery, WebhookEvent
from shop.webhook_network import blocked_kind
from shop.webhooks import emit
from tests.test_settings import PRODUCTION_ENV

from .webhook_setup import fake_dns, make_endpoint

pytestmark = pytest.mark.django_db

DATA = {"order": {"number": 100042, "total_amount": "77.52"}}


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.0.0.2", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("::", "unspecified"),
        ("169.254.169.254", "link-local"),
        ("::ffff:169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("10.0.0.5", ""),
        ("172.16.4.2", ""),
        ("192.168.1.20", ""),
        ("fd12:3456::7", ""),
        ("::ffff:192.168.1.20", ""),
        ("203.0.113.10", ""),
        ("2001:db8::10", ""),
    ],
)
def test_blocked_kind_of_address(address, kind):
    assert blocked_kind(ipaddress.ip_address(address), allow_loopback=False) == kind


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.2"])
def test_loopback_allowed_by_setting(address):
    assert blocked_kind(ipaddress.ip_address(address), allow_loopback=True) == ""


def test_link_local_blocked_despite_setting():
    address = ipaddress.ip_address("169.254.169.254")

    assert blocked_kind(address, allow_loopback=True) == "link-local"


def test_production_settings_block_loopback():
    environment = {**os.environ, **PRODUCTION_ENV, "WEBHOOK_ALLOW_LOOPBACK": "true"}
    code = "from django.conf import settings; print(settings.WEBHOOK_ALLOW_LOOPBACK)"

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "False\n"


@pytest.fixture
def no_connection(monkeypatch):
    """Fail the test if a webhook request is about to be sent."""

    def send(*args, **kwargs):
        raise AssertionError("a webhook request was sent")

    monkeypatch.setattr(requests.Session, "send", send)


def test_delivery_to_rebound_name_failed(committed, monkeypatch, no_connection, caplog):
    # The name passed the check when the endpoint was saved, and its DNS
    # answer changed since.
    fake_dns(monkeypatch, {"erp.example.com": ["169.254.169.254"]})
    endpoint = make_endpoint("https://erp.example.com/hooks", WebhookEvent.ORDER_PAID)

    with committed():
        [delivery] = emit(WebhookEvent.ORDER_PAID, DATA)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.next_attempt_at is None
    assert delivery.response_status is None
    assert delivery.error == (
        "Not sent: erp.example.com resolves to 169.254.169.254, which is a "
        "link-local address, so webhooks are not sent there; use the "
        "receiver's public or LAN address."
    )
    [record] = [r for r in caplog.records if r.name == "shop.webhook_delivery"]
    assert record.levelno == logging.ERROR
    assert record.delivery_id == delivery.pk
    assert record.endpoint_id == endpoint.pk


def test_delivery_to_loopback_failed_in_production(
    committed, settings, webhook_receiver
):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    make_endpoint(webhook_receiver.url, WebhookEvent.ORDER_PAID)

    with committed():
        [delivery] = emit(WebhookEvent.ORDER_PAID, DATA)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.error.startswith(
        "Not sent: 127.0.0.1 is a loopback address, so webhooks are not sent"
    )
    assert webhook_receiver.requests == []


def test_delivery_connects_to_checked_address(committed, monkeypatch, webhook_receiver):
    port = webhook_receiver.server.server_address[1]
    fake_dns(monkeypatch, {"erp.example.com": ["127.0.0.1"]})
    real_getaddrinfo = socket.getaddrinfo

    def numeric_only(host, *args, **kwargs):
        # A second lookup of the name would bypass the check.
        ipaddress.ip_address(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", numeric_only)
    make_endpoint(f"http://erp.example.com:{port}/hooks", WebhookEvent.ORDER_PAID)

    with committed():
        [delivery] = emit(WebhookEvent.ORDER_PAID, DATA)

    delivery.refresh_from_db()
    [request] = webhook_receiver.requests
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert request.headers["Host"] == f"erp.example.com:{port}"
    assert request.path == "/hooks"


def test_unresolved_name_retried(committed, monkeypatch, no_connection):
    fake_dns(monkeypatch, {})
    make_endpoint("https://erp.example.com/hooks", WebhookEvent.ORDER_PAID)

    with committed():
        [delivery] = emit(WebhookEvent.ORDER_PAID, DATA)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.next_attempt_at is not None
    assert delivery.error.startswith(
        "The receiver's host erp.example.com was not resolved: "
    )
