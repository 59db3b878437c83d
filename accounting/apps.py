from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate


class AccountingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounting"

    def ready(self) -> None:
        post_migrate.connect(restore_chart_of_accounts, sender=self)


def restore_chart_of_accounts(*, apps=None, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Create each account of the starting chart whose key is missing.

    Migration 0004 creates the chart once. A database flush (manage.py
    flush, or Django's test runner between transactional tests) empties it
    and then sends post_migrate, so the posting rules find their accounts
    again. Accounts staff renamed or renumbered are left as they are.
    """
    from accounting.chart import CHART_OF_ACCOUNTS

    # flush sends post_migrate without the migration state's apps.
    apps = apps or global_apps
    try:
        account_model = apps.get_model("accounting", "Account")
    except LookupError:  # Migrating backwards, before the ledger existed.
        return
    existing = set(account_model.objects.using(using).values_list("key", flat=True))
    account_model.objects.using(using).bulk_create(
        account_model(
            key=key, code=code, name=name, type=account_type, province=province
        )
        for key, code, name, account_type, province in CHART_OF_ACCOUNTS
        if key not in existing
    )
