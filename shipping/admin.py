from django.contrib import admin

from shipping.models import PackagingBox


@admin.register(PackagingBox)
class PackagingBoxAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "inner_length_cm",
        "inner_width_cm",
        "inner_height_cm",
        "empty_weight_g",
        "max_weight_g",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "is_active"]}),
        (
            "Inside, for packing (cm)",
            {"fields": ["inner_length_cm", "inner_width_cm", "inner_height_cm"]},
        ),
        (
            "Outside, for carrier rates (cm)",
            {"fields": ["outer_length_cm", "outer_width_cm", "outer_height_cm"]},
        ),
        ("Weight (g)", {"fields": ["empty_weight_g", "max_weight_g"]}),
    ]
