"""The fulfillment queue: shipments to pack, label and hand to a carrier.

The Shipment change list opens on the shipments still to pack and ship,
oldest first. Its actions and the split view are thin adapters over
fulfillment.services; forms live in fulfillment.admin_forms.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from inventory.allocation import AllocationError
from shop.downloads import document_response
from shop.money import format_money
from shop.queueing import send_task

from . import label_batch, labels, services, tasks
from .admin_forms import ShipForm, SplitForm
from .admin_labels import LabelAdminMixin
from .documents_store import packing_slips_pdf
from .models import Shipment, ShipmentLine, TrackingEvent
from .selectors import QUEUE_STATUSES, shipment_queue, tracking_url
from .slip_data import ship_to_lines

SERVICE_ERRORS = (services.ShipmentError, AllocationError)

# The confirmation page's title for each action that buys labels.
LABEL_ACTION_TITLES = {
    "buy_labels": "Buy labels?",
    "print_label_batch": "Buy labels and print them?",
}


class QueueFilter(admin.SimpleListFilter):
    """Stage of work; with no choice made, the shipments still to ship."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("all", "All shipments"), *Shipment.Status.choices]

    def choices(self, changelist):
        for lookup, title in [(None, "To pack and ship"), *self.lookup_choices]:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup} if lookup else {},
                    [] if lookup else [self.parameter_name],
                ),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset.filter(status__in=QUEUE_STATUSES)
        if self.value() == "all":
            return queryset
        return queryset.filter(status=self.value())


class ShipmentLineInline(admin.TabularInline):
    model = ShipmentLine
    fields = ["sku", "name", "quantity"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="SKU")
    def sku(self, line: ShipmentLine) -> str:
        return line.order_line.sku

    @admin.display(description="Item")
    def name(self, line: ShipmentLine) -> str:
        return line.order_line.name


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    fields = ["occurred_at", "description", "location"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Shipment)
class ShipmentAdmin(LabelAdminMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "order_link",
        "stage",
        "created_at",
        "units",
        "ship_to",
        "tracking",
        "last_error",
    ]
    list_filter = [QueueFilter]
    ordering = ["created_at", "pk"]
    search_fields = ["=number", "=order__number", "tracking_number", "order__ship_name"]
    list_per_page = 50
    actions = [
        "print_packing_slips",
        "buy_labels",
        "print_label_batch",
        "mark_packed",
        "mark_shipped",
        "merge_shipments",
        "void_labels",
        "transmit_contract_shipments",
    ]
    inlines = [ShipmentLineInline, TrackingEventInline]
    # The change page repeats the columns a phone's queue hides (ship to,
    # tracking, last error), so the row's link reaches them.
    readonly_fields = [
        "number",
        "order_link",
        "status",
        "ship_to_address",
        "tracking",
        "split_link",
        "carrier",
        "service_name",
        "label_cost_amount",
        "label_tax_amount",
        "label_download",
        "packing_slip_download",
        "last_error",
        "created_at",
        "packed_at",
        "labelled_at",
        "shipped_at",
        "delivered_at",
        "cancelled_at",
    ]
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Shipment]:
        return shipment_queue()

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        split_view = self.admin_site.admin_view(self.split_view)
        document_view = self.admin_site.admin_view(self.document_view)
        return [
            path("<int:shipment_id>/split/", split_view, name="fulfillment_split"),
            path(
                "<int:shipment_id>/<str:document>.pdf",
                document_view,
                name="fulfillment_shipment_document",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Order", ordering="order__number")
    def order_link(self, shipment: Shipment) -> str:
        url = reverse("admin:orders_order_change", args=[shipment.order_id])
        return format_html('<a href="{}">{}</a>', url, shipment.order.number)

    @admin.display(description="Status", ordering="status")
    def stage(self, shipment: Shipment) -> str:
        if shipment.status != Shipment.Status.LABELLED:
            return shipment.get_status_display()
        if shipment.packed_at is None:
            return "Labelled, not packed"
        return "Labelled and packed"

    @admin.display(description="Units")
    def units(self, shipment: Shipment) -> int:
        return getattr(shipment, "unit_count", None) or 0

    @admin.display(description="Ship to")
    def ship_to(self, shipment: Shipment) -> str:
        order = shipment.order
        return f"{order.ship_name}, {order.ship_city} {order.ship_province}"

    @admin.display(description="Ship to")
    def ship_to_address(self, shipment: Shipment) -> str:
        lines = ((line,) for line in ship_to_lines(shipment.order))
        return format_html_join(mark_safe("<br>"), "{}", lines)

    @admin.display(description="Tracking")
    def tracking(self, shipment: Shipment) -> str:
        url = tracking_url(shipment)
        if url:
            return format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a>',
                url,
                shipment.tracking_number,
            )
        return shipment.tracking_number or "-"

    @admin.display(description="Split")
    def split_link(self, shipment: Shipment) -> str:
        if shipment.status not in services.EDITABLE_STATUSES:
            return "Only a ready or packed shipment can be split."
        url = reverse("admin:fulfillment_split", args=[shipment.pk])
        return format_html('<a class="button" href="{}">Split…</a>', url)

    @admin.action(description="Print packing slips")
    def print_packing_slips(self, request, queryset):
        shipments = list(queryset.order_by("created_at", "pk"))
        return document_response(
            packing_slips_pdf(shipments),
            filename="packing-slips.pdf",
            as_attachment=False,
        )

    @admin.action(description="Buy labels")
    def buy_labels(self, request, queryset):
        buy_label = getattr(tasks, "buy_label", None)
        if buy_label is None:
            self.message_user(
                request,
                "Label buying is not set up in this shop; buy the labels on the "
                "carrier's site and use “Mark shipped” with their tracking numbers.",
                messages.WARNING,
            )
            return None
        if "confirm" not in request.POST:
            shipment_ids = list(queryset.values_list("pk", flat=True))
            try:
                plan = label_batch.plan_label_batch(shipment_ids=shipment_ids)
            except label_batch.LabelBatchError as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            if plan.to_buy:
                return self._confirm_label_batch(request, plan, action="buy_labels")
        numbers = [shipment.number for shipment in queryset]
        for shipment in queryset:
            send_task(buy_label, shipment.pk)
        self.message_user(
            request, f"Buying labels for {', '.join(numbers)}.", messages.SUCCESS
        )
        return None

    @admin.action(
        description="Print labels for selected shipments", permissions=["change"]
    )
    def print_label_batch(self, request, queryset):
        shipment_ids = list(
            queryset.order_by("created_at", "pk").values_list("pk", flat=True)
        )
        try:
            if "confirm" not in request.POST:
                plan = label_batch.plan_label_batch(shipment_ids=shipment_ids)
                if plan.to_buy:
                    return self._confirm_label_batch(
                        request, plan, action="print_label_batch"
                    )
            job = label_batch.start_label_batch(
                shipment_ids=shipment_ids, user=request.user
            )
        except label_batch.LabelBatchError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        message = format_html(
            '{} started. Follow it on <a href="{}">Files and long actions</a>. '
            "You also get an email with the PDF's link when it is done.",
            job.title,
            reverse("admin:shop_staffjob_changelist"),
        )
        self.message_user(request, message, messages.SUCCESS)
        return None

    def _confirm_label_batch(
        self, request: HttpRequest, plan: label_batch.LabelBatchPlan, *, action: str
    ) -> TemplateResponse:
        """Show what `action` would buy; nothing is bought until confirmed."""
        shipments = [
            *(label.shipment for label in plan.to_buy),
            *plan.reprinted,
            *plan.unlabelled,
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": LABEL_ACTION_TITLES[action],
            "action_name": action,
            "opts": Shipment._meta,
            "plan": plan,
            "summary": label_batch_summary(plan),
            "shipment_ids": sorted(shipment.pk for shipment in shipments),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/fulfillment/shipment/confirm_label_batch.html", context
        )

    @admin.action(description="Mark packed")
    def mark_packed(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda shipment: services.mark_packed(shipment=shipment, user=request.user),
            done="Packed",
        )

    @admin.action(description="Mark shipped…")
    def mark_shipped(self, request, queryset):
        shipments = list(queryset.order_by("created_at", "pk"))
        forms = [
            ShipForm(
                request.POST if "apply" in request.POST else None,
                prefix=f"shipment-{shipment.pk}",
                shipment=shipment,
            )
            for shipment in shipments
        ]
        if "apply" not in request.POST or not all(form.is_valid() for form in forms):
            context = {
                **self.admin_site.each_context(request),
                "title": "Mark shipped",
                "opts": Shipment._meta,
                "forms": forms,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/fulfillment/shipment/mark_shipped.html", context
            )
        for form in forms:
            self._apply_one(
                request,
                form.shipment,
                lambda shipment, form=form: services.mark_shipped(
                    shipment=shipment, user=request.user, **form.cleaned_data
                ),
                done="Shipped",
            )
        return None

    @admin.action(description="Merge into one shipment")
    def merge_shipments(self, request, queryset):
        try:
            merged = services.merge_shipments(shipments=queryset, user=request.user)
        except SERVICE_ERRORS as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(
            request, f"Merged into shipment {merged.number}.", messages.SUCCESS
        )

    def split_view(self, request: HttpRequest, shipment_id: int) -> HttpResponse:
        """Show a shipment's units, then move those entered to a new one."""
        shipment = get_object_or_404(shipment_queue(), pk=shipment_id)
        if not self.has_change_permission(request, shipment):
            return redirect("admin:fulfillment_shipment_change", shipment.pk)
        lines = list(shipment.lines.select_related("order_line"))
        form = SplitForm(lines, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                new_shipment = services.split_shipment(
                    shipment=shipment, quantities=form.quantities(), user=request.user
                )
            except SERVICE_ERRORS as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    f"Moved the units to new shipment {new_shipment.number}.",
                    messages.SUCCESS,
                )
                return redirect("admin:fulfillment_shipment_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Split shipment {shipment.number}",
            "opts": Shipment._meta,
            "shipment": shipment,
            "form": form,
        }
        return TemplateResponse(
            request, "admin/fulfillment/shipment/split.html", context
        )

    def _apply(self, request, queryset, service, *, done: str) -> None:
        for shipment in queryset.order_by("created_at", "pk"):
            self._apply_one(request, shipment, service, done=done)

    def _apply_one(self, request, shipment, service, *, done: str) -> None:
        try:
            service(shipment)
        except SERVICE_ERRORS as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request, f"{done}: shipment {shipment.number}.", messages.SUCCESS
            )


def label_batch_summary(plan: label_batch.LabelBatchPlan) -> str:
    """Return how many labels printing would buy, from whom, at what cost."""
    count = len(plan.to_buy)
    if plan.carrier == labels.SHOP_LABEL:
        text = f"{count} of the shop's own labels will be made now"
    else:
        noun = "label" if count == 1 else "labels"
        text = f"{count} {noun} will be bought now from Canada Post"
    text += f", at an estimated {format_money(plan.estimated_total)} before tax"
    unknown = [shipment.number for shipment in plan.without_estimate]
    if unknown:
        text += (
            f" for the {count - len(unknown)} with an estimate; no estimate for "
            f"{', '.join(unknown)}"
        )
    return text + "."


def shipment_summary_html(shipments: list[Shipment]) -> str:
    """Return a paragraph per shipment: number, status, units, tracking."""
    rows = []
    for shipment in shipments:
        contents = ", ".join(
            f"{line.quantity} x {line.order_line.sku}" for line in shipment.lines.all()
        )
        url = reverse("admin:fulfillment_shipment_change", args=[shipment.pk])
        status = shipment.get_status_display()
        rows.append((url, shipment.number, status, contents, _tracking_html(shipment)))
    return format_html_join("", '<p><a href="{}">{}</a> · {} · {}{}</p>', rows)


def _tracking_html(shipment: Shipment) -> str:
    if not shipment.tracking_number:
        return ""
    url = tracking_url(shipment)
    if not url:
        return format_html(" · {} {}", shipment.carrier, shipment.tracking_number)
    return format_html(
        ' · <a href="{}" target="_blank" rel="noopener">{}</a>',
        url,
        shipment.tracking_number,
    )
