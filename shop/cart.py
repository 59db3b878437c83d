"""The shopping cart: finding it for a request, and every change to it.

An anonymous visitor's cart id lives in the session under SESSION_KEY. A
logged-in customer's cart is the Cart row linked to their user. The login and
signup views call `adopt_session_cart` right after logging the user in, which
merges the anonymous cart into the saved one (see merge_carts). Other logins,
such as the admin's, leave the anonymous cart alone.

Carts do not reserve stock: each change checks the quantity available at
that moment, and checkout checks again. Stock that takes backorders has no
limit: units beyond those available go on backorder when the order is paid.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest

from inventory.selectors import Availability, availability_for

from .models import Cart, CartLine, Variant
from .money import ZERO, round_money

SESSION_KEY = "cart_id"
# A quantity with more significant digits is rejected before int() is
# called: no shop stocks that many, and the database column stops below 2**31.
MAX_QUANTITY_DIGITS = 9
# Rejected input longer than this is cut short when a message repeats it.
MAX_ECHO_LENGTH = 25


class CartError(Exception):
    """A cart change that was rejected, with a message for the customer."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CartTotals:
    quantity: int
    subtotal_amount: Decimal


def item_name(variant: Variant) -> str:
    """Name a variant for customers: "Linen Shirt (M / Blue)"."""
    options = variant.option_label
    name = variant.product.name
    return f"{name} ({options})" if options else name


def get_cart(request: HttpRequest, *, create: bool = False) -> Cart | None:
    """Return the request's cart, creating it only when `create` is true.

    Creating an anonymous cart stores its id in the session.
    """
    user = request.user
    if user.is_authenticated:
        if create:
            return Cart.objects.get_or_create(user=user)[0]
        return Cart.objects.filter(user=user).first()

    cart = _session_cart(request)
    if cart is None and create:
        cart = Cart.objects.create()
        request.session[SESSION_KEY] = cart.pk
    return cart


def _session_cart(request: HttpRequest) -> Cart | None:
    cart_id = request.session.get(SESSION_KEY)
    if not isinstance(cart_id, int):
        return None
    return Cart.objects.filter(pk=cart_id, user__isnull=True).first()


def count_units(request: HttpRequest) -> int:
    """Count the units in the request's cart, for the header's mini-cart.

    Runs one query, or none for a visitor who has no cart yet.
    """
    lines = CartLine.objects.all()
    if request.user.is_authenticated:
        lines = lines.filter(cart__user=request.user)
    else:
        cart_id = request.session.get(SESSION_KEY)
        if not isinstance(cart_id, int):
            return 0
        lines = lines.filter(cart_id=cart_id, cart__user__isnull=True)
    return lines.aggregate(units=Sum("quantity"))["units"] or 0


def cart_lines(cart: Cart | None) -> list[CartLine]:
    """Return the cart's lines with variant, product and category loaded."""
    if cart is None:
        return []
    return list(cart.lines.select_related("variant__product__category"))


def cart_totals(lines: list[CartLine]) -> CartTotals:
    """Add up units and the subtotal before tax, to the cent."""
    subtotal = sum(
        (round_money(line.variant.price * line.quantity) for line in lines), ZERO
    )
    return CartTotals(
        quantity=sum(line.quantity for line in lines), subtotal_amount=subtotal
    )


def parse_quantity(raw: object, *, variant: Variant) -> int:
    """Convert a submitted quantity to an int of 1 or more.

    Raises CartError naming the item and the value when `raw` is missing,
    not a whole number, below 1, or too large to store.
    """
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise CartError("Enter a quantity of 1 or more.")
    if not re.fullmatch(r"[+-]?\d+", text):
        raise CartError(
            f"“{_echo(text)}” is not a valid quantity for {item_name(variant)}. "
            "Enter a whole number of 1 or more."
        )
    digits = text.lstrip("+-").lstrip("0")
    if (text.startswith("-") and digits) or not digits:
        raise CartError(
            f"The quantity for {item_name(variant)} must be at least 1, "
            f"not {_echo(text)}. To take it out of your cart, use Remove."
        )
    if len(digits) > MAX_QUANTITY_DIGITS:
        raise CartError(_too_large_message(digits, variant))
    return int(digits)


def _echo(text: str) -> str:
    return text if len(text) <= MAX_ECHO_LENGTH else text[:MAX_ECHO_LENGTH] + "…"


def _too_large_message(digits: str, variant: Variant) -> str:
    availability = availability_for([variant.pk])[variant.pk]
    if not availability.is_orderable:
        return f"{item_name(variant)} is sold out."
    if availability.backorderable:
        return (
            f"A quantity of {_echo(digits)} is more than we can take. "
            "Enter a smaller quantity."
        )
    return (
        f"A quantity of {_echo(digits)} is more than we can take; "
        f"the most you can order is {availability.quantity}."
    )


def is_sold(variant: Variant) -> bool:
    """Tell whether the variant and its product are both still on sale."""
    return variant.is_active and variant.product.is_active


def list_line_problems(
    lines: list[CartLine], *, availability: dict[int, Availability] | None = None
) -> list[str]:
    """Describe every line that cannot be bought as it is, for the customer.

    A line is a problem when its item is no longer sold, sold out, or
    requests more units than are available of an item that takes no
    backorders. Runs one query for the stock unless given `availability`,
    the lines' availability_for().
    """
    if availability is None:
        availability = availability_for(line.variant_id for line in lines)
    problems = []
    for line in lines:
        problem = _line_problem(line, availability[line.variant_id])
        if problem:
            problems.append(problem)
    return problems


def _line_problem(line: CartLine, availability: Availability) -> str | None:
    name = item_name(line.variant)
    if not is_sold(line.variant):
        return f"{name} is no longer sold; remove it from your cart."
    if not availability.is_orderable:
        return f"{name} is sold out; remove it from your cart."
    if availability.shortfall(line.quantity):
        return (
            f"Only {availability.quantity} of {name} are available; "
            "change the quantity in your cart."
        )
    return None


def add_to_cart(*, cart: Cart, variant: Variant, quantity: int) -> CartLine:
    """Add `quantity` units of `variant` on top of any already in the cart.

    Raises CartError, leaving the cart unchanged, when the product or variant
    is no longer sold, is sold out, or when the cart would hold more than is
    available of an item that takes no backorders.
    """
    _check_quantity_positive(variant, quantity)
    with transaction.atomic():
        _lock(cart)
        _check_sold(variant)
        line = CartLine.objects.filter(cart=cart, variant=variant).first()
        in_cart = line.quantity if line else 0
        _check_on_hand(variant, in_cart + quantity, in_cart=in_cart)

        if line is None:
            line = CartLine.objects.create(
                cart=cart, variant=variant, quantity=quantity
            )
        else:
            line.quantity = in_cart + quantity
            line.save(update_fields=["quantity"])
        cart.save(update_fields=["updated_at"])
    return line


def set_quantity(*, cart: Cart, line_id: int, quantity: int) -> CartLine:
    """Set a cart line to `quantity` units.

    Raises CartError, leaving the cart unchanged, when the line is not in
    this cart, the quantity is below 1, the item is no longer sold, or the
    quantity is more than is available of an item that takes no backorders.
    """
    with transaction.atomic():
        _lock(cart)
        line = _get_line(cart, line_id)
        _check_quantity_positive(line.variant, quantity)
        _check_sold(line.variant)
        _check_on_hand(line.variant, quantity, in_cart=None)

        line.quantity = quantity
        line.save(update_fields=["quantity"])
        cart.save(update_fields=["updated_at"])
    return line


def remove_line(*, cart: Cart, line_id: int) -> CartLine:
    """Delete a line from the cart and return it (unsaved).

    Raises CartError when the line is not in this cart, which happens when
    the Remove button is pressed twice.
    """
    with transaction.atomic():
        _lock(cart)
        line = _get_line(cart, line_id)
        line.delete()
        cart.save(update_fields=["updated_at"])
    return line


def clear_cart(cart: Cart) -> None:
    """Delete every line of the cart, keeping the cart itself."""
    with transaction.atomic():
        _lock(cart)
        cart.lines.all().delete()
        cart.save(update_fields=["updated_at"])


def merge_carts(*, source: Cart, target: Cart) -> list[str]:
    """Move the lines of `source` into `target`, then delete `source`.

    Quantities of the same variant are added, capped at the units available
    unless the item takes backorders. Items no longer sold or sold out are
    dropped. Returns one message per line that was capped or dropped, for
    the customer.
    """
    notes = []
    with transaction.atomic():
        for cart in sorted((source, target), key=lambda cart: cart.pk):
            _lock(cart)
        source_lines = cart_lines(source)
        target_lines = {line.variant_id: line for line in cart_lines(target)}
        availability = availability_for(line.variant_id for line in source_lines)

        for line in source_lines:
            existing = target_lines.get(line.variant_id)
            note = _merge_line(line, existing, target, availability[line.variant_id])
            if note:
                notes.append(note)

        source.delete()
        target.save(update_fields=["updated_at"])
    return notes


def _merge_line(
    line: CartLine, existing: CartLine | None, target: Cart, availability: Availability
) -> str | None:
    variant = line.variant
    requested = line.quantity + (existing.quantity if existing else 0)
    if not (variant.is_active and variant.product.is_active):
        return f"{item_name(variant)} is no longer sold, so it was left out."

    available = availability.quantity
    quantity = requested - availability.shortfall(requested)
    if existing is not None and quantity == 0:
        existing.delete()
    elif existing is not None:
        existing.quantity = quantity
        existing.save(update_fields=["quantity"])
    elif quantity > 0:
        CartLine.objects.create(cart=target, variant=variant, quantity=quantity)

    if quantity == 0:
        return f"{item_name(variant)} is sold out, so it was left out."
    if quantity < requested:
        return (
            f"Only {available} of {item_name(variant)} are available, "
            f"so your cart has {quantity} instead of {requested}."
        )
    return None


def adopt_session_cart(request: HttpRequest, session_cart: Cart | None) -> list[str]:
    """Merge the cart a visitor filled before logging in into their saved cart.

    Call right after django.contrib.auth.login() with the cart returned by
    get_cart() before it. Returns the messages of merge_carts().
    """
    request.session.pop(SESSION_KEY, None)
    if session_cart is None or not request.user.is_authenticated:
        return []

    saved_cart = get_cart(request, create=True)
    return merge_carts(source=session_cart, target=saved_cart)


def _lock(cart: Cart) -> None:
    # One writer per cart at a time, so two quick clicks on "Add" cannot
    # both pass the stock check and then both add.
    Cart.objects.select_for_update().filter(pk=cart.pk).first()


def _get_line(cart: Cart, line_id: int) -> CartLine:
    line = (
        CartLine.objects.filter(cart=cart, pk=line_id)
        .select_related("variant__product")
        .first()
    )
    if line is None:
        raise CartError("That item is no longer in your cart.")
    return line


def _check_quantity_positive(variant: Variant, quantity: int) -> None:
    if quantity < 1:
        raise CartError(
            f"The quantity for {item_name(variant)} must be at least 1, not {quantity}."
        )


def _check_sold(variant: Variant) -> None:
    if not is_sold(variant):
        raise CartError(f"{item_name(variant)} is no longer sold.")


def _check_on_hand(variant: Variant, quantity: int, *, in_cart: int | None) -> None:
    availability = availability_for([variant.pk])[variant.pk]
    if not availability.shortfall(quantity):
        return

    name = item_name(variant)
    on_hand = availability.quantity
    if on_hand == 0:
        raise CartError(f"{name} is sold out, so it cannot be added to your cart.")
    if in_cart:
        more = on_hand - in_cart
        can_add = f"you can add {more} more" if more > 0 else "you cannot add more"
        raise CartError(
            f"Only {on_hand} of {name} are available and your cart already "
            f"has {in_cart}, so {can_add}."
        )
    raise CartError(
        f"Only {on_hand} of {name} are available. You asked for {quantity}."
    )
