"""Sign-in throttling: the lockout page and clearing a lockout.

django-axes counts failed sign-ins per username and IP address and rejects
the pair after AXES_FAILURE_LIMIT failures, for AXES_COOLOFF_TIME (see
config/settings/base.py). This module renders the lockout page, and clears
a user's failures when they reset their password by email.
"""

import logging
import math

from axes.utils import reset
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

logger = logging.getLogger(__name__)

TOO_MANY_REQUESTS = 429


def cooloff_text() -> str:
    """Return the lockout period in words, such as "15 minutes"."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def staff_lockout_message(username: str) -> str:
    """Return the lockout message of the admin and the API token endpoint.

    It links to no password reset, because that page is the storefront's
    and a staff account may have no email. The roles in shop.roles grant no
    django-axes permission, so the message sends staff to a superuser.
    """
    return (
        f"Too many failed sign-ins for {username}. Try again in {cooloff_text()}, "
        "or ask a superuser to clear the lockout (Access attempts in the admin, "
        f"or manage.py axes_reset_username {username})."
    )


def lockout_message_html(username: str) -> SafeString:
    """Return the customer lockout message, linking to the password reset."""
    return format_html(
        'Too many failed sign-ins for {}. Try again in {}, or <a href="{}">reset '
        "your password</a>.",
        username,
        cooloff_text(),
        reverse("shop:password-reset"),
    )


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None,
    credentials: dict | None,
) -> HttpResponse:
    """Render the lockout page, with HTTP 429, in the admin's or shop's look.

    django-axes calls this (AXES_LOCKOUT_CALLABLE) in place of the login
    view's response once the username and IP address are locked out.
    """
    username = (credentials or {}).get("username") or ""
    context = {"title": "Too many failed sign-ins"}
    if request.path.startswith(reverse("admin:index")):
        context |= admin.site.each_context(request)
        context["message"] = staff_lockout_message(username)
        template = "admin/login_locked_out.html"
    else:
        context["message"] = lockout_message_html(username)
        template = "registration/login_locked_out.html"
    return render(request, template, context, status=TOO_MANY_REQUESTS)


def clear_failed_sign_ins(user: AbstractBaseUser) -> int:
    """Forget the user's failed sign-ins from every IP address.

    Called once the user has proved they own the account's email, so a
    lockout no longer blocks them from using their new password. Returns
    the number of django-axes AccessAttempt rows deleted.
    """
    count = reset(username=user.get_username())
    if count:
        logger.info(
            "Failed sign-ins cleared", extra={"user_id": user.pk, "attempts": count}
        )
    return count
