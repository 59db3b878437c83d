"""Credit notes, and the refund form reached from an order's admin page."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounting.credit_note_documents import credit_note_filename
from accounting.credit_notes import (
    credit_note_pdf,
    order_balance,
    resend_credit_note_email,
)
from accounting.invoices import format_money
from accounting.models import CreditNote, CreditNoteLine, CreditNoteTax
from orders.models import Order
from orders.refunds import RefundError, check_refund_amount, refund_order
from shop.downloads import document_response

from .invoices import ReadOnlyAdmin


class RefundForm(forms.Form):
    """Units per line, or an amount; shipping, restock and a reason."""

    # The range and the cents are checked in clean_amount, so that the
    # message names the amount entered and the maximum left to refund.
    amount = forms.DecimalField(
        required=False,
        help_text="A lump sum in CAD, tax included, instead of units.",
    )
    shipping = forms.BooleanField(required=False, label="Refund the shipping")
    restock = forms.BooleanField(
        required=False, label="Put the returned units back in stock"
    )
    reason = forms.CharField(max_length=255)

    def __init__(self, *args, order: Order, balance, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.balance = balance
        self.order_lines = list(order.lines.all())
        for line in self.order_lines:
            left = balance.line(line.pk).remaining_quantity
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=left,
                initial=0,
                label=f"{line.sku} {line.name}",
                help_text=f"{line.quantity} sold, {left} left to refund",
            )

    def clean_amount(self) -> Decimal | None:
        amount = self.cleaned_data.get("amount")
        if amount is None:
            return None
        try:
            return check_refund_amount(self.order, amount, self.balance)
        except RefundError as error:
            raise forms.ValidationError(str(error)) from error

    def line_fields(self):
        return [self[f"line_{line.pk}"] for line in self.order_lines]

    def refund_lines(self):
        return [
            (line, self.cleaned_data.get(f"line_{line.pk}") or 0)
            for line in self.order_lines
            if self.cleaned_data.get(f"line_{line.pk}")
        ]


class CreditNoteLineInline(admin.TabularInline):
    model = CreditNoteLine
    fields = ["order_line", "quantity", "amount", "tax_amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CreditNoteTaxInline(CreditNoteLineInline):
    model = CreditNoteTax
    fields = ["name", "rate", "amount"]
    readonly_fields = fields


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "order",
        "invoice",
        "issued_at",
        "total_amount",
        "emailed",
        "pdf_link",
    ]
    list_select_related = ["order", "invoice"]
    list_filter = ["order__channel", "issued_at"]
    search_fields = ["=number", "=order__number", "=invoice__number", "order__email"]
    date_hierarchy = "issued_at"
    fields = [
        "number",
        "invoice",
        "order",
        "refund",
        "issued_at",
        "reason",
        "restocked",
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
    inlines = [CreditNoteLineInline, CreditNoteTaxInline]
    actions = ["resend_email"]

    def get_urls(self):
        pdf_view = self.admin_site.admin_view(self.pdf_view)
        refund_view = self.admin_site.admin_view(self.refund_view)
        return [
            path(
                "<int:credit_note_id>/pdf/", pdf_view, name="accounting_creditnote_pdf"
            ),
            path(
                "refund-order/<int:order_id>/",
                refund_view,
                name="accounting_refund_order",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request: HttpRequest, credit_note_id: int) -> FileResponse:
        """Download the PDF, rendering and storing it if missing."""
        credit_note = get_object_or_404(
            CreditNote.objects.select_related("order", "invoice"), pk=credit_note_id
        )
        if not self.has_view_permission(request, credit_note):
            raise PermissionDenied
        return document_response(
            credit_note_pdf(credit_note), filename=credit_note_filename(credit_note)
        )

    def refund_view(self, request: HttpRequest, order_id: int) -> HttpResponse:
        """Show the refund form for an order and carry out a refund."""
        if not request.user.has_perm("orders.change_order"):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=order_id)
        balance = order_balance(order)
        data = request.POST if request.method == "POST" else None
        form = RefundForm(data, order=order, balance=balance)
        if form.is_valid():
            try:
                refund = refund_order(
                    order=order,
                    lines=form.refund_lines(),
                    amount=form.cleaned_data["amount"],
                    shipping=form.cleaned_data["shipping"],
                    restock=form.cleaned_data["restock"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                )
            except RefundError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    f"Refunded {format_money(refund.amount)}; credit note "
                    f"{refund.credit_note.number} issued.",
                    messages.SUCCESS,
                )
                return redirect("admin:orders_order_change", order.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Refund order {order.number}",
            "order": order,
            "form": form,
            "left_to_refund": format_money(balance.remaining_total),
            "opts": Order._meta,
        }
        return TemplateResponse(request, "admin/accounting/refund_order.html", context)

    @admin.display(description="PDF")
    def pdf_link(self, credit_note: CreditNote) -> str:
        url = reverse("admin:accounting_creditnote_pdf", args=[credit_note.pk])
        return format_html(
            '<a href="{}">{}</a>', url, credit_note_filename(credit_note)
        )

    @admin.display(description="Emailed", boolean=True, ordering="emailed_at")
    def emailed(self, credit_note: CreditNote) -> bool:
        return credit_note.emailed_at is not None

    @admin.action(description="Resend credit note email", permissions=["resend"])
    def resend_email(self, request: HttpRequest, queryset) -> None:
        credit_notes = list(queryset)
        with transaction.atomic():
            for credit_note in credit_notes:
                resend_credit_note_email(credit_note=credit_note)
        self.message_user(
            request, f"Queued the email of {len(credit_notes)} credit note(s)."
        )

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounting.change_creditnote")
