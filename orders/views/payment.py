"""Payment screens, the Stripe webhook and the order pages after payment."""

from django.http import HttpResponse


def payment(request, token):
    return HttpResponse("Payment is not built yet.", status=501)


def order_status(request, token):
    return HttpResponse("Order status is not built yet.", status=501)


def stripe_webhook(request):
    return HttpResponse(status=501)
