from decimal import Decimal

import factory

from shop.models import Category, Customer, Product, TaxClass, Variant


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    default_weight_g = 500
    default_length_cm = Decimal("30.0")
    default_width_cm = Decimal("25.0")
    default_height_cm = Decimal("5.0")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        parent = kwargs.pop("parent", None)
        if parent is not None:
            return model_class.objects.add_child(parent, kwargs)
        return model_class.objects.add_root(kwargs)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    category = factory.SubFactory(CategoryFactory)
    sku = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    tax_class = TaxClass.STANDARD

    class Params:
        book = factory.Trait(tax_class=TaxClass.PRINTED_BOOK)
        zero_rated = factory.Trait(tax_class=TaxClass.ZERO_RATED)


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"V{n:05d}")
    price = Decimal("52.00")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = "Avery"
    last_name = "Tremblay"
