"""Packaging and the record of every call to a carrier.

These models hold plain values and point at no other app, so the shipping
rules stay usable on their own.
"""

from django.db import models


class PackagingBox(models.Model):
    """A box the shop packs parcels in.

    Items are placed against the inner dimensions; carriers rate the outer
    ones.
    """

    name = models.CharField(max_length=100, unique=True)
    inner_length_cm = models.DecimalField(max_digits=6, decimal_places=1)
    inner_width_cm = models.DecimalField(max_digits=6, decimal_places=1)
    inner_height_cm = models.DecimalField(max_digits=6, decimal_places=1)
    outer_length_cm = models.DecimalField(max_digits=6, decimal_places=1)
    outer_width_cm = models.DecimalField(max_digits=6, decimal_places=1)
    outer_height_cm = models.DecimalField(max_digits=6, decimal_places=1)
    empty_weight_g = models.PositiveIntegerField(help_text="The box itself.")
    max_weight_g = models.PositiveIntegerField(
        help_text="Heaviest load the box takes, contents and box together."
    )
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "packaging boxes"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(inner_length_cm__gt=0)
                    & models.Q(inner_width_cm__gt=0)
                    & models.Q(inner_height_cm__gt=0)
                ),
                name="box_inner_dimensions_positive",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(outer_length_cm__gte=models.F("inner_length_cm"))
                    & models.Q(outer_width_cm__gte=models.F("inner_width_cm"))
                    & models.Q(outer_height_cm__gte=models.F("inner_height_cm"))
                ),
                name="box_outer_not_smaller_than_inner",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.name} ({self.inner_length_cm:g} x {self.inner_width_cm:g} x "
            f"{self.inner_height_cm:g} cm)"
        )


class CarrierCall(models.Model):
    """One request to a carrier's API and what came back, for staff to see."""

    carrier = models.CharField(max_length=30, default="canadapost")
    operation = models.CharField(max_length=50, help_text="For example get_rates.")
    method = models.CharField(max_length=10)
    url = models.CharField(max_length=500)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    error = models.TextField(blank=True, help_text="The carrier's own message.")
    request_body = models.TextField(blank=True)
    response_body = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    attempt = models.PositiveSmallIntegerField(default=1)
    reference = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="Shipment or order."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        outcome = "ok" if self.succeeded else "failed"
        return f"{self.carrier} {self.operation} {outcome}"
