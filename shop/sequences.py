"""Gapless document numbers taken from locked counter rows."""

from django.db import transaction

from .models import NumberSequence


def next_number(name: str, *, start: int = 1) -> int:
    """Take the next number of the named sequence.

    Must run inside the transaction that stores the numbered document: the
    counter row stays locked until it commits, so concurrent callers wait
    and no number is skipped or given twice.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must be called inside transaction.atomic")
    NumberSequence.objects.get_or_create(name=name, defaults={"last_value": start - 1})
    sequence = NumberSequence.objects.select_for_update().get(name=name)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return sequence.last_value
