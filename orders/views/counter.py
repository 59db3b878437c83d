"""The shop counter screen: ring up items, name a customer, take payment.

The sale being rung up lives in the session until it is recorded, so a
rejected payment or a bad code loses nothing. Each sale carries a client
key made when it starts: a double click or a retried request sends the
same key, and orders.counter.record_counter_sale records the sale once.
Every view is for staff only.
"""

import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from inventory.selectors import availability_for
from shop.consent import record_marketing_consent
from shop.models import ConsentSource, Customer
from shop.money import format_money

from ..counter import (
    CounterLine,
    CounterSaleError,
    find_variant,
    quote_counter_sale,
    record_counter_sale,
)
from ..counter_customers import find_customer, find_or_create_customer
from ..models import Order, Payment

SESSION_KEY = "counter_sale"
MAX_QUANTITY = 999
METHODS = [
    (Payment.Method.CASH, "Cash"),
    (Payment.Method.DEBIT, "Debit"),
    (Payment.Method.CARD_TERMINAL, "Credit card"),
]


def _new_state() -> dict:
    return {"lines": [], "customer_id": None, "client_key": secrets.token_urlsafe(16)}


def _state(request: HttpRequest) -> dict:
    state = request.session.get(SESSION_KEY)
    if state is None:
        state = _new_state()
        request.session[SESSION_KEY] = state
    return state


def _save(request: HttpRequest, state: dict) -> None:
    request.session[SESSION_KEY] = state
    request.session.modified = True


def _lines(state: dict) -> list[CounterLine]:
    return [
        CounterLine(variant_id, quantity) for variant_id, quantity in state["lines"]
    ]


@staff_member_required
def counter(request: HttpRequest) -> HttpResponse:
    """Show the sale being rung up, its totals and the payment buttons."""
    state = _state(request)
    quote, problem = None, ""
    if state["lines"]:
        try:
            quote = quote_counter_sale(lines=_lines(state))
        except CounterSaleError as error:
            problem = str(error)
    customer = (
        Customer.objects.filter(pk=state["customer_id"]).first()
        if state["customer_id"]
        else None
    )
    available = availability_for(variant_id for variant_id, _ in state["lines"])
    rows = [
        {"line": line, "available": available[line.variant.pk].quantity}
        for line in (quote.lines if quote else ())
    ]
    context = {
        "quote": quote,
        "rows": rows,
        "problem": problem,
        "customer": customer,
        "client_key": state["client_key"],
        "methods": METHODS,
        "tendered": state.get("tendered", ""),
    }
    return render(request, "orders/counter.html", context)


@staff_member_required
@require_POST
def counter_add(request: HttpRequest) -> HttpResponse:
    """Add the scanned or typed item to the sale."""
    state = _state(request)
    code = request.POST.get("code", "").strip()
    quantity = _quantity(request.POST.get("quantity", "1"))
    variant = find_variant(code)
    if quantity is None:
        messages.error(
            request,
            f"Quantity {request.POST.get('quantity')!r} is invalid; "
            f"enter a whole number from 1 to {MAX_QUANTITY}.",
        )
    elif variant is None:
        messages.error(
            request,
            f"No item on sale has barcode or SKU {code!r}; "
            "scan it again or type the SKU from the label.",
        )
    else:
        _add_line(state, variant.pk, quantity)
        _save(request, state)
    return redirect("orders:counter")


@staff_member_required
@require_POST
def counter_remove(request: HttpRequest) -> HttpResponse:
    """Take a line off the sale."""
    state = _state(request)
    variant_id = request.POST.get("variant_id", "")
    state["lines"] = [line for line in state["lines"] if str(line[0]) != variant_id]
    _save(request, state)
    return redirect("orders:counter")


@staff_member_required
@require_POST
def counter_customer(request: HttpRequest) -> HttpResponse:
    """Find, add or clear the customer the sale is for."""
    state = _state(request)
    action = request.POST.get("action")
    if action == "clear":
        state["customer_id"] = None
    elif action == "find":
        query = request.POST.get("query", "")
        customer = find_customer(query)
        if customer is None:
            messages.error(
                request,
                f"No customer has email or phone {query.strip()!r}; "
                "check it or add them as a new customer.",
            )
        else:
            state["customer_id"] = customer.pk
    elif action == "create":
        try:
            customer = find_or_create_customer(
                name=request.POST.get("name", ""),
                email=request.POST.get("email", ""),
                phone=request.POST.get("phone", ""),
            )
        except CounterSaleError as error:
            messages.error(request, str(error))
        else:
            state["customer_id"] = customer.pk
            if request.POST.get("marketing_consent"):
                _record_consent(request, customer, consent=True)
    elif action == "consent":
        customer = _customer(state)
        if customer is None:
            messages.error(
                request,
                "No customer is on this sale. Find or add the customer, then "
                "record their answer about marketing email.",
            )
        else:
            consent = bool(request.POST.get("marketing_consent"))
            _record_consent(request, customer, consent=consent)
    _save(request, state)
    return redirect("orders:counter")


def _record_consent(request: HttpRequest, customer: Customer, *, consent: bool) -> None:
    record_marketing_consent(
        customer=customer, consent=consent, source=ConsentSource.IN_STORE
    )
    if consent:
        note = f"{customer.email} accepts news and offers by email."
    else:
        note = f"{customer.email} gets no news or offers by email."
    messages.success(request, note)


@staff_member_required
@require_POST
def counter_pay(request: HttpRequest) -> HttpResponse:
    """Record the sale paid by the chosen method and show its receipt."""
    state = _state(request)
    client_key = request.POST.get("client_key", "")
    method = request.POST.get("method", "")
    tendered_text = request.POST.get("amount_tendered", "").strip()
    state["tendered"] = tendered_text
    try:
        order = record_counter_sale(
            lines=_lines(state),
            customer=_sale_customer(state),
            payment_method=method,
            amount_tendered=_tendered(method, tendered_text),
            client_key=client_key,
            user=request.user,
        )
    except CounterSaleError as error:
        messages.error(request, str(error))
        _save(request, state)
        return redirect("orders:counter")

    # A sale already recorded under an older key (a resubmitted form) must
    # not clear the sale now on the screen.
    if client_key == state["client_key"]:
        _save(request, _new_state())
    return redirect("orders:counter-receipt", number=order.number)


@staff_member_required
@require_POST
def counter_clear(request: HttpRequest) -> HttpResponse:
    """Drop the sale being rung up and start a new one."""
    _save(request, _new_state())
    return redirect("orders:counter")


@staff_member_required
def counter_receipt(request: HttpRequest, number: int) -> HttpResponse:
    """Show a counter sale's printable receipt."""
    order = get_object_or_404(
        Order.objects.select_related("customer", "invoice"),
        number=number,
        channel=Order.Channel.IN_STORE,
    )
    payment = order.payments.filter(status=Payment.Status.SUCCEEDED).first()
    change = None
    if payment and payment.amount_tendered is not None:
        change = payment.amount_tendered - payment.amount
    context = {
        "order": order,
        "payment": payment,
        "change": change,
        "rounding": format_money(order.cash_rounding_amount),
        "shop_address": settings.SHOP_ADDRESS,
        "business_number": settings.SHOP_BUSINESS_NUMBER,
    }
    return render(request, "orders/counter_receipt.html", context)


def _quantity(text: str) -> int | None:
    try:
        quantity = int(text)
    except (TypeError, ValueError):
        return None
    return quantity if 1 <= quantity <= MAX_QUANTITY else None


def _add_line(state: dict, variant_id: int, quantity: int) -> None:
    for line in state["lines"]:
        if line[0] == variant_id:
            line[1] = min(line[1] + quantity, MAX_QUANTITY)
            return
    state["lines"].append([variant_id, quantity])


def _customer(state: dict) -> Customer | None:
    if not state["customer_id"]:
        return None
    return Customer.objects.filter(pk=state["customer_id"]).first()


def _sale_customer(state: dict) -> Customer | None:
    """Return the sale's customer, or None for a walk-in sale.

    Raises CounterSaleError, and takes the customer off the sale, when the
    record chosen was merged into another or deleted since: the sale must
    not go to the walk-in record unnoticed.
    """
    customer = _customer(state)
    if customer is None and state["customer_id"]:
        missing = state["customer_id"]
        state["customer_id"] = None
        raise CounterSaleError(
            f"Customer {missing} is no longer on file: the record was merged "
            "into another or deleted. Find the customer again, then take "
            "payment."
        )
    return customer


def _tendered(method: str, text: str) -> Decimal | None:
    if method != Payment.Method.CASH:
        return None
    try:
        amount = Decimal(text.replace("$", "").replace(",", ""))
    except InvalidOperation:
        raise CounterSaleError(
            f"Cash tendered {text!r} is not an amount; enter dollars and cents, "
            "such as 60.00."
        ) from None
    if (
        not amount.is_finite()
        or amount < 0
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise CounterSaleError(
            f"Cash tendered {text!r} is not an amount; enter dollars and cents, "
            "such as 60.00."
        )
    return amount
