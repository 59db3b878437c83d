"""Create the staff role groups of shop.roles with their permissions.

Permissions are created here first (Django otherwise creates them after
all migrations), so the groups are complete on a fresh database. Groups
and permissions already present are kept: running it again changes nothing,
so a later migration re-runs create_roles to apply a changed role table.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from shop.roles import MANAGER, PROJECT_APPS, ROLE_PERMISSIONS


def create_all_permissions(apps) -> None:
    for label in ("auth", *PROJECT_APPS):
        app_config = apps.get_app_config(label)
        # Historical app configs have no models module, which
        # create_permissions takes as "nothing to do".
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = models_module


def model_exists(apps, app_label, codename) -> bool:
    model_name = codename.partition("_")[2]
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True


def find_permissions(apps, Permission, labels):
    """Return the permissions named by `labels`.

    A permission of a model that a later migration creates is skipped: the
    later migration that re-runs create_roles adds it. Any other missing
    permission is a typo in shop.roles and raises LookupError.
    """
    wanted = {
        tuple(label.split("."))
        for label in labels
        if model_exists(apps, *label.split("."))
    }
    found = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in Permission.objects.select_related("content_type")
    }
    missing = sorted(".".join(key) for key in wanted - found.keys())
    if missing:
        raise LookupError(f"Permissions not found: {', '.join(missing)}.")
    return [found[key] for key in sorted(wanted)]


def create_roles(apps, schema_editor) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    create_all_permissions(apps)
    for name, labels in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*find_permissions(apps, Permission, labels))
    manager = Group.objects.get(name=MANAGER)
    manager.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=PROJECT_APPS)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("shop", "0002_variant_unit_cost"),
        ("inventory", "0003_locations_allocation_purchase_orders"),
        ("orders", "0004_allocation_channels_in_store_payments"),
        ("shipping", "0001_initial"),
        ("fulfillment", "0002_shipment_label_requested_at"),
        ("accounting", "0006_bill_line_stock_value_change"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
