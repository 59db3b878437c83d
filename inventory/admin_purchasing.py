"""Back-office screens for purchase orders: lines, sending, receiving.

Every status change goes through inventory.purchasing; the buttons on a
purchase order's page post to the views below, which call it and report
the outcome with a message. Lines are edited inline while the order is a
draft and are read-only afterwards.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from shop.downloads import document_response
from shop.models import Variant
from shop.money import format_money, round_money

from . import purchasing
from .models import PurchaseOrder, PurchaseOrderLine
from .purchase_order_pdf import purchase_order_filename, render_purchase_order_pdf

Status = PurchaseOrder.Status
RECEIVABLE_STATUSES = (Status.SENT, Status.PARTLY_RECEIVED)


class PurchaseOrderLineForm(forms.ModelForm):
    unit_cost = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="Left blank, the variant's unit cost is used.",
    )

    class Meta:
        model = PurchaseOrderLine
        fields = ["variant", "quantity_ordered", "unit_cost"]

    def clean(self):
        cleaned = super().clean()
        variant = cleaned.get("variant")
        if variant is not None and cleaned.get("unit_cost") is None:
            if variant.unit_cost is None:
                self.add_error(
                    "unit_cost",
                    f"{variant.sku} has no unit cost on file; enter the price "
                    "per unit agreed with the supplier.",
                )
            else:
                cleaned["unit_cost"] = variant.unit_cost
                self.instance.unit_cost = variant.unit_cost
        return cleaned


class PurchaseOrderLineFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if self.instance.pk is None or not self.has_changed():
            return
        # The page may have been opened while the order was still a draft.
        try:
            purchasing.check_lines_editable(self.instance)
        except purchasing.PurchaseOrderError as error:
            raise ValidationError(str(error)) from error


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    form = PurchaseOrderLineForm
    formset = PurchaseOrderLineFormSet
    extra = 1
    autocomplete_fields = ["variant"]
    fields = ["variant", "quantity_ordered", "unit_cost", "quantity_received", "amount"]
    readonly_fields = ["quantity_received", "amount"]

    @admin.display(description="Amount")
    def amount(self, line: PurchaseOrderLine) -> str:
        if line.pk is None:
            return "—"
        return format_money(round_money(line.unit_cost * line.quantity_ordered))

    def has_add_permission(self, request, obj=None) -> bool:
        return _is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _is_draft(obj) and super().has_delete_permission(request, obj)

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return self.extra if _is_draft(obj) else 0


def _is_draft(purchase_order: PurchaseOrder | None) -> bool:
    return purchase_order is None or purchase_order.status == Status.DRAFT


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "supplier", "status", "expected_date", "sent_at"]
    list_filter = ["status", "supplier"]
    list_select_related = ["supplier"]
    search_fields = ["=number", "supplier__name", "lines__variant__sku"]
    date_hierarchy = "created_at"
    fields = [
        "number",
        "supplier",
        "status",
        "expected_date",
        "notes",
        "sent_at",
        "created_by",
        "created_at",
        "pdf_link",
    ]
    readonly_fields = [
        "number",
        "status",
        "sent_at",
        "created_by",
        "created_at",
        "pdf_link",
    ]
    inlines = [PurchaseOrderLineInline]
    change_form_template = "admin/inventory/purchaseorder/change_form.html"
    change_list_template = "admin/inventory/purchaseorder/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.status != Status.DRAFT:
            return [*self.readonly_fields, "supplier"]
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["supplier", "expected_date", "notes"]
        return self.fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["supplier", "expected_date", "notes"])
            return
        created = purchasing.create_purchase_order(
            supplier=obj.supplier,
            expected_date=obj.expected_date,
            notes=obj.notes,
            user=request.user,
        )
        obj.pk, obj.number = created.pk, created.number
        obj.refresh_from_db()

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/send/",
                view(self.send_view),
                name="inventory_purchaseorder_send",
            ),
            path(
                "<int:pk>/cancel/",
                view(self.cancel_view),
                name="inventory_purchaseorder_cancel",
            ),
            path(
                "<int:pk>/receive/",
                view(self.receive_view),
                name="inventory_purchaseorder_receive",
            ),
            path(
                "<int:pk>/pdf/", view(self.pdf_view), name="inventory_purchaseorder_pdf"
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Send the purchase order PDF as the supplier receives it."""
        purchase_order = get_object_or_404(
            PurchaseOrder.objects.select_related("supplier"), pk=pk
        )
        if not self.has_view_permission(request, purchase_order):
            raise PermissionDenied
        return document_response(
            render_purchase_order_pdf(purchase_order),
            filename=purchase_order_filename(purchase_order),
        )

    @admin.display(description="PDF")
    def pdf_link(self, purchase_order: PurchaseOrder) -> str:
        url = reverse("admin:inventory_purchaseorder_pdf", args=[purchase_order.pk])
        filename = purchase_order_filename(purchase_order)
        return format_html('<a href="{}">{}</a>', url, filename)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context["purchase_order_actions"] = _available_actions(obj)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    @method_decorator(require_POST)
    def send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        purchase_order = self._changeable(request, pk)
        self._run(
            request,
            lambda: purchasing.send_purchase_order(
                purchase_order=purchase_order, user=request.user
            ),
            f"PO {purchase_order.number} is sent; the email to "
            f"{purchase_order.supplier.email} goes out in a moment.",
        )
        return redirect(_change_url(purchase_order))

    @method_decorator(require_POST)
    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        purchase_order = self._changeable(request, pk)
        self._run(
            request,
            lambda: purchasing.cancel_purchase_order(
                purchase_order=purchase_order, user=request.user
            ),
            f"PO {purchase_order.number} is cancelled.",
        )
        return redirect(_change_url(purchase_order))

    def receive_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        purchase_order = self._changeable(request, pk)
        if purchase_order.status not in RECEIVABLE_STATUSES:
            self.message_user(
                request,
                f"PO {purchase_order.number} is "
                f"{purchase_order.get_status_display().lower()}; only sent or "
                "partly received purchase orders can be received.",
                messages.ERROR,
            )
            return redirect(_change_url(purchase_order))
        lines = [
            line
            for line in purchase_order.lines.select_related("variant__product")
            if line.quantity_outstanding
        ]
        form = ReceiveForm(request.POST or None, lines=lines)
        if request.method == "POST" and form.is_valid():
            receipt = self._receive(request, purchase_order, form)
            if receipt is not None:
                return redirect(_change_url(purchase_order))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Receive PO {purchase_order.number}",
            "purchase_order": purchase_order,
            "form": form,
            "rows": [(line, form[f"line_{line.pk}"]) for line in lines],
        }
        return TemplateResponse(
            request, "admin/inventory/purchaseorder/receive.html", context
        )

    def _receive(self, request, purchase_order, form):
        try:
            receipt = purchasing.receive_purchase_order(
                purchase_order=purchase_order,
                quantities=form.quantities(),
                user=request.user,
            )
        except purchasing.PurchaseOrderError as error:
            form.add_error(None, str(error))
            return None
        units = sum(movement.quantity for movement in receipt.movements)
        filled = len(receipt.allocated_lines)
        self.message_user(
            request,
            f"Received {units} units on PO {purchase_order.number}, now "
            f"{purchase_order.get_status_display().lower()}; {filled} waiting "
            f"order line{'s' if filled != 1 else ''} got stock and can ship.",
            messages.SUCCESS,
        )
        return receipt

    def _changeable(self, request: HttpRequest, pk: int) -> PurchaseOrder:
        purchase_order = get_object_or_404(
            PurchaseOrder.objects.select_related("supplier"), pk=pk
        )
        if not self.has_change_permission(request, purchase_order):
            raise PermissionDenied
        return purchase_order

    def _run(self, request: HttpRequest, action, success: str) -> None:
        try:
            with transaction.atomic():
                action()
        except purchasing.PurchaseOrderError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)


class ReceiveForm(forms.Form):
    """Units delivered now, one field per line with units outstanding."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=line.variant.sku,
                min_value=0,
                initial=line.quantity_outstanding,
                required=False,
            )

    def quantities(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data.get(f"line_{line.pk}") or 0
            for line in self.lines
        }


def _available_actions(purchase_order: PurchaseOrder) -> list[tuple[str, str]]:
    """Return (label, URL name) of the buttons the order's status allows."""
    allowed = purchasing.ALLOWED_TRANSITIONS[purchase_order.status]
    actions = []
    if Status.SENT in allowed:
        actions.append(("Send to supplier", "admin:inventory_purchaseorder_send"))
    if Status.RECEIVED in allowed:
        actions.append(("Receive goods", "admin:inventory_purchaseorder_receive"))
    if Status.CANCELLED in allowed:
        actions.append(("Cancel", "admin:inventory_purchaseorder_cancel"))
    return actions


def _change_url(purchase_order: PurchaseOrder) -> str:
    return reverse("admin:inventory_purchaseorder_change", args=[purchase_order.pk])


class VariantLookupAdmin(admin.ModelAdmin):
    """Variant search behind the SKU autocomplete; hidden from the index."""

    search_fields = ["sku", "barcode", "product__name"]
    ordering = ["sku"]

    def get_model_perms(self, request):
        return {}

    def get_search_results(self, request, queryset, search_term):
        queryset = queryset.filter(is_active=True).select_related("product")
        return super().get_search_results(request, queryset, search_term)


if not admin.site.is_registered(Variant):
    admin.site.register(Variant, VariantLookupAdmin)

from . import admin_reorder  # noqa: E402, F401  (registers the reorder screen)
