import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from localflavor.ca.ca_provinces import PROVINCE_CHOICES
from simple_history.models import HistoricalRecords

from shop.models import Customer, TaxClass, Variant
from shop.money import MoneyField


def new_access_token() -> str:
    return secrets.token_urlsafe(24)


class Order(models.Model):
    """A customer's order, with the amounts as charged at checkout."""

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", "Awaiting payment"
        PAID = "paid", "Paid"
        PARTLY_SHIPPED = "partly_shipped", "Partly shipped"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Channel(models.TextChoices):
        ONLINE = "online", "Online"
        IN_STORE = "in_store", "In store"
        PHONE = "phone", "Phone"

    class ShippingPreference(models.TextChoices):
        SHIP_AVAILABLE = "ship_available", "Ship what is in stock now"
        SHIP_TOGETHER = "ship_together", "Wait and ship everything together"

    number = models.PositiveBigIntegerField(unique=True)
    access_token = models.CharField(
        max_length=64, unique=True, default=new_access_token, editable=False
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="orders"
    )
    email = models.EmailField()
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.PENDING_PAYMENT,
        db_index=True,
    )
    channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.ONLINE, db_index=True
    )
    shipping_preference = models.CharField(
        max_length=20,
        choices=ShippingPreference.choices,
        default=ShippingPreference.SHIP_AVAILABLE,
        help_text="What the customer chose for lines on backorder.",
    )
    client_key = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="Key a counter or terminal sends so a retried sale is kept once.",
    )
    cash_rounding_amount = MoneyField(
        default=0,
        help_text="Cash total rounded to the nickel, less the total before it.",
    )

    ship_name = models.CharField("name", max_length=200)
    ship_company = models.CharField("company", max_length=200, blank=True)
    ship_line1 = models.CharField("address", max_length=200)
    ship_line2 = models.CharField("address line 2", max_length=200, blank=True)
    ship_city = models.CharField("city", max_length=100)
    ship_province = models.CharField("province", max_length=2, choices=PROVINCE_CHOICES)
    ship_postal_code = models.CharField("postal code", max_length=7)
    ship_phone = models.CharField("phone", max_length=32, blank=True)

    shipping_method = models.CharField(max_length=50)
    shipping_method_name = models.CharField(max_length=100)
    subtotal_amount = MoneyField(help_text="Goods before tax.")
    shipping_amount = MoneyField(help_text="Shipping charge before tax.")
    tax_amount = MoneyField(help_text="All sales taxes on goods and shipping.")
    total_amount = MoneyField(help_text="What the customer pays.")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-number"]
        # The dashboard sums sales by the day an order was paid.
        indexes = [models.Index(fields=["paid_at"], name="order_paid_at_idx")]

    def __str__(self) -> str:
        return f"Order {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("orders:status", kwargs={"token": self.access_token})

    @property
    def is_paid(self) -> bool:
        """Whether the order has been paid, whatever happened to it since."""
        return self.status in PAID_STATUSES


PAID_STATUSES = frozenset(
    {
        Order.Status.PAID,
        Order.Status.PARTLY_SHIPPED,
        Order.Status.SHIPPED,
        Order.Status.DELIVERED,
        Order.Status.COMPLETED,
    }
)


class OrderLine(models.Model):
    """One product on an order, with SKU, name, price and tax as sold."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        Variant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Indexed for the order list's search by SKU.
    sku = models.CharField("SKU", max_length=64, db_index=True)
    name = models.CharField(max_length=255)
    options = models.CharField(max_length=100, blank=True)
    tax_class = models.CharField(max_length=20, choices=TaxClass.choices)
    quantity = models.PositiveIntegerField()
    unit_price = MoneyField()
    subtotal_amount = MoneyField(help_text="Unit price times quantity.")
    tax_amount = MoneyField(help_text="This line's share of the order's taxes.")
    quantity_allocated = models.PositiveIntegerField(
        default=0, help_text="Units held on the shelf for this line, not shipped."
    )
    quantity_backordered = models.PositiveIntegerField(
        default=0, help_text="Units waiting for stock to arrive."
    )
    quantity_shipped = models.PositiveIntegerField(default=0)
    quantity_oversold = models.PositiveIntegerField(
        default=0,
        help_text="Units sold out when paid; staff refund or backorder them.",
    )
    backordered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the line started waiting for stock."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="order_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    quantity__gte=models.F("quantity_allocated")
                    + models.F("quantity_backordered")
                    + models.F("quantity_shipped")
                    + models.F("quantity_oversold")
                ),
                name="order_line_quantities_within_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class OrderTax(models.Model):
    """One sales tax charged on an order (GST, HST, PST, RST, QST)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="taxes")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=50)
    rate = models.DecimalField(max_digits=7, decimal_places=5)
    taxable_amount = MoneyField(help_text="Goods and shipping this tax applies to.")
    amount = MoneyField()
    shipping_amount = MoneyField(help_text="Part of the amount charged on shipping.")

    class Meta:
        verbose_name = "order tax"
        verbose_name_plural = "order taxes"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "code"], name="order_tax_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


class Payment(models.Model):
    """A card payment for an order, through one Stripe PaymentIntent."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        REQUIRES_ACTION = "requires_action", "Requires authentication"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Method(models.TextChoices):
        CARD_ONLINE = "card_online", "Card (online)"
        CASH = "cash", "Cash"
        DEBIT = "debit", "Debit (terminal)"
        CARD_TERMINAL = "card_terminal", "Credit card (terminal)"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(
        max_length=20, choices=Method.choices, default=Method.CARD_ONLINE
    )
    stripe_payment_intent_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True
    )
    amount_tendered = MoneyField(
        null=True, blank=True, help_text="Cash handed over, for change."
    )
    amount = MoneyField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING
    )
    stripe_charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    fee_amount = MoneyField(
        null=True, blank=True, help_text="Stripe's processing fee, once known."
    )
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.stripe_payment_intent_id} ({self.status})"


class Refund(models.Model):
    """Money given back to a customer on a card payment.

    A refund made from the back office and the same refund reported by
    Stripe's webhook share `stripe_refund_id`, so it is recorded once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds"
    )
    stripe_refund_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True
    )
    amount = MoneyField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="refund_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Refund {self.amount} on order {self.order.number}"


class StripeEvent(models.Model):
    """A Stripe webhook event already handled, kept so a replay is ignored."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
