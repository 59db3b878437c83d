"""Customer accounts: sign up, log in, log out, confirm the email, the
account page and password reset.

Logging in or signing up merges the cart filled before it into the
customer's saved cart (shop.cart.adopt_session_cart). The views do it, not a
user_logged_in signal, so that a staff login to the admin leaves the
storefront cart alone and the merge messages can be shown.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from orders.models import Order

from ..accounts import (
    ConfirmationError,
    LoggedPasswordResetForm,
    SignupError,
    confirm_email,
    confirmation_pending,
    register_customer,
    send_confirmation_email,
)
from ..cart import adopt_session_cart, get_cart
from ..forms import EmailAuthenticationForm, SignupForm
from ..login_throttling import clear_failed_sign_ins

ORDERS_PER_PAGE = 20


class PasswordResetView(auth_views.PasswordResetView):
    form_class = LoggedPasswordResetForm
    email_template_name = "emails/account_password_reset.txt"
    subject_template_name = "emails/account_password_reset_subject.txt"
    success_url = reverse_lazy("shop:password-reset-done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("shop:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        clear_failed_sign_ins(form.user)
        return response


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        session_cart = get_cart(self.request)
        response = super().form_valid(form)
        _report_merge(self.request, adopt_session_cart(self.request, session_cart))
        return response


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("shop:account")

    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = register_customer(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except SignupError as error:
            form.add_error("email", str(error))
        else:
            session_cart = get_cart(request)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            _report_merge(request, adopt_session_cart(request, session_cart))
            messages.success(request, f"Welcome! You are logged in as {user.email}.")
            _send_confirmation(request, user)
            return redirect(_next_url(request))

    context = {"form": form, "next": request.GET.get("next", "")}
    return render(request, "registration/signup.html", context)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    orders = Order.objects.filter(customer__user=request.user).order_by("-created_at")
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "confirmation_pending": confirmation_pending(request.user)}
    return render(request, "shop/account.html", context)


@login_required
@require_POST
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    if confirmation_pending(request.user):
        _send_confirmation(request, request.user)
    else:
        messages.info(request, "Your email is confirmed already.")
    return redirect("shop:account")


@require_http_methods(["GET", "POST"])
def confirm_email_view(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm the email on POST; GET shows a button, as mail scanners GET."""
    if request.method == "GET":
        return render(request, "registration/confirm_email.html", {"token": token})

    try:
        customer = confirm_email(token)
    except ConfirmationError as error:
        messages.error(request, str(error))
        return render(
            request, "registration/confirm_email.html", {"token": None}, status=400
        )
    messages.success(
        request,
        f"Thank you: {customer.email} is confirmed, and the orders placed with "
        "it are in your account.",
    )
    return redirect("shop:account")


def _send_confirmation(request: HttpRequest, user) -> None:
    try:
        sent = send_confirmation_email(user)
    except Exception:
        # send_logged_email has logged the error with its EmailLog row.
        messages.error(
            request,
            f"The confirmation email to {user.email} could not be sent. "
            "Try Resend on your account page in a few minutes.",
        )
        return
    if sent:
        messages.info(
            request,
            f"We sent a confirmation email to {user.email}. Follow its link to "
            "see your orders in your account.",
        )
    else:
        messages.info(
            request,
            f"A confirmation email went to {user.email} less than a minute ago. "
            "Check your inbox and spam folder.",
        )


def _report_merge(request: HttpRequest, notes: list[str]) -> None:
    for note in notes:
        messages.warning(request, note)


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else settings.LOGIN_REDIRECT_URL
