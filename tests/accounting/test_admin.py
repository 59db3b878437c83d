import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from accounting.models import Invoice
from shop.models import EmailLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(paid_order, issue):
    return issue(paid_order)


def test_invoice_admin_pdf_download(admin_client, invoice):
    url = reverse("admin:accounting_invoice_pdf", args=[invoice.pk])

    response = admin_client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="invoice-1.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == invoice.pdf.read()


def test_invoice_admin_pdf_rendered_when_missing(admin_client, invoice):
    Invoice.objects.filter(pk=invoice.pk).update(pdf="")
    url = reverse("admin:accounting_invoice_pdf", args=[invoice.pk])

    response = admin_client.get(url)

    invoice.refresh_from_db()
    content = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert content.startswith(b"%PDF-")
    assert invoice.pdf.name.startswith("invoices/")
    assert invoice.pdf.read() == content


def test_invoice_admin_pdf_needs_view_permission(client, django_user_model, invoice):
    staff = django_user_model.objects.create_user(
        "clerk", password="pw-clerk-1", is_staff=True
    )
    client.force_login(staff)
    url = reverse("admin:accounting_invoice_pdf", args=[invoice.pk])

    response = client.get(url)

    assert response.status_code == 403


def test_invoice_admin_resend_action(
    admin_client, invoice, django_capture_on_commit_callbacks
):
    url = reverse("admin:accounting_invoice_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, {"action": "resend_email", "_selected_action": [invoice.pk]}
        )

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert EmailLog.objects.filter(status=EmailLog.Status.SENT).count() == 2


def test_invoice_admin_resend_needs_change_permission(
    client, django_user_model, invoice
):
    staff = django_user_model.objects.create_user(
        "viewer", password="pw-viewer-1", is_staff=True
    )
    staff.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    client.force_login(staff)
    url = reverse("admin:accounting_invoice_changelist")

    response = client.post(
        url, {"action": "resend_email", "_selected_action": [invoice.pk]}
    )

    assert response.status_code == 200
    assert len(mail.outbox) == 1


def test_invoice_admin_is_read_only(admin_client, invoice):
    url = reverse("admin:accounting_invoice_change", args=[invoice.pk])

    response = admin_client.post(url, {"number": "99"})

    invoice.refresh_from_db()
    assert response.status_code == 403
    assert invoice.number == 1


def test_invoice_admin_search_by_email(admin_client, invoice):
    url = reverse("admin:accounting_invoice_changelist")

    response = admin_client.get(url, {"q": "avery@example.com"})

    assert list(response.context["cl"].result_list) == [invoice]


def test_email_log_admin_filters_by_status(admin_client, invoice):
    url = reverse("admin:shop_emaillog_changelist")

    response = admin_client.get(url, {"status__exact": "failed"})

    assert list(response.context["cl"].result_list) == []
