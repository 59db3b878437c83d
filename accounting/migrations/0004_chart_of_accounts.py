from django.db import migrations


def create_chart(apps, schema_editor):
    from accounting.chart import CHART_OF_ACCOUNTS

    Account = apps.get_model("accounting", "Account")
    for key, code, name, account_type, province in CHART_OF_ACCOUNTS:
        Account.objects.get_or_create(
            key=key,
            defaults={
                "code": code,
                "name": name,
                "type": account_type,
                "province": province,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounting", "0003_ledger_credit_notes_bills_payouts")]

    operations = [migrations.RunPython(create_chart, migrations.RunPython.noop)]
