import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.urls import reverse

from inventory.models import Stock
from shop.roles import ACCOUNTING, FULFILLMENT, INVENTORY, MANAGER
from tests.factories.shop import VariantFactory

staff_roles = importlib.import_module("shop.migrations.0003_staff_roles")

SHIPMENTS = "admin:fulfillment_shipment_changelist"
JOURNAL = "admin:accounting_journalentry_changelist"
REPORTS = "admin:accounting_reports"
STOCK_ADD = "admin:inventory_stock_add"
PURCHASE_ORDERS = "admin:inventory_purchaseorder_changelist"
STOCKTAKE = "admin:inventory_stocktake"
REORDER = "admin:inventory_reorder"
ORDERS = "admin:orders_order_changelist"
CARRIER_CALLS = "admin:shipping_carriercall_changelist"
PRODUCTS = "admin:shop_product_changelist"
USERS = "admin:auth_user_changelist"
LOOKUP = "admin:orders_lookup"

ACCESS = [
    (FULFILLMENT, SHIPMENTS, 200),
    (FULFILLMENT, ORDERS, 200),
    (FULFILLMENT, CARRIER_CALLS, 200),
    (FULFILLMENT, JOURNAL, 403),
    (FULFILLMENT, REPORTS, 403),
    (FULFILLMENT, STOCK_ADD, 403),
    (FULFILLMENT, USERS, 403),
    (FULFILLMENT, LOOKUP, 200),
    (INVENTORY, LOOKUP, 200),
    (ACCOUNTING, LOOKUP, 200),
    (INVENTORY, PURCHASE_ORDERS, 200),
    (INVENTORY, STOCK_ADD, 200),
    (INVENTORY, STOCKTAKE, 200),
    (INVENTORY, REORDER, 200),
    (INVENTORY, PRODUCTS, 200),
    (INVENTORY, JOURNAL, 403),
    (INVENTORY, REPORTS, 403),
    (INVENTORY, ORDERS, 403),
    (INVENTORY, SHIPMENTS, 403),
    (ACCOUNTING, JOURNAL, 200),
    (ACCOUNTING, REPORTS, 200),
    (ACCOUNTING, ORDERS, 200),
    (ACCOUNTING, STOCK_ADD, 403),
    (ACCOUNTING, STOCKTAKE, 403),
    (ACCOUNTING, REORDER, 403),
    (ACCOUNTING, SHIPMENTS, 403),
    *[
        (MANAGER, url_name, 200)
        for url_name in [
            SHIPMENTS,
            JOURNAL,
            REPORTS,
            STOCK_ADD,
            PURCHASE_ORDERS,
            STOCKTAKE,
            REORDER,
            ORDERS,
            CARRIER_CALLS,
            PRODUCTS,
            USERS,
        ]
    ],
]

INDEX_SECTIONS = {
    FULFILLMENT: {
        "fulfillment": ["Shipment"],
        "orders": ["Order"],
        "shipping": ["CarrierCall", "PackagingBox"],
        "shop": ["StaffJob"],
    },
    INVENTORY: {
        "inventory": [
            "PurchaseOrder",
            "Reorder",
            "Stock",
            "StockMovement",
            "Stocktake",
            "Supplier",
        ],
        "shop": ["Product", "StaffJob", "Variant"],
    },
    ACCOUNTING: {
        "accounting": [
            "Account",
            "CreditNote",
            "Invoice",
            "JournalEntry",
            "JournalLine",
            "Payout",
            "Reports",
            "SupplierBill",
        ],
        "inventory": ["Supplier"],
        "orders": ["Order", "Payment"],
        "shop": ["EmailLog", "StaffJob"],
    },
}


def log_in(client, role: str) -> User:
    user = User.objects.create_user(f"{role.lower()}@example.ca", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "url_name", "status"), ACCESS)
def test_role_admin_access(client, role, url_name, status):
    log_in(client, role)

    response = client.get(reverse(url_name))

    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(INDEX_SECTIONS))
def test_admin_index_sections_per_role(client, role):
    log_in(client, role)

    response = client.get(reverse("admin:index"))

    sections = {
        app["app_label"]: sorted(model["object_name"] for model in app["models"])
        for app in response.context["app_list"]
    }
    assert sections == INDEX_SECTIONS[role]


@pytest.mark.django_db
def test_accounting_stock_add_post_rejected(client):
    variant = VariantFactory(sku="HOOD-M")
    log_in(client, ACCOUNTING)

    response = client.post(reverse(STOCK_ADD), {"variant": variant.pk, "quantity": 5})

    assert response.status_code == 403
    assert not Stock.objects.filter(variant=variant).exists()


@pytest.mark.django_db
def test_manager_has_every_project_permission(client):
    user = log_in(client, MANAGER)
    project_apps = {"shop", "inventory", "orders", "shipping", "fulfillment"}
    project_apps.add("accounting")

    missing = [
        f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        for label in project_apps
        for model in apps.get_app_config(label).get_models()
        for action in ("add", "change", "delete", "view")
        if not user.has_perm(f"{label}.{action}_{model._meta.model_name}")
    ]
    assert missing == []


@pytest.mark.django_db
def test_roles_migration_rerun_unchanged():
    before = sorted(Group.permissions.through.objects.values_list())

    staff_roles.create_roles(apps, None)

    assert sorted(Group.permissions.through.objects.values_list()) == before
    assert Group.objects.count() == 4
