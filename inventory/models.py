from django.conf import settings
from django.db import models

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


class Stock(models.Model):
    """Units of one variant on hand at the shop.

    The quantity always equals the sum of the variant's stock movements. The
    value equals the sum of their values plus the cost corrections of
    supplier bills (SupplierBillLine.stock_value_change), which move no
    units. The unit cost is value divided by quantity.
    """

    variant = models.OneToOneField(
        Variant, on_delete=models.PROTECT, related_name="stock"
    )
    quantity_on_hand = models.IntegerField(default=0)
    value_amount = MoneyField(
        default=0, help_text="Cost value of the units on hand, in CAD."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "stock"
        constraints = [
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


class StockMovement(models.Model):
    """One append-only change of a variant's quantity on hand."""

    class Kind(models.TextChoices):
        OPENING = "opening", "Opening stock"
        RECEIPT = "receipt", "Receipt"
        SALE = "sale", "Sale"
        RETURN = "return", "Return to stock"
        ADJUSTMENT = "adjustment", "Adjustment"

    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    quantity = models.IntegerField(help_text="Units in (positive) or out (negative).")
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
                condition=~models.Q(quantity=0), name="stock_movement_not_zero"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+d} {self.stock.variant.sku}"
