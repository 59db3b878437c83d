"""Serve localstripe's fake Stripe API for offline test payments."""

import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from orders.management.localstripe_server import HOST, LocalStripeServer
from orders.payments import WEBHOOK_HANDLERS


class Command(BaseCommand):
    help = (
        "Serve localstripe's fake Stripe API on 127.0.0.1, starting with no "
        "objects, until interrupted (Ctrl-C)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=8420,
            help="TCP port on 127.0.0.1 to listen on (default 8420).",
        )
        parser.add_argument(
            "--webhook-url",
            default=None,
            help=(
                "URL that receives the Stripe events, signed with "
                "STRIPE_WEBHOOK_SECRET (default: the shop's webhook under "
                "SHOP_BASE_URL). Pass an empty string to send none."
            ),
        )

    def handle(self, *args, port: int, webhook_url: str | None, **options):
        if webhook_url is None:
            path = reverse("orders:stripe-webhook")
            webhook_url = settings.SHOP_BASE_URL.rstrip("/") + path
        with tempfile.TemporaryDirectory(prefix="localstripe-") as state_dir:
            server = LocalStripeServer(state_dir=Path(state_dir), port=port)
            server.start()
            self.stdout.write(
                f"localstripe listening on http://{HOST}:{server.port} "
                f"(Stripe.js at http://{HOST}:{server.port}/js.stripe.com/v3/)."
            )
            if webhook_url:
                server.register_webhook(
                    url=webhook_url,
                    secret=settings.STRIPE_WEBHOOK_SECRET,
                    events=sorted(WEBHOOK_HANDLERS),
                )
                self.stdout.write(f"Sending Stripe events to {webhook_url}.")
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                self.stdout.write("Stopping localstripe.")
            finally:
                server.stop()
