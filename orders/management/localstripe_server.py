"""Serve localstripe's fake Stripe API on 127.0.0.1 from a background thread.

Used by `manage.py run_localstripe` and by the test suite. localstripe
1.15 keeps its objects in a module-level store that it pickles to the fixed
path /tmp/localstripe.pickle after every write, and its own `localstripe`
command listens on every interface. This server instead starts from an
empty store, writes the pickle into a directory of its own (so servers in
other processes never share state) and binds to the loopback interface.
"""

import asyncio
import logging
import pickle
import socket
import threading
from pathlib import Path

from aiohttp import web
from localstripe import resources, webhooks
from localstripe.server import app

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"


class LocalStripeServer:
    """One localstripe server on 127.0.0.1; `port=0` picks a free port."""

    def __init__(self, *, state_dir: Path, port: int = 0) -> None:
        self.state_path = Path(state_dir) / "localstripe.pickle"
        self.requested_port = port
        self.port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("The localstripe server is not running.")
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        """Empty the store, bind the socket and serve until `stop()`."""
        self._reset_state()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, self.requested_port))
        self.port = sock.getsockname()[1]

        started = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._serve, args=(sock, started), name="localstripe", daemon=True
        )
        self._thread.start()
        if not started.wait(timeout=10):
            raise RuntimeError(f"localstripe did not start on {self.url}.")
        logger.info("localstripe started", extra={"url": self.url})

    def stop(self) -> None:
        """Close the listening socket and end the server's thread."""
        if self._loop is None or self._thread is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        future.result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop, self._thread = None, None
        logger.info("localstripe stopped", extra={"url": self.url})

    def register_webhook(
        self, *, url: str, secret: str, events: list[str] | None = None
    ) -> None:
        """Send events of the given types (all when None) to `url`.

        Deliveries are signed with `secret` in Stripe's v1 scheme.
        """
        webhooks.register_webhook("ledgerfront", url, secret, events)

    def clear_webhooks(self) -> None:
        webhooks._webhooks.clear()

    def _reset_state(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        store = resources.store
        dict.clear(store)
        self.clear_webhooks()
        # An instance attribute shadows Store.dump_to_disk, which every
        # write calls, so the pickle goes to this server's own file.
        store.dump_to_disk = self._dump_store

    def _dump_store(self) -> None:
        with self.state_path.open("wb") as state_file:
            pickle.dump(dict(resources.store), state_file)

    def _serve(self, sock: socket.socket, started: threading.Event) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.SockSite(self._runner, sock)
        self._loop.run_until_complete(site.start())
        started.set()
        self._loop.run_forever()
        self._loop.close()

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        # Webhook deliveries still waiting (localstripe sleeps a second
        # before each) are dropped with the server.
        pending = [
            task for task in asyncio.all_tasks() if task is not asyncio.current_task()
        ]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
