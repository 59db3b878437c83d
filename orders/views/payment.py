"""Payment screens, the Stripe webhook and the order pages after payment.

Order pages are found by the order's unguessable access token, which the
confirmation page and the invoice email carry, or by number for a signed-in
customer who owns the order. Anyone else gets 404.
"""

import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounting.invoices import invoice_filename
from accounting.models import Invoice
from accounting.services import invoice_pdf
from shop.cart import clear_cart, get_cart
from shop.downloads import document_response

from .. import payments
from ..models import Order, Payment
from ..refunds import RefundInProgressError
from .checkout import PENDING_ORDER_SESSION_KEY

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = (
    "Card payments are unavailable at the moment. Your order is saved: "
    "please try again in a few minutes."
)
AUTHENTICATION_MESSAGE = (
    "Your bank's security check was not completed. Please pay again."
)
AUTHENTICATION_FAILED_MESSAGE = (
    "Your bank did not confirm this payment. Try again or use another card."
)
# Stripe's message for a failed 3-D Secure check (error code
# payment_intent_authentication_failure) is written for developers. It is
# kept in Payment.failure_message and replaced on the customer's screens.
STRIPE_AUTHENTICATION_FAILED = "has failed authentication"


def _orders():
    return Order.objects.prefetch_related("lines", "taxes", "payments")


def _order_for_token(token: str) -> Order:
    return get_object_or_404(_orders(), access_token=token)


@require_GET
def payment(request: HttpRequest, token: str) -> HttpResponse:
    order = _order_for_token(token)
    if order.is_paid:
        return redirect("orders:confirmation", token=token)
    if order.status != Order.Status.PENDING_PAYMENT:
        raise Http404("This order cannot be paid.")

    context = {"order": order, "error": ""}
    try:
        payment = payments.prepare_payment(order)
    except stripe.StripeError:
        logger.exception("PaymentIntent not ready", extra={"order_id": order.pk})
        context["error"] = UNAVAILABLE_MESSAGE
    else:
        if payment.status == Payment.Status.FAILED:
            context["error"] = _customer_message(payment.failure_message)
    context.update(
        stripe_js_url=settings.STRIPE_JS_URL,
        stripe_publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
    )
    return render(request, "orders/payment.html", context)


@require_POST
def confirm_payment(request: HttpRequest, token: str) -> JsonResponse:
    """Charge the card id posted by payment.js; reply with what comes next."""
    # TODO: rate-limit card attempts per order and per client address, to
    # slow down card testing.
    order = _order_for_token(token)
    if order.is_paid:
        return _payment_response(request, payments.PaymentResult("succeeded", order))
    card_id = request.POST.get("card_id", "").strip()
    if not card_id.startswith("card_"):
        message = "The card details are missing. Please enter your card again."
        return JsonResponse({"status": "failed", "message": message}, status=400)

    try:
        result = payments.pay_with_card(order=order, card_id=card_id)
    except stripe.StripeError:
        logger.exception("Card payment not confirmed", extra={"order_id": order.pk})
        return JsonResponse(
            {"status": "failed", "message": UNAVAILABLE_MESSAGE}, status=503
        )
    return _payment_response(request, result)


def _payment_response(
    request: HttpRequest, result: payments.PaymentResult
) -> JsonResponse:
    token = result.order.access_token
    if result.status == "succeeded":
        _clear_customer_cart(request, result.order)
        url = reverse("orders:confirmation", kwargs={"token": token})
        return JsonResponse({"status": "succeeded", "redirect_url": url})
    if result.status == "requires_action":
        return JsonResponse(
            {
                "status": "requires_action",
                "client_secret": result.client_secret,
                "return_url": reverse("orders:payment-return", kwargs={"token": token}),
            }
        )
    if result.status == "processing":
        url = reverse("orders:status", kwargs={"token": token})
        return JsonResponse({"status": "processing", "redirect_url": url})
    message = _customer_message(result.message)
    return JsonResponse({"status": "failed", "message": message}, status=402)


def _customer_message(failure_message: str) -> str:
    if STRIPE_AUTHENTICATION_FAILED in failure_message:
        return AUTHENTICATION_FAILED_MESSAGE
    return failure_message


@require_GET
def payment_return(request: HttpRequest, token: str) -> HttpResponse:
    """Re-read the intent after 3-D Secure and send the customer on."""
    order = _order_for_token(token)
    if not order.is_paid:
        try:
            result = payments.refresh_payment(order)
        except stripe.StripeError:
            logger.exception("PaymentIntent not read", extra={"order_id": order.pk})
            messages.error(request, UNAVAILABLE_MESSAGE)
            return redirect("orders:status", token=token)
        if result.status == "processing":
            return redirect("orders:status", token=token)
        if result.status == "requires_action":
            messages.warning(request, AUTHENTICATION_MESSAGE)
        if result.status != "succeeded":
            return redirect("orders:payment", token=token)
    _clear_customer_cart(request, order)
    return redirect("orders:confirmation", token=token)


def _clear_customer_cart(request: HttpRequest, order: Order) -> None:
    # The payment was made from this browser, so its cart is the one the
    # order came from.
    cart = get_cart(request)
    if cart is not None:
        clear_cart(cart)
    if request.session.get(PENDING_ORDER_SESSION_KEY) == order.pk:
        del request.session[PENDING_ORDER_SESSION_KEY]


@require_GET
def confirmation(request: HttpRequest, token: str) -> HttpResponse:
    order = _order_for_token(token)
    if not order.is_paid:
        return redirect("orders:payment", token=token)
    return render(request, "orders/confirmation.html", {"order": order})


@require_GET
def order_status(request: HttpRequest, token: str) -> HttpResponse:
    order = _order_for_token(token)
    invoice_url = reverse("orders:invoice", kwargs={"token": token})
    return _render_status(request, order, invoice_url)


@require_GET
def customer_order(request: HttpRequest, number: int) -> HttpResponse:
    """Show a signed-in customer's own order; 404 for anyone else."""
    order = _customer_order(request, number)
    invoice_url = reverse("orders:customer-invoice", kwargs={"number": number})
    return _render_status(request, order, invoice_url)


@require_GET
def invoice_download(request: HttpRequest, token: str) -> HttpResponse:
    """Send the paid order's invoice PDF; 404 before it is issued."""
    return _invoice_response(_order_for_token(token))


@require_GET
def customer_invoice_download(request: HttpRequest, number: int) -> HttpResponse:
    """Send a signed-in customer's own invoice PDF; 404 for anyone else."""
    return _invoice_response(_customer_order(request, number))


def _customer_order(request: HttpRequest, number: int) -> Order:
    if not request.user.is_authenticated:
        raise Http404("No order found.")
    return get_object_or_404(
        _orders(), number=number, customer__user_id=request.user.pk
    )


def _render_status(request: HttpRequest, order: Order, invoice_url: str):
    # Orders that shipped or were cancelled after payment keep their paid_at.
    was_paid = order.paid_at is not None
    has_invoice = was_paid and Invoice.objects.filter(order=order).exists()
    context = {"order": order, "invoice_url": invoice_url if has_invoice else ""}
    return render(request, "orders/status.html", context)


def _invoice_response(order: Order) -> HttpResponse:
    was_paid = order.paid_at is not None
    invoice = Invoice.objects.filter(order=order).first() if was_paid else None
    if invoice is None:
        raise Http404("This order has no invoice yet.")
    return document_response(invoice_pdf(invoice), filename=invoice_filename(invoice))


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = payments.construct_webhook_event(
            payload=request.body, signature=signature
        )
    except (ValueError, stripe.SignatureVerificationError) as error:
        logger.warning("Stripe webhook rejected: %s", error)
        return HttpResponse("Invalid payload or signature.", status=400)
    try:
        payments.handle_stripe_event(event)
    except RefundInProgressError as error:
        # The refund started here has not finished recording, so responding
        # with an error makes Stripe deliver the event again later.
        logger.warning("Stripe webhook deferred: %s", error)
        return HttpResponse("Refund still in progress; retry later.", status=503)
    return HttpResponse(status=200)
