"""Merging customer records that belong to one person into one.

Everything that points at a removed record moves to the kept one: online
and in-store orders, addresses (dropping exact duplicates) and the login.
A cart belongs to a login, not to a customer record, so it follows the
login. The kept record takes the most recent consent decision and fills
its blank name and phone. The removed records are then deleted, and
their change history records who merged them into which record.

The ledger is untouched: journal entries, invoices and credit notes point
at orders, which keep their ids. Old history rows of an order keep the
customer id it had then.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from .models import Address, Customer

logger = logging.getLogger(__name__)

# Every foreign key to Customer, as "app_label.model.field", each moved to
# the kept record by its own step below. merge_customers() rejects a merge
# while any other relation exists, so a new foreign key cannot lose rows or
# cascade them away unnoticed. Historical records point at customers
# without a database constraint and are not listed: they keep the id they
# had.
MOVED_RELATIONS = frozenset({"orders.order.customer", "shop.address.customer"})

# Every field of an address but its id and owner, so a field added later
# also counts when telling duplicate addresses apart.
ADDRESS_FIELDS = tuple(
    field.attname
    for field in Address._meta.concrete_fields
    if field.name not in {"id", "customer", "updated_at"}
)
# simple_history stores at most 100 characters of change reason.
CHANGE_REASON_LENGTH = 100


class MergeError(ValueError):
    """A rejected merge, with what to do next. Nothing was changed."""


@dataclass(frozen=True)
class MergeResult:
    """The outcome of a merge, for the staff member's confirmation message."""

    kept: Customer
    removed_ids: list[int]
    order_numbers: list[int]
    addresses_moved: int
    addresses_dropped: int
    login_moved: str
    consent_from: int | None


def merge_customers(
    *,
    keep_id: int,
    remove_ids: Iterable[int],
    merged_by: AbstractBaseUser | None = None,
) -> MergeResult:
    """Merge the customers `remove_ids` into customer `keep_id`.

    Runs in one transaction. Locks the customer rows in id order, then the
    orders of the removed records. Raises MergeError, changing nothing,
    when a record is missing, is the walk-in record (blank email), or when
    more than one of the records has a login.
    """
    remove_ids = sorted(set(remove_ids))
    _check_request(keep_id, remove_ids)
    relations = _customer_relations()

    with transaction.atomic():
        kept, removed = _lock_customers(keep_id, remove_ids)
        login = _login_to_move(kept, removed)
        order_numbers = _move_orders(relations, kept, removed, merged_by)
        moved, dropped = _move_addresses(kept, removed)
        consent_from = _take_latest_consent(kept, removed)
        _fill_blank_details(kept, removed)
        for customer in removed:
            _delete_merged(customer, kept, merged_by)
        if login is not None:
            kept.user = login
        _save_kept(kept, remove_ids, merged_by)

    logger.info(
        "Customers merged",
        extra={
            "customer_id": kept.pk,
            "removed_customer_ids": remove_ids,
            "order_count": len(order_numbers),
        },
    )
    return MergeResult(
        kept=kept,
        removed_ids=remove_ids,
        order_numbers=order_numbers,
        addresses_moved=moved,
        addresses_dropped=dropped,
        login_moved=login.get_username() if login is not None else "",
        consent_from=consent_from,
    )


def _check_request(keep_id: int, remove_ids: list[int]) -> None:
    if not remove_ids:
        raise MergeError(
            f"No record was chosen to merge into customer {keep_id}. Tick at "
            "least one other record."
        )
    if keep_id in remove_ids:
        raise MergeError(
            f"Customer {keep_id} cannot be merged into itself. Choose another "
            "record to keep, or untick it among the records to merge."
        )


def _customer_relations() -> dict[str, models.ForeignObjectRel]:
    relations = {
        f"{rel.related_model._meta.label_lower}.{rel.field.name}": rel
        for rel in Customer._meta.related_objects
    }
    unknown = sorted(set(relations) - MOVED_RELATIONS)
    if unknown:
        raise MergeError(
            f"Customers cannot be merged: {', '.join(unknown)} points at "
            "customers and the merge does not move it yet. Add it to "
            "shop.customer_merge before merging."
        )
    return relations


def _lock_customers(
    keep_id: int, remove_ids: list[int]
) -> tuple[Customer, list[Customer]]:
    ids = [keep_id, *remove_ids]
    # of=("self",) locks the customer rows only: PostgreSQL cannot lock the
    # nullable side of the outer join to the user.
    locked = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    by_pk = {customer.pk: customer for customer in locked}
    missing = [pk for pk in ids if pk not in by_pk]
    if missing:
        listed = ", ".join(str(pk) for pk in missing)
        raise MergeError(
            f"Customer {listed} was not found: it may have been merged or "
            "deleted already. Reload the list of likely duplicates."
        )
    for customer in by_pk.values():
        if not customer.email.strip():
            raise MergeError(
                f"Customer {customer.pk} is the walk-in record of sales to no "
                "one in particular and cannot be merged. Leave it out."
            )
    return by_pk[keep_id], [by_pk[pk] for pk in remove_ids]


def _login_to_move(kept: Customer, removed: list[Customer]):
    """Return the login of a removed record, which the kept record takes.

    Returns None when the kept record has the only login, or none has one.
    Raises MergeError when more than one record has a login.
    """
    with_login = [c for c in (kept, *removed) if c.user_id is not None]
    if len(with_login) > 1:
        logins = " and ".join(
            f"customer {c.pk} ({c.email}) logs in as {c.user.get_username()}"
            for c in with_login
        )
        raise MergeError(
            f"These records have more than one login: {logins}. A person keeps "
            "one login, so decide which one stays, clear the User field on the "
            "other customer record (that login then shows no orders), and "
            "merge again."
        )
    if not with_login or with_login[0] is kept:
        return None
    return with_login[0].user


def _move_orders(
    relations: dict[str, models.ForeignObjectRel],
    kept: Customer,
    removed: list[Customer],
    merged_by: AbstractBaseUser | None,
) -> list[int]:
    """Point every order of the removed records at the kept one.

    Each order gets a history row naming the merge, as its customer changed.
    """
    order_model = relations["orders.order.customer"].related_model
    orders = list(
        order_model.objects.select_for_update()
        .filter(customer__in=removed)
        .order_by("pk")
    )
    now = timezone.now()
    for order in orders:
        order.customer = kept
        order.updated_at = now
    if orders:
        bulk_update_with_history(
            orders,
            order_model,
            ["customer", "updated_at"],
            default_user=merged_by,
            default_change_reason=_reason(
                f"Customer records merged into customer {kept.pk}"
            ),
        )
    return sorted(order.number for order in orders)


def _move_addresses(kept: Customer, removed: list[Customer]) -> tuple[int, int]:
    """Move the removed records' addresses, deleting exact duplicates.

    Two addresses are duplicates when every field is equal, ignoring case
    and surrounding spaces. Returns how many moved and how many were
    dropped.
    """
    known = {_address_key(address) for address in kept.addresses.all()}
    moved, dropped = [], []
    for address in Address.objects.filter(customer__in=removed).order_by("pk"):
        key = _address_key(address)
        if key in known:
            dropped.append(address.pk)
        else:
            known.add(key)
            moved.append(address.pk)
    Address.objects.filter(pk__in=dropped).delete()
    Address.objects.filter(pk__in=moved).update(
        customer=kept, updated_at=timezone.now()
    )
    return len(moved), len(dropped)


def _address_key(address: Address) -> tuple[str, ...]:
    return tuple(
        str(getattr(address, name)).strip().casefold() for name in ADDRESS_FIELDS
    )


def _take_latest_consent(kept: Customer, removed: list[Customer]) -> int | None:
    """Give the kept record the most recent consent decision of them all.

    A decision without a date counts as older than any dated one. Returns
    the id of the removed record whose decision was taken, or None.
    """
    # max() returns the first of equal keys, so a tie goes to the kept
    # record. Keys of two undated records compare equal without comparing
    # None to None.
    latest = max(
        (kept, *removed),
        key=lambda c: (c.marketing_consent_at is not None, c.marketing_consent_at),
    )
    if latest is kept or latest.marketing_consent_at is None:
        return None
    kept.marketing_consent = latest.marketing_consent
    kept.marketing_consent_at = latest.marketing_consent_at
    kept.marketing_consent_source = latest.marketing_consent_source
    return latest.pk


def _fill_blank_details(kept: Customer, removed: list[Customer]) -> None:
    """Fill the kept record's blank name and phone from the removed ones.

    The name moves as a pair, so first and last name come from one record.
    """
    for customer in removed:
        if not kept.first_name and not kept.last_name:
            kept.first_name = customer.first_name
            kept.last_name = customer.last_name
        if not kept.phone:
            kept.phone = customer.phone


def _delete_merged(
    customer: Customer, kept: Customer, merged_by: AbstractBaseUser | None
) -> None:
    customer._change_reason = _reason(
        f"Merged into customer {kept.pk} ({kept.email.strip()})"
    )
    if merged_by is not None:
        customer._history_user = merged_by
    customer.delete()


def _save_kept(
    kept: Customer, remove_ids: list[int], merged_by: AbstractBaseUser | None
) -> None:
    listed = ", ".join(str(pk) for pk in remove_ids)
    kept._change_reason = _reason(f"Customer {listed} merged into this record")
    if merged_by is not None:
        kept._history_user = merged_by
    kept.save()


def _reason(text: str) -> str:
    if len(text) <= CHANGE_REASON_LENGTH:
        return text
    return text[: CHANGE_REASON_LENGTH - 1] + "…"
