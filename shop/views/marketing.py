"""Marketing email on the storefront: the mailing-list sign-up form, the
customer's choice on the account page, and the unsubscribe link.

Each view records the decision through shop.consent, which stores its date
and source.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ..consent import (
    InvalidUnsubscribeLink,
    read_unsubscribe_token,
    record_marketing_consent,
    subscribe_to_mailing_list,
    unsubscribe,
)
from ..customers import InvalidCustomerEmail
from ..forms import MailingListForm, MarketingConsentForm
from ..models import ConsentSource, Customer

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
def mailing_list(request: HttpRequest) -> HttpResponse:
    """Sign an email up for marketing email. The footer form posts here."""
    form = MailingListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            subscribe_to_mailing_list(email)
        except InvalidCustomerEmail as error:
            form.add_error("email", str(error))
        else:
            # The same message whether or not the email was known, so the
            # form does not tell strangers who shops here.
            messages.success(
                request,
                f"Thank you: {email} is on our mailing list. Every email we "
                "send has a link to unsubscribe.",
            )
            return redirect("shop:mailing-list")

    status = 400 if form.errors else 200
    return render(request, "shop/mailing_list.html", {"form": form}, status=status)


@login_required
@require_POST
def account_marketing(request: HttpRequest) -> HttpResponse:
    """Record the signed-in customer's choice about marketing email."""
    customer = Customer.objects.filter(user=request.user).first()
    if customer is None:
        messages.error(
            request,
            "Confirm your email first: follow the link we emailed you, then "
            "choose whether you want our news and offers.",
        )
        return redirect("shop:account")

    form = MarketingConsentForm(request.POST)
    form.is_valid()  # A lone checkbox is always valid.
    consent = form.cleaned_data["marketing_consent"]
    record_marketing_consent(
        customer=customer, consent=consent, source=ConsentSource.ACCOUNT
    )
    if consent:
        messages.success(request, f"We will email {customer.email} news and offers.")
    else:
        messages.success(
            request, f"We will send no more news or offers to {customer.email}."
        )
    return redirect("shop:account")


# Mail clients send RFC 8058 one-click unsubscribe requests as a POST with
# no session and no CSRF token. The signed token is the authorization.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """Withdraw consent on POST. A GET shows a button, because mail
    scanners follow links."""
    try:
        if request.method == "POST":
            context = {"email": unsubscribe(token), "done": True}
        else:
            context = {"email": read_unsubscribe_token(token), "token": token}
    except InvalidUnsubscribeLink as error:
        logger.warning("Unsubscribe link rejected: invalid signature")
        context = {"error": str(error)}
        return render(request, "shop/unsubscribe.html", context, status=400)
    return render(request, "shop/unsubscribe.html", context)
