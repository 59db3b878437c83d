"""Cart pages: show the cart, add an item, change a quantity, remove a line.

Each change is a POST that redirects (post/redirect/get). A rejected change
shows its message and leaves the cart as it was.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from inventory.selectors import availability_for

from ..cart import (
    CartError,
    add_to_cart,
    cart_lines,
    cart_totals,
    get_cart,
    is_sold,
    item_name,
    parse_quantity,
    remove_line,
    set_quantity,
)
from ..models import CartLine, Product, Variant
from ..money import round_money


@require_GET
def cart_detail(request: HttpRequest) -> HttpResponse:
    lines = cart_lines(get_cart(request))
    availability = availability_for(line.variant_id for line in lines)
    for line in lines:
        line.availability = availability[line.variant_id]
        line.subtotal_amount = round_money(line.variant.price * line.quantity)
        line.name = item_name(line.variant)
        line.is_sold = is_sold(line.variant)
        line.is_short = line.is_sold and line.availability.shortfall(line.quantity) > 0
        line.backordered_units = line.availability.backordered_units(line.quantity)
    context = {
        "lines": lines,
        "totals": cart_totals(lines),
        "has_problem_lines": any(line.is_short or not line.is_sold for line in lines),
    }
    return render(request, "shop/cart.html", context)


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    variant = _posted_variant(request)
    raw_quantity = request.POST.get("quantity", "")
    if variant is None:
        return _back_to_product(request, variant=None, quantity=raw_quantity)

    try:
        quantity = parse_quantity(raw_quantity, variant=variant)
        cart = get_cart(request, create=True)
        add_to_cart(cart=cart, variant=variant, quantity=quantity)
    except CartError as error:
        messages.error(request, error.message)
        return _back_to_product(request, variant=variant, quantity=raw_quantity)

    messages.success(request, f"Added {quantity} × {item_name(variant)} to your cart.")
    return redirect("shop:cart")


@require_POST
def cart_line_update(request: HttpRequest, line_id: int) -> HttpResponse:
    line = _cart_line(request, line_id)
    if line is None:
        return redirect("shop:cart")

    try:
        quantity = parse_quantity(request.POST.get("quantity"), variant=line.variant)
        set_quantity(cart=line.cart, line_id=line.pk, quantity=quantity)
    except CartError as error:
        messages.error(request, error.message)
    else:
        name = item_name(line.variant)
        messages.success(request, f"{name}: quantity changed to {quantity}.")
    return redirect("shop:cart")


@require_POST
def cart_line_remove(request: HttpRequest, line_id: int) -> HttpResponse:
    line = _cart_line(request, line_id)
    if line is None:
        return redirect("shop:cart")

    try:
        remove_line(cart=line.cart, line_id=line.pk)
    except CartError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Removed {item_name(line.variant)} from your cart.")
    return redirect("shop:cart")


def _posted_variant(request: HttpRequest) -> Variant | None:
    variant_id = request.POST.get("variant", "")
    if not variant_id.isdigit():
        messages.error(request, "Choose a size or colour, then add it to your cart.")
        return None

    variant = Variant.objects.select_related("product").filter(pk=variant_id).first()
    if variant is None:
        messages.error(
            request, f"Item {variant_id} is not in the catalog. Search for it again."
        )
        return None

    product_id = request.POST.get("product", "")
    if product_id and product_id != str(variant.product_id):
        # A stale or tampered form: the option chosen belongs elsewhere.
        messages.error(
            request,
            f"{item_name(variant)} is not an option of this product. "
            "Choose one of the options listed.",
        )
        return None
    return variant


def _cart_line(request: HttpRequest, line_id: int) -> CartLine | None:
    cart = get_cart(request)
    line = (
        CartLine.objects.filter(cart=cart, pk=line_id)
        .select_related("cart", "variant__product")
        .first()
        if cart is not None
        else None
    )
    if line is None:
        messages.error(request, "That item is no longer in your cart.")
    return line


def _back_to_product(
    request: HttpRequest, *, variant: Variant | None, quantity: str = ""
) -> HttpResponse:
    """Redirect to the product page with the customer's choices filled in."""
    product = variant.product if variant is not None else None
    if product is None:
        product_id = request.POST.get("product", "")
        product = (
            Product.objects.filter(pk=product_id, is_active=True).first()
            if product_id.isdigit()
            else None
        )
    if product is None or not product.is_active:
        return redirect("shop:cart")

    query = {"quantity": quantity[:20]} if quantity else {}
    if variant is not None:
        query["variant"] = variant.pk
    url = product.get_absolute_url()
    return redirect(f"{url}?{urlencode(query)}" if query else url)
