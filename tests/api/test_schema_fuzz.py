"""Property-based test of the whole API against its own OpenAPI schema.

schemathesis reads the schema from the Django app over WSGI, generates
valid and invalid requests for every operation, and sends them with a
Manager token. Each response must not be a server error, must have a
status code the schema lists, and must have a body that matches the
schema. Examples are derandomized and capped per operation, so a run is
repeatable and takes a couple of minutes on SQLite.
"""

from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from accounting.ledger import credit, debit, post_entry
from accounting.models import Account, JournalEntry
from config.wsgi import application
from inventory.models import PurchaseOrder, PurchaseOrderLine
from shop.models import Address
from shop.roles import MANAGER
from tests.api.conftest import token_user
from tests.api.test_orders import shipped_order
from tests.factories.inventory import StockFactory, SupplierFactory
from tests.factories.shop import CustomerFactory

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def _requests_keep_test_transaction():
    """Keep Django from closing the test's connection on each request.

    Django's test client does the same: close_old_connections would close
    a connection that is inside the test's transaction and lose its rows.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def manager_headers(db) -> dict[str, str]:
    """Seed a little of everything the API serves and return a Manager's
    Authorization header."""
    seed_catalog()
    seed_orders_and_customers()
    seed_ledger()
    user = token_user(MANAGER)
    return {"Authorization": f"Token {user.auth_token.key}"}


def seed_catalog() -> None:
    supplier = SupplierFactory()
    stocked = StockFactory(variant__barcode="0628000000017", quantity_on_hand=20)
    StockFactory(quantity_on_hand=0, supplier=supplier)
    purchase_order = PurchaseOrder.objects.create(
        number=8001,
        supplier=supplier,
        status=PurchaseOrder.Status.SENT,
        expected_date=date(2031, 3, 10),
    )
    PurchaseOrderLine.objects.create(
        purchase_order=purchase_order,
        variant=stocked.variant,
        quantity_ordered=5,
        unit_cost=Decimal("4.00"),
    )


def seed_orders_and_customers() -> None:
    order = shipped_order()
    Address.objects.create(
        customer=order.customer,
        name="Avery Tremblay",
        line1="5670 Spring Garden Road",
        city="Halifax",
        province="NS",
        postal_code="B3J 1H6",
    )
    CustomerFactory(phone="902-555-0142")


def seed_ledger() -> None:
    bank = Account.objects.create(code="9100", name="Bank", type=Account.Type.ASSET)
    sales = Account.objects.create(code="9400", name="Sales", type=Account.Type.REVENUE)
    with transaction.atomic():
        post_entry(
            event_key="manual:fuzz",
            kind=JournalEntry.Kind.MANUAL,
            description="Opening cash",
            postings=[debit(bank, Decimal("50.00")), credit(sales, Decimal("50.00"))],
        )


schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# The Manager token goes on every request; generated Authorization headers
# would only test the 401 path.
schema.config.generation.update(deterministic=True, with_security_parameters=False)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_matches_its_schema(case, manager_headers, _requests_keep_test_transaction):
    case.call_and_validate(headers=manager_headers, checks=CHECKS)
