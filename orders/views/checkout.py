"""Checkout screens: contact and address, shipping method, review."""

from django.http import HttpResponse


def checkout(request):
    return HttpResponse("Checkout is not built yet.", status=501)
