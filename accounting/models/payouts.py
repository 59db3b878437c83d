"""Stripe payouts and the balance transactions each one settled."""

from django.db import models

from shop.money import MoneyField


class Payout(models.Model):
    """Money Stripe sent from the shop's Stripe balance to its bank."""

    stripe_payout_id = models.CharField(max_length=255, unique=True)
    amount = MoneyField()
    arrival_date = models.DateField()
    status = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-arrival_date", "-id"]

    def __str__(self) -> str:
        return f"Payout {self.stripe_payout_id} {self.amount}"


class PayoutItem(models.Model):
    """One balance transaction (a charge, refund or fee) inside a payout."""

    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="items")
    stripe_balance_transaction_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=30)
    payment = models.ForeignKey(
        "orders.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payout_items",
    )
    gross_amount = MoneyField()
    fee_amount = MoneyField()
    net_amount = MoneyField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type} {self.net_amount}"
