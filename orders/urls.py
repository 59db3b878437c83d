from django.urls import path

from .views import checkout, payment

app_name = "orders"

urlpatterns = [
    path("checkout/", checkout.checkout, name="checkout"),
    path("orders/<str:token>/pay/", payment.payment, name="payment"),
    path("orders/<str:token>/", payment.order_status, name="status"),
    path("stripe/webhook/", payment.stripe_webhook, name="stripe-webhook"),
]
