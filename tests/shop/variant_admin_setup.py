"""Helpers for posting the admin's variant change form."""


def variant_change_data(variant, **changes):
    """Return the variant change form's fields as posted, with `changes`."""
    data = {
        "sku": variant.sku,
        "size": variant.size,
        "colour": variant.colour,
        "price": str(variant.price),
        "barcode": variant.barcode,
        "weight_g": "",
        "length_cm": "",
        "width_cm": "",
        "height_cm": "",
        "is_active": "on",
    }
    data.update(changes)
    return data
