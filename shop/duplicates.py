"""Likely duplicate customers: records that probably belong to one person.

Two records are likely the same person when either

- their emails are equal once trimmed and lower-cased, which only rows
  written before emails were trimmed (or imported) can be, or
- their phones have the same digits, ignoring punctuation and a leading
  country code 1, and their full names are equal, ignoring case, accents
  and spaces.

Matches chain: when A and B share an email and B and C a phone and name,
A, B and C form one group. Staff review each group and merge it with
shop.customer_merge.merge_customers.
"""

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Max

from .customers import MIN_PHONE_DIGITS, phone_digits
from .models import Customer

SAME_EMAIL = "same email"
SAME_PHONE_AND_NAME = "same phone and name"


@dataclass
class DuplicateGroup:
    """Customer records that are likely one person, oldest first.

    Each customer carries `order_total` and `last_order_number` and
    `last_order_at` (None without orders), as list_duplicate_groups()
    loads them.
    """

    customers: list[Customer]
    reasons: list[str] = field(default_factory=list)

    @property
    def suggested_keep(self) -> Customer:
        """The record to keep by default: one with a login, else the one
        with the most orders, else the oldest."""
        return min(
            self.customers,
            key=lambda c: (c.user_id is None, -c.order_total, c.pk),
        )


def name_key(first_name: str, last_name: str) -> str:
    """Return a full name without case, accents or spaces: "renéeroy"."""
    decomposed = unicodedata.normalize("NFKD", f"{first_name}{last_name}")
    letters = (
        character
        for character in decomposed
        if not unicodedata.combining(character) and not character.isspace()
    )
    return "".join(letters).casefold()


def find_duplicate_ids() -> list[tuple[list[int], list[str]]]:
    """Return each group of likely duplicates as sorted ids and reasons.

    Reads every customer's email, name and phone in one query and groups
    them in memory. Groups are ordered by their oldest record.
    """
    # NOTE: the scan keeps two keys per customer in memory. By estimate,
    # tens of thousands of customers fit easily, and millions would need
    # the grouping done in SQL.
    groups = _IdGroups()
    first_with_key: dict[tuple[str, str], int] = {}
    rows = (
        Customer.objects.exclude(email="")
        .order_by("pk")
        .values_list("pk", "email", "first_name", "last_name", "phone")
    )
    for pk, email, first_name, last_name, phone in rows.iterator(chunk_size=2000):
        for key in _match_keys(email, first_name, last_name, phone):
            first_pk = first_with_key.setdefault(key, pk)
            if first_pk != pk:
                groups.join(first_pk, pk, reason=key[0])
    return groups.sorted_groups()


def list_duplicate_groups(
    id_groups: Iterable[tuple[list[int], list[str]]],
) -> list[DuplicateGroup]:
    """Load the customers of `id_groups` with their order count and last
    order, in one query.

    A customer deleted since the ids were read is left out, and a group
    left with one record is dropped.
    """
    id_groups = list(id_groups)
    ids = [pk for group_ids, _ in id_groups for pk in group_ids]
    customers = (
        Customer.objects.filter(pk__in=ids)
        .select_related("user")
        .annotate(
            order_total=Count("orders"),
            last_order_number=Max("orders__number"),
            last_order_at=Max("orders__created_at"),
        )
    )
    by_pk = {customer.pk: customer for customer in customers}
    groups = []
    for group_ids, reasons in id_groups:
        members = [by_pk[pk] for pk in group_ids if pk in by_pk]
        if len(members) > 1:
            groups.append(DuplicateGroup(customers=members, reasons=reasons))
    return groups


def _match_keys(
    email: str, first_name: str, last_name: str, phone: str
) -> list[tuple[str, str]]:
    keys = [(SAME_EMAIL, email.strip().lower())]
    digits = phone_digits(phone)
    name = name_key(first_name, last_name)
    if len(digits) >= MIN_PHONE_DIGITS and name:
        keys.append((SAME_PHONE_AND_NAME, f"{digits} {name}"))
    return keys


class _IdGroups:
    """Disjoint sets of customer ids (union-find), with why each joined."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.reasons: dict[int, set[str]] = defaultdict(set)

    def root(self, pk: int) -> int:
        self.parent.setdefault(pk, pk)
        while self.parent[pk] != pk:
            self.parent[pk] = self.parent[self.parent[pk]]
            pk = self.parent[pk]
        return pk

    def join(self, first: int, second: int, *, reason: str) -> None:
        root, other = sorted((self.root(first), self.root(second)))
        if root != other:
            self.parent[other] = root
            self.reasons[root] |= self.reasons.pop(other, set())
        self.reasons[root].add(reason)

    def sorted_groups(self) -> list[tuple[list[int], list[str]]]:
        members: dict[int, list[int]] = defaultdict(list)
        for pk in self.parent:
            members[self.root(pk)].append(pk)
        return [
            (sorted(pks), sorted(self.reasons[root]))
            for root, pks in sorted(members.items())
        ]
