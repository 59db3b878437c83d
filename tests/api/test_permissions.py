import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from shop.roles import ACCOUNTING, FULFILLMENT, INVENTORY, MANAGER
from tests.api.conftest import client_for, token_user
from tests.factories.orders import OrderFactory

READ_ENDPOINTS = [
    "/api/products/",
    "/api/variants/",
    "/api/customers/",
    "/api/orders/",
    "/api/accounts/",
    "/api/journal-entries/",
]

# What each role's token may list; every other read endpoint is 403.
ROLE_READS = {
    FULFILLMENT: {"/api/orders/"},
    INVENTORY: {"/api/products/", "/api/variants/"},
    ACCOUNTING: {"/api/orders/", "/api/accounts/", "/api/journal-entries/"},
    MANAGER: set(READ_ENDPOINTS),
}

CASES = [
    (role, url, 200 if url in allowed else 403)
    for role, allowed in ROLE_READS.items()
    for url in READ_ENDPOINTS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "url", "status"), CASES)
def test_role_token_reads_only_its_models(api_client_for, role, url, status):
    client = api_client_for(role)

    response = client.get(url)

    assert response.status_code == status


@pytest.mark.django_db
def test_fulfillment_token_cannot_read_ledger(api_client_for):
    client = api_client_for(FULFILLMENT)

    entries = client.get("/api/journal-entries/")
    accounts = client.get("/api/accounts/")

    assert entries.status_code == 403
    assert accounts.status_code == 403
    assert entries.json() == {
        "detail": "You do not have permission to perform this action."
    }


@pytest.mark.django_db
def test_fulfillment_token_reads_orders(api_client_for):
    order = OrderFactory(number=100042)
    client = api_client_for(FULFILLMENT)

    response = client.get(f"/api/orders/{order.pk}/")

    assert response.status_code == 200
    assert response.json()["number"] == 100042


@pytest.mark.django_db
def test_role_without_permission_gets_403_on_detail(api_client_for):
    order = OrderFactory()
    client = api_client_for(INVENTORY)

    response = client.get(f"/api/orders/{order.pk}/")

    assert response.status_code == 403


@pytest.mark.django_db
def test_non_staff_token_is_forbidden():
    user = token_user(None, is_staff=False)
    user.user_permissions.add(Permission.objects.get(codename="view_order"))

    response = client_for(user).get("/api/orders/")

    assert response.status_code == 403


@pytest.mark.django_db
def test_staff_without_view_permission_cannot_read():
    # DRF's DjangoModelPermissions lets any authenticated user GET; reads
    # here need the view permission, as in the admin.
    user = token_user(None)
    user.user_permissions.add(Permission.objects.get(codename="change_order"))

    response = client_for(user).get("/api/orders/")

    assert response.status_code == 403


@pytest.mark.django_db
def test_request_without_token_is_401():
    response = APIClient().get("/api/orders/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": "Authentication credentials were not provided."
    }


@pytest.mark.django_db
def test_unknown_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")

    response = client.get("/api/orders/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


@pytest.mark.django_db
def test_inactive_staff_token_is_401():
    user = token_user(MANAGER)
    user.is_active = False
    user.save()

    response = client_for(user).get("/api/orders/")

    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}
