"""Serve localstripe's fake Stripe API for offline test payments."""

import tempfile
import threading
from pathlib import Path

from django.core.management.base import BaseCommand

from orders.management.localstripe_server import HOST, LocalStripeServer


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

    def handle(self, *args, port: int, **options):
        with tempfile.TemporaryDirectory(prefix="localstripe-") as state_dir:
            server = LocalStripeServer(state_dir=Path(state_dir), port=port)
            server.start()
            self.stdout.write(
                f"localstripe listening on http://{HOST}:{server.port} "
                f"(Stripe.js at http://{HOST}:{server.port}/js.stripe.com/v3/)."
            )
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                self.stdout.write("Stopping localstripe.")
            finally:
                server.stop()
