import factory

from inventory.models import Stock, Supplier

from .shop import VariantFactory


class StockFactory(factory.django.DjangoModelFactory):
    """Stock for a new variant. Set quantities through inventory services in
    tests that check the movement ledger."""

    class Meta:
        model = Stock

    variant = factory.SubFactory(VariantFactory)
    quantity_on_hand = 10


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")
    email = factory.Sequence(lambda n: f"orders{n}@supplier.example")
