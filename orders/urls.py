from django.urls import path

from .views import checkout, counter, payment

app_name = "orders"

urlpatterns = [
    path("checkout/", checkout.checkout, name="checkout"),
    path("checkout/shipping/", checkout.checkout_shipping, name="checkout-shipping"),
    path("checkout/review/", checkout.checkout_review, name="checkout-review"),
    path("orders/<str:token>/pay/", payment.payment, name="payment"),
    path(
        "orders/<str:token>/pay/confirm/",
        payment.confirm_payment,
        name="payment-confirm",
    ),
    path(
        "orders/<str:token>/pay/return/", payment.payment_return, name="payment-return"
    ),
    path("orders/<str:token>/confirmation/", payment.confirmation, name="confirmation"),
    path("orders/<str:token>/", payment.order_status, name="status"),
    path("orders/<str:token>/invoice.pdf", payment.invoice_download, name="invoice"),
    path(
        "account/orders/<int:number>/invoice.pdf",
        payment.customer_invoice_download,
        name="customer-invoice",
    ),
    path("account/orders/<int:number>/", payment.customer_order, name="customer-order"),
    path("stripe/webhook/", payment.stripe_webhook, name="stripe-webhook"),
    path("counter/", counter.counter, name="counter"),
    path("counter/add/", counter.counter_add, name="counter-add"),
    path("counter/remove/", counter.counter_remove, name="counter-remove"),
    path("counter/customer/", counter.counter_customer, name="counter-customer"),
    path("counter/pay/", counter.counter_pay, name="counter-pay"),
    path("counter/clear/", counter.counter_clear, name="counter-clear"),
    path(
        "counter/receipts/<int:number>/",
        counter.counter_receipt,
        name="counter-receipt",
    ),
]
