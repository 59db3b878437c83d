"""Change history pages of the admin, built on django-simple-history.

A model with `history = HistoricalRecords()` gets a History page on its
admin when the admin class inherits ChangeHistoryAdmin. Each entry shows
who made the change (the signed-in staff member, recorded by
HistoryRequestMiddleware, or "system" for an import, task or command), when,
and every field that changed with its old and new value. Money reads as
"$12.50", choices by their labels, yes/no fields as "yes" or "no" and times
in the shop's time zone. The oldest entry lists the values the object
started with, because it has no earlier entry to compare with. Saving a form
without changes records no entry.

The pages only show history. django-simple-history can also revert an
object to an old version by posting that version's form, but a revert
would skip the services that own each change (a consent's source, an
order's province check), so posting is rejected here.
"""

from typing import Any

from django.db import models
from django.http import HttpResponseNotAllowed
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange, ModelDelta
from simple_history.template_utils import HistoricalRecordContextHelper

from .money import MoneyField, format_money

EMPTY_VALUE = "(empty)"
VERSION_LABEL = "View this version"


class StaffValueHelper(HistoricalRecordContextHelper):
    """Formats each changed value as the admin's change forms show it."""

    def prepare_delta_change_value(self, change: ModelChange, value: Any) -> Any:
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return EMPTY_VALUE
        if isinstance(field, MoneyField):
            return format_money(value)
        if isinstance(field, models.BooleanField):
            return "yes" if value else "no"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(field, models.DateTimeField):
            return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S %Z}"
        return super().prepare_delta_change_value(change, value)

    def context_for_initial_values(self) -> list[dict[str, Any]]:
        """Return the record's non-empty tracked fields as changes from
        nothing, for the oldest entry of a history."""
        changes = []
        for field in self.record.tracked_fields:
            value = getattr(self.record, field.name)
            if field.primary_key or value is None or value == "":
                continue
            changes.append(ModelChange(field.name, None, value))
        delta = ModelDelta(changes, [c.field for c in changes], None, self.record)
        return self.context_for_delta_changes(delta)


class ChangeHistoryAdmin(SimpleHistoryAdmin):
    """A model admin with a read-only History page of field changes."""

    history_list_per_page = 50
    object_history_list_template = "admin/change_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return StaffValueHelper(self.model, historical_record)

    def save_model(self, request, obj, form, change):
        # A form saved as it was would add an entry with no changes.
        if change and not form.has_changed():
            obj.skip_history_when_saving = True
        try:
            super().save_model(request, obj, form, change)
        finally:
            obj.__dict__.pop("skip_history_when_saving", None)

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        super().set_history_delta_changes(request, historical_records, **kwargs)
        records = list(historical_records)
        if records and not historical_records.has_next():
            oldest = records[-1]
            helper = self.get_historical_record_context_helper(request, oldest)
            oldest.history_initial_values = helper.context_for_initial_values()
        # The list labels each entry with str() of the object rebuilt from
        # it, which loads related rows (a variant's product) once per
        # entry, and shows fields history leaves out (a stock's quantity)
        # at their defaults. A fixed label keeps one query per page.
        for record in historical_records:
            record.history_object = VERSION_LABEL

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )
