from django.conf import settings
from django.db import models

from shop.models import Variant


class Stock(models.Model):
    """Units of one variant on hand at the shop.

    The quantity always equals the sum of the variant's stock movements.
    """

    variant = models.OneToOneField(
        Variant, on_delete=models.PROTECT, related_name="stock"
    )
    quantity_on_hand = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "stock"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity_on_hand__gte=0),
                name="stock_on_hand_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant.sku}: {self.quantity_on_hand}"


class StockMovement(models.Model):
    """One append-only change of a variant's quantity on hand."""

    class Kind(models.TextChoices):
        OPENING = "opening", "Opening stock"
        SALE = "sale", "Sale"
        ADJUSTMENT = "adjustment", "Adjustment"

    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    quantity = models.IntegerField(help_text="Units in (positive) or out (negative).")
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
