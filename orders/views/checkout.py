"""Checkout screens: address, shipping method, review, then payment.

Every form the customer submits is kept in the session under SESSION_KEY,
valid or not, so nothing entered is lost on an error or on going back.
Each step checks again that the steps before it are complete and valid and
sends the customer back to the first one that is not. The order written at
review is kept in the session under PENDING_ORDER_SESSION_KEY; coming back
to checkout before paying rewrites that order rather than adding another.
When units would be backordered, the shipping step also requires the
shipping preference, and review sends the customer back there until one is
chosen.
"""

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from inventory.selectors import availability_for
from orders.checkout import (
    ADDRESS_FIELDS,
    CheckoutDetails,
    InsufficientStock,
    place_order,
    quote_checkout,
)
from orders.checkout_backorders import (
    BackorderPlan,
    ShippingPreferenceRequired,
    plan_backorders,
)
from orders.forms import AddressForm, ShippingMethodForm, shipping_preference_choices
from orders.models import Order
from shop.accounts import confirmation_pending
from shop.cart import cart_lines, get_cart, list_line_problems
from shop.models import Cart, Customer

SESSION_KEY = "checkout"
PENDING_ORDER_SESSION_KEY = "pending_order_id"

STEPS = (
    ("orders:checkout", "Address"),
    ("orders:checkout-shipping", "Shipping"),
    ("orders:checkout-review", "Review"),
)


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    """Step 1: email and delivery address."""
    lines = cart_lines(get_cart(request))
    if not lines:
        return _back_to_cart(request)
    if problems := list_line_problems(lines):
        return _back_to_cart_with(request, problems)

    if request.method == "POST":
        form = AddressForm(request.POST)
        # A browser sends no value for an unticked checkbox, so only the
        # fields present are kept.
        typed = {
            name: request.POST[name] for name in form.fields if name in request.POST
        }
        _save(request, address=typed)
        if form.is_valid():
            _save(request, address=form.cleaned_data)
            return redirect("orders:checkout-shipping")
    else:
        form = AddressForm(initial=_saved(request).get("address") or _prefill(request))

    return _render_step(
        request, "orders/checkout_address.html", 0, form=form, lines=lines
    )


@require_http_methods(["GET", "POST"])
def checkout_shipping(request: HttpRequest) -> HttpResponse:
    """Step 2: choose among the shipping options quoted for the address."""
    lines = cart_lines(get_cart(request))
    if not lines:
        return _back_to_cart(request)
    address = _valid_address(request)
    if address is None:
        return redirect("orders:checkout")

    try:
        quote = quote_checkout(
            lines=lines,
            province=address["ship_province"],
            postal_code=address["ship_postal_code"],
        )
    except ValueError as error:
        messages.error(request, f"Shipping could not be quoted: {error}")
        return redirect("orders:checkout")

    options = quote.shipping_options
    saved = _saved(request)
    chosen = saved.get("shipping_method") or (options and options[0].code)
    form = ShippingMethodForm(
        request.POST or None,
        options=options,
        backorder_plan=plan_backorders(lines),
        initial={
            "shipping_method": chosen,
            "shipping_preference": saved.get("shipping_preference"),
        },
    )
    if request.method == "POST":
        _save(
            request,
            shipping_method=request.POST.get("shipping_method", ""),
            shipping_preference=request.POST.get("shipping_preference", ""),
        )
        if form.is_valid():
            return redirect("orders:checkout-review")

    return _render_step(
        request, "orders/checkout_shipping.html", 1, form=form, quote=quote
    )


@require_http_methods(["GET", "POST"])
def checkout_review(request: HttpRequest) -> HttpResponse:
    """Step 3: show every amount; placing the order leads to payment."""
    cart = get_cart(request)
    lines = cart_lines(cart)
    if cart is None or not lines:
        return _back_to_cart(request)
    address = _valid_address(request)
    if address is None:
        return redirect("orders:checkout")
    details = CheckoutDetails(
        email=address["email"],
        shipping_method=_saved(request).get("shipping_method", ""),
        shipping_preference=_saved(request).get("shipping_preference", ""),
        marketing_consent=address.get("marketing_consent", False),
        **{field: address[field] for field in ADDRESS_FIELDS},
    )

    try:
        quote = quote_checkout(
            lines=lines,
            province=details.ship_province,
            shipping_method=details.shipping_method,
            postal_code=details.ship_postal_code,
        )
    except ValueError as error:
        messages.error(request, f"Shipping could not be quoted: {error}")
        return redirect("orders:checkout")
    if quote.shipping_option is None:
        messages.error(request, "Choose a shipping method for this address.")
        return redirect("orders:checkout-shipping")

    availability = availability_for(line.variant_id for line in lines)
    if problems := list_line_problems(lines, availability=availability):
        return _back_to_cart_with(request, problems)
    plan = plan_backorders(lines, availability=availability)
    preference = _preference_label(plan, details.shipping_preference)
    if plan is not None and preference is None:
        return _choose_preference(request)
    if request.method == "POST":
        try:
            return _place_order(request, cart, details)
        except InsufficientStock as error:
            # Stock sold to someone else since the check above.
            return _back_to_cart_with(request, [str(error)])
        except ShippingPreferenceRequired:
            # Stock sold since the check above put an item on backorder.
            return _choose_preference(request)

    return _render_step(
        request,
        "orders/checkout_review.html",
        2,
        quote=quote,
        details=details,
        shipping_preference=preference,
    )


def _preference_label(plan: BackorderPlan | None, preference: str) -> str | None:
    """Return the label of the chosen shipping preference, None if invalid."""
    if plan is None:
        return None
    return dict(shipping_preference_choices(plan)).get(preference)


def _choose_preference(request: HttpRequest) -> HttpResponse:
    messages.error(
        request,
        "Some items are on backorder. Choose how to ship them before you "
        "review your order.",
    )
    return redirect("orders:checkout-shipping")


def _place_order(
    request: HttpRequest, cart: Cart, details: CheckoutDetails
) -> HttpResponse:
    pending_id = request.session.get(PENDING_ORDER_SESSION_KEY)
    pending = Order.objects.filter(pk=pending_id).first() if pending_id else None
    order = place_order(cart=cart, details=details, user=_buyer(request), order=pending)

    request.session[PENDING_ORDER_SESSION_KEY] = order.pk
    return redirect("orders:payment", token=order.access_token)


def _buyer(request: HttpRequest) -> AbstractBaseUser | None:
    """Return the user to place the order for, or None to buy as a guest.

    place_order links the customer record of the user's email to the user.
    Until the user has confirmed owning that email, linking it would show
    them the orders of whoever bought with it, so they buy as a guest and
    the order joins their account when they confirm.
    """
    user = request.user
    if not user.is_authenticated or confirmation_pending(user):
        return None
    return user


def _back_to_cart_with(request: HttpRequest, problems: list[str]) -> HttpResponse:
    for problem in problems:
        messages.error(request, problem)
    return redirect("shop:cart")


def _back_to_cart(request: HttpRequest) -> HttpResponse:
    messages.info(request, "Your cart is empty. Add a product before checking out.")
    return redirect("shop:cart")


def _saved(request: HttpRequest) -> dict:
    return request.session.get(SESSION_KEY, {})


def _save(request: HttpRequest, **values) -> None:
    # Assign a new dict so the session is marked as modified and saved.
    request.session[SESSION_KEY] = {**_saved(request), **values}


def _valid_address(request: HttpRequest) -> dict | None:
    """Return the saved address, cleaned, or None with a message if invalid."""
    saved = _saved(request).get("address")
    if not saved:
        return None
    form = AddressForm(saved)
    if not form.is_valid():
        messages.error(request, "Check your address before going on.")
        return None
    return form.cleaned_data


def _prefill(request: HttpRequest) -> dict:
    """Start a signed-in customer from their email and latest address."""
    user = request.user
    if not user.is_authenticated:
        return {}
    customer = Customer.objects.filter(user=user).first()
    initial = {"email": customer.email if customer else user.email}
    address = customer.addresses.order_by("-pk").first() if customer else None
    if address is not None:
        initial |= {
            "ship_name": address.name,
            "ship_company": address.company,
            "ship_line1": address.line1,
            "ship_line2": address.line2,
            "ship_city": address.city,
            "ship_province": address.province,
            "ship_postal_code": address.postal_code,
            "ship_phone": address.phone,
        }
    return initial


def _render_step(
    request: HttpRequest, template: str, step: int, **context
) -> HttpResponse:
    steps = [
        {"url": reverse(url_name), "label": label, "current": index == step}
        for index, (url_name, label) in enumerate(STEPS)
    ]
    return render(request, template, {"steps": steps, **context})
