"""manage.py load_demo: the demo catalog, stock and a staff login."""

import os
import secrets
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from shop.demo_data import load_demo_catalog
from shop.money import format_money

DEMO_ADMIN_USERNAME = "admin"
DEMO_ADMIN_EMAIL = "admin@example.com"


class Command(BaseCommand):
    help = (
        "Load the demo catalogs (Luma apparel and gear, django-oscar books), "
        "give their categories default packaging and every variant opening "
        "stock, add the demo packaging boxes, and print a staff login. "
        "Running it again changes nothing but the login's password. The "
        "password is DEMO_ADMIN_PASSWORD from the environment, or a new "
        "random one."
    )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        # Read at run time, not in settings: only this demo command uses it.
        password = os.environ.get("DEMO_ADMIN_PASSWORD") or secrets.token_urlsafe(12)

        with transaction.atomic():
            user = reset_demo_admin(password)
            result = load_demo_catalog(user=user)

        for file_name, report in result.imports.items():
            self.stdout.write(f"{file_name}:")
            for line in report.lines():
                self.stdout.write(f"  {line}")
        self.stdout.write(
            f"Default packaging set on {result.categories_packaged} categories."
        )
        self.stdout.write(
            f"Unit cost set to 45% of the price on {result.unit_costs_set} variants."
        )
        self.stdout.write(
            f"Opening stock set for {result.stock_rows_created} variants."
        )
        self.stdout.write(
            "Demo stock on hand is worth "
            f"{format_money(result.opening_stock_value)} at cost."
        )
        call_command("load_demo_boxes", stdout=self.stdout)
        self.stdout.write(f"Loaded in {time.perf_counter() - started:.1f} s.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Staff login: username {user.get_username()}, password {password}"
            )
        )


def reset_demo_admin(password: str) -> User:
    """Create the demo superuser, or restore its rights, with `password`."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=DEMO_ADMIN_USERNAME, defaults={"email": DEMO_ADMIN_EMAIL}
    )
    user.is_staff = True
    user.is_superuser = True
    user.is_active = True
    user.set_password(password)
    user.save()
    return user
