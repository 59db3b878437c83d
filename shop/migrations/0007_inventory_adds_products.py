"""Let the Inventory role add products and variants, which the product CSV
import needs, by re-running create_roles with the current role table."""

import importlib

from django.db import migrations

staff_roles = importlib.import_module("shop.migrations.0003_staff_roles")


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0006_address_updated_at_webhook_due_index"),
        ("orders", "0006_payment_refund_updated_at"),
    ]

    operations = [
        migrations.RunPython(staff_roles.create_roles, migrations.RunPython.noop)
    ]
