"""Sign-in throttling with django-axes on the admin, storefront and API.

The settings lock a username and IP address pair after 5 failures for 15
minutes (AXES_FAILURE_LIMIT, AXES_COOLOFF_MINUTES defaults). The test
client connects from REMOTE_ADDR 127.0.0.1.
"""

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from shop.login_throttling import cooloff_text

pytestmark = pytest.mark.django_db

PASSWORD = "harbour-lights-2041"
WRONG_PASSWORD = "not-my-password"
FAILURE_LIMIT = 5
OTHER_IP = "198.51.100.7"
LOCKOUT_HTML = (
    "Too many failed sign-ins for {username}. Try again in 15 minutes, or "
    '<a href="/account/password-reset/">reset your password</a>.'
)
STAFF_LOCKOUT = (
    "Too many failed sign-ins for {username}. Try again in 15 minutes, or ask "
    "a superuser to clear the lockout (Access attempts in the admin, or "
    "manage.py axes_reset_username {username})."
)


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.SHOP_BASE_URL = "http://testserver"


@pytest.fixture
def staff():
    return get_user_model().objects.create_user(
        username="dana", email="dana@example.com", password=PASSWORD, is_staff=True
    )


@pytest.fixture
def customer():
    return get_user_model().objects.create_user(
        username="ann@example.com", email="ann@example.com", password=PASSWORD
    )


def admin_login(client, password, **extra):
    return client.post(
        reverse("admin:login"),
        {"username": "dana", "password": password, "next": reverse("admin:index")},
        **extra,
    )


def shop_login(client, password, username="ann@example.com", **extra):
    return client.post(
        reverse("shop:login"), {"username": username, "password": password}, **extra
    )


def token_login(client, password, username="dana", **extra):
    return client.post(
        reverse("api-token"), {"username": username, "password": password}, **extra
    )


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def reset_password_by_email(client, mailoutbox, new_password):
    client.post(reverse("shop:password-reset"), {"email": "ann@example.com"})
    link = re.search(
        r"http://testserver(/account/password-reset/\S+)", mailoutbox[-1].body
    )
    form_url = client.get(link.group(1)).url
    return client.post(
        form_url, {"new_password1": new_password, "new_password2": new_password}
    )


def test_admin_failures_before_limit_show_form_error(client, staff):
    responses = [admin_login(client, WRONG_PASSWORD) for _ in range(FAILURE_LIMIT - 1)]

    assert [response.status_code for response in responses] == [200] * 4
    assert "Please enter the correct username and password" in (
        responses[-1].content.decode()
    )
    assert AccessAttempt.objects.get().failures_since_start == 4


def test_admin_locks_sixth_attempt_with_right_password(client, staff):
    failures = [admin_login(client, WRONG_PASSWORD) for _ in range(FAILURE_LIMIT)]

    response = admin_login(client, PASSWORD)

    assert failures[-1].status_code == 429
    assert response.status_code == 429
    assert STAFF_LOCKOUT.format(username="dana") in response.content.decode()
    assert "/account/password-reset/" not in response.content.decode()
    assert "admin/login_locked_out.html" in [t.name for t in response.templates]
    assert signed_in_user_id(client) is None


def test_admin_lockout_spares_other_ip(client, staff):
    for _ in range(FAILURE_LIMIT):
        admin_login(client, WRONG_PASSWORD)

    response = admin_login(client, PASSWORD, REMOTE_ADDR=OTHER_IP)

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert signed_in_user_id(client) == str(staff.pk)


def test_customer_login_locks_sixth_attempt(client, customer):
    for _ in range(FAILURE_LIMIT):
        shop_login(client, WRONG_PASSWORD)

    response = shop_login(client, PASSWORD)

    assert response.status_code == 429
    assert LOCKOUT_HTML.format(username="ann@example.com") in response.content.decode()
    assert "registration/login_locked_out.html" in [t.name for t in response.templates]
    assert signed_in_user_id(client) is None


def test_customer_lockout_counts_email_in_any_case(client, customer):
    for _ in range(FAILURE_LIMIT):
        shop_login(client, WRONG_PASSWORD, username=" ANN@example.com")

    response = shop_login(client, PASSWORD)

    assert response.status_code == 429
    assert AccessAttempt.objects.get().username == "ann@example.com"


def test_customer_lockout_spares_other_ip(client, customer):
    for _ in range(FAILURE_LIMIT):
        shop_login(client, WRONG_PASSWORD)

    response = shop_login(client, PASSWORD, REMOTE_ADDR=OTHER_IP)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(customer.pk)


def test_customer_lockout_spares_other_username(client, customer):
    get_user_model().objects.create_user(
        username="bo@example.com", email="bo@example.com", password=PASSWORD
    )
    for _ in range(FAILURE_LIMIT):
        shop_login(client, WRONG_PASSWORD)

    response = shop_login(client, PASSWORD, username="bo@example.com")

    assert response.status_code == 302


def test_successful_login_resets_failures(client, customer):
    for _ in range(FAILURE_LIMIT - 1):
        shop_login(client, WRONG_PASSWORD)

    success = shop_login(client, PASSWORD)
    client.post(reverse("shop:logout"))
    for _ in range(FAILURE_LIMIT - 1):
        shop_login(client, WRONG_PASSWORD)
    second_success = shop_login(client, PASSWORD)

    assert success.status_code == 302
    assert second_success.status_code == 302
    assert AccessAttempt.objects.count() == 0


def test_lockout_ends_after_cooloff(client, customer):
    for _ in range(FAILURE_LIMIT):
        shop_login(client, WRONG_PASSWORD)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - timedelta(minutes=15, seconds=1)
    )

    response = shop_login(client, PASSWORD)

    assert response.status_code == 302


def test_password_reset_clears_lockout(client, customer, mailoutbox):
    for _ in range(FAILURE_LIMIT):
        shop_login(client, WRONG_PASSWORD)
    shop_login(client, WRONG_PASSWORD, REMOTE_ADDR=OTHER_IP)

    reset = reset_password_by_email(client, mailoutbox, "tide-pools-1987")
    response = shop_login(client, "tide-pools-1987")

    assert reset.url == reverse("shop:password-reset-complete")
    assert AccessAttempt.objects.count() == 0
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(customer.pk)


def test_password_reset_leaves_other_users_locked(client, customer, mailoutbox):
    get_user_model().objects.create_user(
        username="bo@example.com", email="bo@example.com", password=PASSWORD
    )
    for _ in range(FAILURE_LIMIT):
        shop_login(client, WRONG_PASSWORD, username="bo@example.com")

    reset_password_by_email(client, mailoutbox, "tide-pools-1987")
    response = shop_login(client, PASSWORD, username="bo@example.com")

    assert response.status_code == 429


def test_api_token_locks_sixth_attempt(client, staff):
    failures = [token_login(client, WRONG_PASSWORD) for _ in range(FAILURE_LIMIT)]

    response = token_login(client, PASSWORD)

    assert [failure.status_code for failure in failures] == [400] * 4 + [429]
    assert response.status_code == 429
    assert response.json() == {"detail": STAFF_LOCKOUT.format(username="dana")}


def test_api_token_lockout_spares_other_ip(client, staff):
    for _ in range(FAILURE_LIMIT):
        token_login(client, WRONG_PASSWORD)

    response = token_login(client, PASSWORD, REMOTE_ADDR=OTHER_IP)

    assert response.status_code == 200
    assert set(response.json()) == {"token"}


def test_api_token_success_resets_failures(client, staff):
    for _ in range(FAILURE_LIMIT - 1):
        token_login(client, WRONG_PASSWORD)

    response = token_login(client, PASSWORD)

    assert response.status_code == 200
    assert AccessAttempt.objects.count() == 0


def test_api_token_refused_to_customer(client, customer):
    response = token_login(client, PASSWORD, username="ann@example.com")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "ann@example.com is not a staff account; API tokens are for "
        "staff and device accounts. Ask a manager for a device account."
    }
    assert not Token.objects.filter(user=customer).exists()


def test_api_token_missing_password_is_400(client, staff):
    response = client.post(reverse("api-token"), {"username": "dana"})

    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}
    assert AccessAttempt.objects.count() == 0


def test_forwarded_for_ignored_without_proxy(client, customer):
    for _ in range(FAILURE_LIMIT):
        shop_login(client, WRONG_PASSWORD)

    response = shop_login(client, PASSWORD, HTTP_X_FORWARDED_FOR=OTHER_IP)

    assert response.status_code == 429


def test_forwarded_for_names_client_behind_proxy(client, customer, settings):
    # One reverse proxy at 127.0.0.1 that appends the client's address.
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.IPWARE_STRICT = False
    attacker = "203.0.113.9"
    for _ in range(FAILURE_LIMIT):
        shop_login(client, WRONG_PASSWORD, HTTP_X_FORWARDED_FOR=attacker)

    forged = shop_login(
        client, PASSWORD, HTTP_X_FORWARDED_FOR=f"{OTHER_IP}, {attacker}"
    )
    other_client = shop_login(client, PASSWORD, HTTP_X_FORWARDED_FOR=OTHER_IP)

    assert AccessAttempt.objects.get().ip_address == attacker
    assert forged.status_code == 429
    assert other_client.status_code == 302


@pytest.mark.parametrize(
    ("cooloff", "text"),
    [
        (timedelta(minutes=15), "15 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(seconds=90), "2 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=3), "3 hours"),
        (timedelta(minutes=90), "90 minutes"),
    ],
)
def test_cooloff_text_words_period(settings, cooloff, text):
    settings.AXES_COOLOFF_TIME = cooloff

    assert cooloff_text() == text


def test_attempt_during_lockout_restarts_cooloff(client, customer):
    for _ in range(FAILURE_LIMIT):
        shop_login(client, WRONG_PASSWORD)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))

    during_lockout = shop_login(client, PASSWORD)

    attempt = AccessAttempt.objects.get()
    assert during_lockout.status_code == 429
    assert attempt.attempt_time > timezone.now() - timedelta(minutes=1)
    assert attempt.failures_since_start == FAILURE_LIMIT + 1


def _settings_with_proxy_count(value):
    code = (
        "from django.conf import settings; "
        "print(settings.AXES_IPWARE_META_PRECEDENCE_ORDER, "
        "getattr(settings, 'AXES_IPWARE_PROXY_COUNT', None))"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SHOP_REVERSE_PROXY_COUNT": value,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_proxy_count_trusts_forwarded_for():
    result = _settings_with_proxy_count("2")

    assert result.stdout == "('HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR') 1\n"


def test_no_proxy_reads_remote_addr_only():
    result = _settings_with_proxy_count("0")

    assert result.stdout == "('REMOTE_ADDR',) None\n"


def test_negative_proxy_count_rejected():
    result = _settings_with_proxy_count("-1")

    assert result.returncode == 1
    assert "SHOP_REVERSE_PROXY_COUNT is -1; set it to the number" in result.stderr
