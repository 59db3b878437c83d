import factory

from inventory.models import Stock

from .shop import VariantFactory


class StockFactory(factory.django.DjangoModelFactory):
    """Stock for a new variant. Set quantities through inventory services in
    tests that check the movement ledger."""

    class Meta:
        model = Stock

    variant = factory.SubFactory(VariantFactory)
    quantity_on_hand = 10
