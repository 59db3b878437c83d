"""Give the staff roles the permissions of the models added since the roles
were created (history, staff jobs, webhooks)."""

import importlib

from django.db import migrations

staff_roles = importlib.import_module("shop.migrations.0003_staff_roles")


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0004_customer_consent_history_jobs_webhooks"),
        ("inventory", "0004_stock_history"),
        ("orders", "0005_order_history"),
        ("fulfillment", "0003_shipment_updated_at"),
    ]

    operations = [
        migrations.RunPython(staff_roles.create_roles, migrations.RunPython.noop)
    ]
