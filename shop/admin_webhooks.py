"""Webhook endpoints and their delivery log in the admin.

Only the Manager role has the shop app's webhook permissions. An
endpoint's signing secret is masked on its page and shown in full once,
in the message after the endpoint is added or its secret regenerated.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from .models import (
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    new_webhook_secret,
)
from .webhooks import WebhookError, check_endpoint_url, resend_delivery

# Characters at the end of the secret shown on the endpoint's page.
SECRET_VISIBLE_CHARACTERS = 4


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="Where the events are POSTed, an http or https address.",
    )
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Event types sent to this URL.",
        error_messages={"required": "Choose at least one event to send."},
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "is_active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        check_endpoint_url(url)
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "event_list", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["masked_secret", "created_at"]
    actions = ["regenerate_secret"]

    def get_fields(self, request: HttpRequest, obj=None):
        fields = ["name", "url", "events", "is_active"]
        return fields if obj is None else [*fields, "masked_secret", "created_at"]

    @admin.display(description="Events")
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)

    @admin.display(description="Signing secret")
    def masked_secret(self, endpoint: WebhookEndpoint) -> str:
        secret = endpoint.secret
        return (
            f"{secret[:6]}…{secret[-SECRET_VISIBLE_CHARACTERS:]} (shown in full "
            "only when created; regenerate it from the list to see a new one)"
        )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            _show_secret(request, obj)

    @admin.action(description="Regenerate signing secret", permissions=["change"])
    def regenerate_secret(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            endpoints = list(queryset.select_for_update())
            for endpoint in endpoints:
                endpoint.secret = new_webhook_secret()
                endpoint.save(update_fields=["secret"])
        for endpoint in endpoints:
            _show_secret(request, endpoint)


def _show_secret(request: HttpRequest, endpoint: WebhookEndpoint) -> None:
    messages.warning(
        request,
        f"Signing secret of {endpoint.name}: {endpoint.secret} — copy it into "
        "the receiver now, it is not shown again. Deliveries from now on, "
        "retries included, are signed with it.",
    )


DELIVERY_FIELDS = (
    "endpoint",
    "event_type",
    "event_id",
    "status",
    "attempts",
    "next_attempt_at",
    "delivered_at",
    "response_status",
    "response_body_text",
    "error",
    "resend_of_link",
    "created_at",
    "payload_json",
)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every event sent to every endpoint, read-only."""

    list_display = [
        "created_at",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "response_status",
        "next_attempt_at",
        "event_id",
    ]
    list_filter = ["status", "event_type", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["=event_id", "endpoint__name"]
    date_hierarchy = "created_at"
    fields = DELIVERY_FIELDS
    readonly_fields = DELIVERY_FIELDS
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("shop.add_webhookdelivery")

    @admin.display(description="Payload")
    def payload_json(self, delivery: WebhookDelivery) -> str:
        text = json.dumps(delivery.payload, indent=2, ensure_ascii=False)
        return format_html("<pre>{}</pre>", text)

    @admin.display(description="Response body")
    def response_body_text(self, delivery: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", delivery.response_body or "—")

    @admin.display(description="Resend of")
    def resend_of_link(self, delivery: WebhookDelivery) -> str:
        if delivery.resend_of_id is None:
            return "—"
        url = reverse("admin:shop_webhookdelivery_change", args=[delivery.resend_of_id])
        return format_html('<a href="{}">Delivery {}</a>', url, delivery.resend_of_id)

    @admin.action(description="Resend", permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet) -> None:
        resent, replaced = 0, 0
        with transaction.atomic():
            for delivery in queryset.select_related("endpoint").order_by("pk"):
                was_pending = delivery.status == WebhookDelivery.Status.PENDING
                try:
                    resend_delivery(delivery=delivery)
                except WebhookError as error:
                    self.message_user(request, str(error), messages.ERROR)
                    continue
                resent += 1
                if was_pending and delivery.status == WebhookDelivery.Status.FAILED:
                    replaced += 1
        if resent:
            self.message_user(request, _resent_message(resent, replaced))


def _resent_message(resent: int, replaced: int) -> str:
    message = ngettext(
        "Resent %(count)d delivery, keeping its event id.",
        "Resent %(count)d deliveries, keeping their event ids.",
        resent,
    ) % {"count": resent}
    if not replaced:
        return message
    return f"{message} " + ngettext(
        "%(count)d of them was still pending, so it is marked failed and "
        "only its resend is retried.",
        "%(count)d of them were still pending, so they are marked failed and "
        "only their resends are retried.",
        replaced,
    ) % {"count": replaced}
