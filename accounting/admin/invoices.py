from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from accounting.invoices import invoice_filename
from accounting.models import Invoice
from accounting.services import invoice_pdf, resend_invoice_email
from shop.downloads import document_response
from shop.failed_emails import ATTENTION_DAYS, unresolved_failed_emails
from shop.models import EmailLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """Admin for records kept as they were written: viewed, never edited."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "order",
        "issued_at",
        "total_amount",
        "emailed",
        "pdf_link",
    ]
    list_select_related = ["order"]
    search_fields = ["=number", "=order__number", "order__email"]
    date_hierarchy = "issued_at"
    fields = [
        "number",
        "order",
        "issued_at",
        "paid_at",
        "subtotal_amount",
        "shipping_amount",
        "tax_amount",
        "total_amount",
        "pdf_link",
        "emailed_at",
        "email_attempts",
        "last_email_error",
    ]
    readonly_fields = fields
    actions = ["resend_email"]

    def get_urls(self):
        pdf_view = self.admin_site.admin_view(self.pdf_view)
        return [
            path("<int:invoice_id>/pdf/", pdf_view, name="accounting_invoice_pdf"),
            *super().get_urls(),
        ]

    def pdf_view(self, request: HttpRequest, invoice_id: int) -> FileResponse:
        """Download the invoice PDF, rendering and storing it if missing."""
        invoice = get_object_or_404(
            Invoice.objects.select_related("order"), pk=invoice_id
        )
        if not self.has_view_permission(request, invoice):
            raise PermissionDenied
        return document_response(
            invoice_pdf(invoice), filename=invoice_filename(invoice)
        )

    @admin.display(description="PDF")
    def pdf_link(self, invoice: Invoice) -> str:
        url = reverse("admin:accounting_invoice_pdf", args=[invoice.pk])
        return format_html('<a href="{}">{}</a>', url, invoice_filename(invoice))

    @admin.display(description="Emailed", boolean=True, ordering="emailed_at")
    def emailed(self, invoice: Invoice) -> bool:
        return invoice.emailed_at is not None

    @admin.action(description="Resend invoice email", permissions=["resend"])
    def resend_email(self, request: HttpRequest, queryset) -> None:
        invoices = list(queryset)
        with transaction.atomic():
            for invoice in invoices:
                resend_invoice_email(invoice=invoice)
        self.message_user(request, f"Queued the email of {len(invoices)} invoice(s).")

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounting.change_invoice")


class EmailAttentionFilter(admin.SimpleListFilter):
    """Failed emails not sent since (the dashboard's count)."""

    title = "attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("failed", f"Failed, not sent since (last {ATTENTION_DAYS} days)")]

    def queryset(self, request, queryset):
        if self.value() != "failed":
            return queryset
        return queryset.filter(pk__in=unresolved_failed_emails().values("pk"))


@admin.register(EmailLog)
class EmailLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to", "subject", "kind", "reference", "status"]
    list_filter = [EmailAttentionFilter, "status", "kind"]
    search_fields = ["to", "=reference"]
    date_hierarchy = "created_at"
    fields = ["created_at", "to", "subject", "kind", "reference", "status", "error"]
    readonly_fields = fields
