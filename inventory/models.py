from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from shop.models import Variant
from shop.money import MoneyField


class Supplier(models.Model):
    """A company the shop buys stock from."""

    name = models.CharField(max_length=200, unique=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    lead_time_days = models.PositiveIntegerField(
        default=10, help_text="Business days from ordering to receiving."
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


DEFAULT_LOCATION_CODE = "shop"


class Location(models.Model):
    """A place stock is kept: the shop now, a warehouse later."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    is_default = models.BooleanField(
        default=False, help_text="Where online orders and counter sales take from."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_location",
            ),
        ]

    def __str__(self) -> str:
        return self.name


def default_location_id() -> int:
    """Return the id of the default location, creating it on a new database."""
    location = Location.objects.filter(is_default=True).first()
    if location is None:
        location, _ = Location.objects.get_or_create(
            code=DEFAULT_LOCATION_CODE, defaults={"name": "Shop", "is_default": True}
        )
    return location.pk


class Stock(models.Model):
    """Units of one variant at one location: on hand, and allocated to paid
    orders that have not shipped yet.

    Available is on hand less allocated; backorders live on order lines,
    never as negative stock. Both quantities always equal the sums of the
    stock's movements. The
    value equals the sum of their values plus the cost corrections of
    supplier bills (SupplierBillLine.stock_value_change), which move no
    units. The unit cost is value divided by quantity.
    """

    variant = models.ForeignKey(
        Variant, on_delete=models.PROTECT, related_name="stock_levels"
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="stock_levels",
        default=default_location_id,
    )
    quantity_on_hand = models.IntegerField(default=0)
    quantity_allocated = models.IntegerField(
        default=0, help_text="Units promised to paid orders, still on the shelf."
    )
    value_amount = MoneyField(
        default=0, help_text="Cost value of the units on hand, in CAD."
    )
    bin_location = models.CharField(
        max_length=30, blank=True, help_text="Shelf or bin, printed on packing slips."
    )
    supplier = models.ForeignKey(
        Supplier,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stock_levels",
    )
    reorder_point = models.PositiveIntegerField(
        default=0, help_text="Reorder when the position falls to this many units."
    )
    reorder_quantity = models.PositiveIntegerField(
        default=0, help_text="Order in multiples of this many units."
    )
    backorderable = models.BooleanField(
        default=True,
        help_text="Keep selling when none are available; otherwise sold out.",
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Records changes of the stock's settings (bin, supplier, reorder
    # levels). Quantities and value change only through StockMovement rows,
    # written with UPDATE ... F(), which are their own history.
    history = HistoricalRecords(
        excluded_fields=[
            "quantity_on_hand",
            "quantity_allocated",
            "value_amount",
            "updated_at",
        ]
    )

    class Meta:
        verbose_name_plural = "stock"
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "location"], name="stock_unique_variant_location"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_allocated__gte=0),
                name="stock_allocated_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    quantity_allocated__lte=models.F("quantity_on_hand")
                ),
                name="stock_allocated_within_on_hand",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_on_hand__gte=0),
                name="stock_on_hand_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(value_amount__gte=0),
                name="stock_value_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_on_hand__gt=0) | models.Q(value_amount=0),
                name="stock_value_zero_when_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant.sku}: {self.quantity_on_hand}"

    @property
    def quantity_available(self) -> int:
        return self.quantity_on_hand - self.quantity_allocated


class StockMovement(models.Model):
    """One append-only change of a stock's quantity on hand or allocated.

    SALE took goods out at payment before allocation existed; paid online
    orders now allocate at payment and take goods out with SHIPMENT.
    """

    class Kind(models.TextChoices):
        OPENING = "opening", "Opening stock"
        RECEIPT = "receipt", "Receipt"
        ALLOCATION = "allocation", "Allocation"
        RELEASE = "release", "Release"
        SHIPMENT = "shipment", "Shipment"
        SALE = "sale", "Sale"
        IN_STORE_SALE = "in_store_sale", "In-store sale"
        RETURN = "return", "Return to stock"
        ADJUSTMENT = "adjustment", "Adjustment"
        STOCKTAKE = "stocktake", "Stocktake"

    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    quantity = models.IntegerField(
        default=0, help_text="Units on hand in (positive) or out (negative)."
    )
    quantity_allocated_change = models.IntegerField(
        default=0, help_text="Units allocated (positive) or released (negative)."
    )
    value_amount = MoneyField(
        default=0, help_text="Cost value in (positive) or out (negative), in CAD."
    )
    reason = models.CharField(max_length=255, blank=True)
    reference = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text="Order number or other document the change belongs to.",
    )
    purchase_order_line = models.ForeignKey(
        "PurchaseOrderLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(quantity=0, quantity_allocated_change=0),
                name="stock_movement_not_zero",
            ),
        ]

    def __str__(self) -> str:
        units = self.quantity or self.quantity_allocated_change
        return f"{self.get_kind_display()} {units:+d} {self.stock.variant.sku}"


class PurchaseOrder(models.Model):
    """An order for stock placed with a supplier."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        PARTLY_RECEIVED = "partly_received", "Partly received"
        RECEIVED = "received", "Received"
        CANCELLED = "cancelled", "Cancelled"

    # Statuses whose lines still count as stock on its way.
    OPEN_STATUSES = (Status.DRAFT, Status.SENT, Status.PARTLY_RECEIVED)

    number = models.PositiveBigIntegerField(unique=True)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchase_orders"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    expected_date = models.DateField(
        null=True, blank=True, help_text="When the goods should arrive."
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"PO {self.number} ({self.supplier})"


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines"
    )
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    quantity_ordered = models.PositiveIntegerField()
    quantity_received = models.PositiveIntegerField(default=0)
    unit_cost = MoneyField(help_text="Price per unit agreed with the supplier.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["purchase_order", "variant"], name="po_line_unique_variant"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_ordered__gte=1),
                name="po_line_quantity_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_received__lte=models.F("quantity_ordered")),
                name="po_line_not_over_received",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity_ordered} x {self.variant.sku}"

    @property
    def quantity_outstanding(self) -> int:
        return self.quantity_ordered - self.quantity_received


class ReportRun(models.Model):
    """A nightly report sent for one business day, so it is sent once."""

    class Report(models.TextChoices):
        BACKORDERS = "backorders", "Backorder report"
        REORDER = "reorder", "Reorder report"

    report = models.CharField(max_length=20, choices=Report.choices)
    business_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField(blank=True)

    class Meta:
        ordering = ["-business_date", "report"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "business_date"], name="report_run_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_report_display()} for {self.business_date}"
