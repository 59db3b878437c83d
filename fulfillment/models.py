"""Shipments: the parcels a paid order leaves in, and what is in each."""

from django.db import models

from orders.models import Order, OrderLine
from shipping.models import PackagingBox
from shop.money import MoneyField


def label_upload_path(shipment: "Shipment", filename: str) -> str:
    return f"labels/{shipment.number}.pdf"


def packing_slip_upload_path(shipment: "Shipment", filename: str) -> str:
    return f"packing-slips/{shipment.number}.pdf"


class Shipment(models.Model):
    """A parcel handed to a carrier, with the order lines it carries."""

    class Status(models.TextChoices):
        READY = "ready", "Ready to pack"
        PACKED = "packed", "Packed"
        LABELLED = "labelled", "Labelled"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=30, unique=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.READY, db_index=True
    )
    box = models.ForeignKey(
        PackagingBox, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    weight_g = models.PositiveIntegerField(
        null=True, blank=True, help_text="Packed weight, box included."
    )
    length_cm = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True
    )
    width_cm = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True
    )
    height_cm = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True
    )

    carrier = models.CharField(max_length=30, blank=True)
    service_code = models.CharField(max_length=30, blank=True)
    service_name = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=40, blank=True, db_index=True)
    carrier_shipment_id = models.CharField(max_length=50, blank=True)
    label_refund_link = models.URLField(max_length=500, blank=True)
    label_pdf = models.FileField(upload_to=label_upload_path, blank=True)
    label_cost_amount = MoneyField(null=True, blank=True)
    label_tax_amount = MoneyField(null=True, blank=True)
    packing_slip_pdf = models.FileField(upload_to=packing_slip_upload_path, blank=True)
    last_error = models.TextField(
        blank=True, help_text="Why the last label or carrier call failed."
    )

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    packed_at = models.DateTimeField(null=True, blank=True)
    labelled_at = models.DateTimeField(null=True, blank=True)
    label_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set while a label is being bought; left set if the purchase "
        "was interrupted.",
    )
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    tracking_checked_at = models.DateTimeField(null=True, blank=True)
    tracking_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Shipment {self.number}"

    @staticmethod
    def new_number(order: Order, sequence: int) -> str:
        return f"{order.number}-{sequence}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "order_line"], name="shipment_line_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="shipment_line_quantity_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.order_line.sku}"


class TrackingEvent(models.Model):
    """One scan of a parcel reported by the carrier's tracking."""

    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="tracking_events"
    )
    occurred_at = models.DateTimeField()
    code = models.CharField(max_length=20, blank=True)
    description = models.CharField(max_length=255)
    location = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "occurred_at", "code"],
                name="tracking_event_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.description}"
