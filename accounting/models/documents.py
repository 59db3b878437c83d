from django.db import models

from orders.models import Order
from shop.money import MoneyField


def invoice_upload_path(invoice: "Invoice", filename: str) -> str:
    return f"invoices/{invoice.issued_at:%Y/%m}/invoice-{invoice.number}.pdf"


class Invoice(models.Model):
    """The tax invoice for an order, numbered without gaps when issued."""

    number = models.PositiveBigIntegerField(unique=True)
    order = models.OneToOneField(
        Order, on_delete=models.PROTECT, related_name="invoice"
    )
    issued_at = models.DateTimeField()
    subtotal_amount = MoneyField()
    shipping_amount = MoneyField()
    tax_amount = MoneyField()
    total_amount = MoneyField()
    paid_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to=invoice_upload_path, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    email_attempts = models.PositiveIntegerField(default=0)
    last_email_error = models.TextField(blank=True)
    email_claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A worker is sending the email; others leave it alone until then.",
    )

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Invoice {self.number}"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None
