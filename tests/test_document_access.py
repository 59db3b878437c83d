"""Who may download each kind of document, and that MEDIA_ROOT is not served.

Invoices, credit notes, labels, packing slips and staff job files sit under
MEDIA_ROOT with sequential names and carry customers' addresses. Purchase
orders are rendered on request.
"""

import importlib
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import clear_url_caches, reverse
from django.utils import timezone

import config.urls
from accounting.models import CreditNote, Invoice
from fulfillment.models import Shipment
from inventory.models import PurchaseOrder, PurchaseOrderLine
from shop.models import StaffJob
from shop.roles import FULFILLMENT
from tests.factories.inventory import SupplierFactory
from tests.factories.orders import order_with_lines
from tests.factories.shop import VariantFactory
from tests.shop.jobs_setup import make_staff, queued_job

pytestmark = pytest.mark.django_db

KINDS = ["invoice", "credit_note", "label", "packing_slip", "purchase_order", "job"]
STORED_KINDS = ["invoice", "credit_note", "label", "packing_slip", "job"]
PERMISSIONS = {
    "invoice": "accounting.view_invoice",
    "credit_note": "accounting.view_creditnote",
    "label": "fulfillment.view_shipment",
    "packing_slip": "fulfillment.view_shipment",
    "purchase_order": "inventory.view_purchaseorder",
    "job": "shop.view_staffjob",
}


@dataclass(frozen=True)
class Document:
    url: str
    content_disposition: str
    # The path under MEDIA_ROOT and its bytes; empty for a purchase order.
    stored_name: str = ""
    content: bytes = b""


@pytest.fixture
def order():
    variant = VariantFactory(price=Decimal("52.00"), product__name="Wool socks")
    return order_with_lines(lines=[(variant, 1)], paid=True)


@pytest.fixture
def invoice(order):
    invoice = Invoice(
        number=41,
        order=order,
        issued_at=timezone.now(),
        subtotal_amount=Decimal("52.00"),
        shipping_amount=Decimal("12.00"),
        tax_amount=Decimal("8.96"),
        total_amount=Decimal("72.96"),
        paid_at=order.paid_at,
    )
    invoice.pdf.save("unused.pdf", ContentFile(b"%PDF-1.7 invoice 41"), save=False)
    invoice.save()
    return invoice


@pytest.fixture
def documents(order, invoice) -> dict[str, Document]:
    return {
        "invoice": Document(
            url=reverse("admin:accounting_invoice_pdf", args=[invoice.pk]),
            content_disposition='attachment; filename="invoice-41.pdf"',
            stored_name=invoice.pdf.name,
            content=b"%PDF-1.7 invoice 41",
        ),
        "credit_note": _credit_note_document(invoice),
        **_shipment_documents(order),
        "purchase_order": _purchase_order_document(),
        "job": _job_document(),
    }


def _credit_note_document(invoice: Invoice) -> Document:
    credit_note = CreditNote(
        number=6,
        invoice=invoice,
        order=invoice.order,
        issued_at=timezone.now(),
        subtotal_amount=Decimal("10.00"),
        shipping_amount=Decimal("0.00"),
        tax_amount=Decimal("1.40"),
        total_amount=Decimal("11.40"),
    )
    content = b"%PDF-1.7 credit note 6"
    credit_note.pdf.save("unused.pdf", ContentFile(content), save=False)
    credit_note.save()
    return Document(
        url=reverse("admin:accounting_creditnote_pdf", args=[credit_note.pk]),
        content_disposition='attachment; filename="credit-note-6.pdf"',
        stored_name=credit_note.pdf.name,
        content=content,
    )


def _shipment_documents(order) -> dict[str, Document]:
    shipment = Shipment.objects.create(number=f"{order.number}-1", order=order)
    shipment.label_pdf.save("unused.pdf", ContentFile(b"%PDF-1.4 label"))
    shipment.packing_slip_pdf.save("unused.pdf", ContentFile(b"%PDF-1.4 slip"))
    documents = {}
    for document, field, prefix in [
        ("label", shipment.label_pdf, "label"),
        ("packing_slip", shipment.packing_slip_pdf, "packing-slip"),
    ]:
        url = reverse(
            "admin:fulfillment_shipment_document",
            kwargs={"shipment_id": shipment.pk, "document": document},
        )
        documents[document] = Document(
            url=url,
            content_disposition=f'inline; filename="{prefix}-{shipment.number}.pdf"',
            stored_name=field.name,
            content=field.read(),
        )
    return documents


def _purchase_order_document() -> Document:
    purchase_order = PurchaseOrder.objects.create(
        number=7,
        supplier=SupplierFactory(name="Harbour Wool Co."),
        status=PurchaseOrder.Status.SENT,
    )
    PurchaseOrderLine.objects.create(
        purchase_order=purchase_order,
        variant=VariantFactory(sku="SOCK-WOOL-M"),
        quantity_ordered=24,
        unit_cost=Decimal("9.50"),
    )
    return Document(
        url=reverse("admin:inventory_purchaseorder_pdf", args=[purchase_order.pk]),
        content_disposition='attachment; filename="purchase-order-7.pdf"',
    )


def _job_document() -> Document:
    requester = make_staff("packer", role=FULFILLMENT)
    job = queued_job(requester, kind="label_batch", status=StaffJob.Status.DONE)
    content = b"%PDF-1.4 labels of job"
    job.file.save(f"{job.pk}/labels-2026-12-04-job-{job.pk}.pdf", ContentFile(content))
    return Document(
        url=reverse("admin:shop_staffjob_download", args=[job.pk]),
        content_disposition=(
            f'attachment; filename="labels-2026-12-04-job-{job.pk}.pdf"'
        ),
        stored_name=job.file.name,
        content=content,
    )


@pytest.fixture
def urls_built_with_debug(settings):
    """Rebuild the URLconf as `runserver` builds it, with DEBUG on."""
    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def cache_directives(response) -> list[str]:
    # The admin adds its own no-cache directives to the view's.
    return [part.strip() for part in response["Cache-Control"].split(",")]


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("kind", STORED_KINDS)
def test_media_url_not_served_with_debug(
    client, documents, urls_built_with_debug, kind
):
    document = documents[kind]

    response = client.get(f"/media/{document.stored_name}")

    assert document.stored_name
    assert response.status_code == 404
    assert not body(response).startswith(b"%PDF")


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_download_goes_to_login(client, documents, kind):
    response = client.get(documents[kind].url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not body(response).startswith(b"%PDF")


@pytest.mark.parametrize("kind", KINDS)
def test_staff_with_permission_gets_file(client, documents, kind):
    document = documents[kind]
    client.force_login(make_staff("reader", permissions=(PERMISSIONS[kind],)))

    response = client.get(document.url)

    content = body(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == document.content_disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in cache_directives(response)
    assert "no-store" in cache_directives(response)
    assert content.startswith(b"%PDF")
    if document.content:
        assert content == document.content


@pytest.mark.parametrize("kind", KINDS)
def test_staff_with_other_permissions_forbidden(client, documents, kind):
    others = set(PERMISSIONS.values()) - {PERMISSIONS[kind]}
    client.force_login(make_staff("other", permissions=tuple(sorted(others))))

    response = client.get(documents[kind].url)

    assert response.status_code == 403
    assert not body(response).startswith(b"%PDF")


def test_customer_token_link_sends_invoice(client, order, invoice):
    url = reverse("orders:invoice", args=[order.access_token])

    response = client.get(url)

    assert response.status_code == 200
    assert body(response) == b"%PDF-1.7 invoice 41"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="invoice-41.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in cache_directives(response)
    assert "no-store" in cache_directives(response)


def test_tampered_token_link_not_found(client, order, invoice):
    token = order.access_token
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.get(reverse("orders:invoice", args=[tampered]))

    assert response.status_code == 404
    assert not body(response).startswith(b"%PDF")


def test_purchase_order_page_links_pdf(admin_client, documents):
    purchase_order = PurchaseOrder.objects.get(number=7)

    response = admin_client.get(
        reverse("admin:inventory_purchaseorder_change", args=[purchase_order.pk])
    )

    link = f'<a href="{documents["purchase_order"].url}">purchase-order-7.pdf</a>'
    assert link in response.content.decode()
