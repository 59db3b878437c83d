"""manage.py load_demo_boxes: a few packaging boxes for the demo shop."""

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from shipping.models import PackagingBox

# Single-wall corrugated boxes in common stock sizes. The walls add about
# 0.6 cm to each outer side, and the max weights stay within Canada Post's
# 30 kg limit for one parcel.
DEMO_BOXES = [
    {
        "name": "Small",
        "inner": ("25", "20", "10"),
        "outer": ("25.6", "20.6", "10.6"),
        "empty_weight_g": 150,
        "max_weight_g": 10000,
    },
    {
        "name": "Medium",
        "inner": ("35", "25", "15"),
        "outer": ("35.6", "25.6", "15.6"),
        "empty_weight_g": 300,
        "max_weight_g": 20000,
    },
    {
        "name": "Large",
        "inner": ("45", "35", "25"),
        "outer": ("45.6", "35.6", "25.6"),
        "empty_weight_g": 500,
        "max_weight_g": 25000,
    },
    {
        "name": "Book carton",
        "inner": ("60", "45", "25"),
        "outer": ("60.6", "45.6", "25.6"),
        "empty_weight_g": 800,
        "max_weight_g": 30000,
    },
]


class Command(BaseCommand):
    help = (
        "Create or update the demo packaging boxes (Small, Medium, Large, "
        "Book carton) by name. Running it again changes nothing, and boxes "
        "with other names are left alone."
    )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            for spec in DEMO_BOXES:
                box, created = PackagingBox.objects.update_or_create(
                    name=spec["name"], defaults=_box_fields(spec)
                )
                action = "Created" if created else "Updated"
                self.stdout.write(f"{action} packaging box {box}.")


def _box_fields(spec: dict) -> dict:
    inner_length, inner_width, inner_height = (Decimal(s) for s in spec["inner"])
    outer_length, outer_width, outer_height = (Decimal(s) for s in spec["outer"])
    return {
        "inner_length_cm": inner_length,
        "inner_width_cm": inner_width,
        "inner_height_cm": inner_height,
        "outer_length_cm": outer_length,
        "outer_width_cm": outer_width,
        "outer_height_cm": outer_height,
        "empty_weight_g": spec["empty_weight_g"],
        "max_weight_g": spec["max_weight_g"],
        "is_active": True,
    }
