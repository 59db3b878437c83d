"""HTTP for Canada Post: headers, Basic auth, timeouts, retries and the log.

Every attempt is saved as a CarrierCall row. Calls must run outside
database transactions, because a retry sleeps between attempts.
"""

import logging
import time
from dataclasses import dataclass

import requests

from shipping.carrier_log import record_carrier_call

from .errors import CanadaPostError, CanadaPostUnavailable, Message
from .xmltools import parse_messages

logger = logging.getLogger(__name__)

CARRIER = "canadapost"


@dataclass(frozen=True)
class Call:
    """One operation to send: where, how, and whether it is safe to repeat.

    Creating a shipment, a refund or a transmit is not idempotent: repeating
    it after a read timeout could buy a second label, so such calls are
    retried only when the connection was never made.
    """

    operation: str
    method: str
    url: str
    media_type: str
    body: bytes = b""
    idempotent: bool = True
    reference: str = ""


class Transport:
    """Send calls to one Canada Post account."""

    def __init__(
        self,
        *,
        username: str,
        password: str,
        timeout: float,
        max_attempts: int = 3,
        backoff_seconds: float = 0.5,
        language: str = "en-CA",
    ):
        self.auth = (username, password)
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.language = language
        self.session = requests.Session()

    def send(self, call: Call) -> bytes:
        """Send `call` and return the response body.

        Raises CanadaPostError when Canada Post rejects the request and
        CanadaPostUnavailable after the last failed attempt.
        """
        for attempt in range(1, self.max_attempts + 1):
            last = attempt == self.max_attempts
            try:
                return self._attempt(call, attempt, last=last)
            except _Retry:
                delay = self.backoff_seconds * 2 ** (attempt - 1)
                logger.warning(
                    "Canada Post call failed, retrying",
                    extra={"operation": call.operation, "attempt": attempt},
                )
                time.sleep(delay)
        raise AssertionError("unreachable: the last attempt raises or returns")

    def _attempt(self, call: Call, attempt: int, *, last: bool) -> bytes:
        started = time.monotonic()
        try:
            response = self.session.request(
                call.method,
                call.url,
                data=call.body or None,
                headers=self._headers(call),
                auth=self.auth,
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            self._log(call, attempt, started, None, b"", _describe(error, self))
            retryable = call.idempotent or isinstance(error, requests.ConnectTimeout)
            if retryable and not last and _is_transient(error):
                raise _Retry from error
            raise CanadaPostUnavailable(
                f"Canada Post {call.operation} failed after {attempt} "
                f"attempt(s): {_describe(error, self)}. Try again later."
            ) from error
        return self._handle(call, attempt, started, response, last=last)

    def _handle(
        self,
        call: Call,
        attempt: int,
        started: float,
        response: requests.Response,
        *,
        last: bool,
    ) -> bytes:
        status, body = response.status_code, response.content
        if status < 400:
            self._log(call, attempt, started, status, body, "")
            return body

        messages = parse_messages(body)
        error = (
            str(CanadaPostError(messages, status_code=status))
            if messages
            else f"HTTP {status} {response.reason}"
        )
        self._log(call, attempt, started, status, body, error)
        if status >= 500 and call.idempotent and not last:
            raise _Retry
        if messages:
            raise CanadaPostError(messages, status_code=status)
        if status >= 500:
            raise CanadaPostUnavailable(
                f"Canada Post {call.operation} failed with HTTP {status} after "
                f"{attempt} attempt(s). Try again later."
            )
        raise CanadaPostError(
            [Message(code=str(status), description=response.reason or "")],
            status_code=status,
        )

    def _headers(self, call: Call) -> dict[str, str]:
        headers = {"Accept": call.media_type, "Accept-language": self.language}
        if call.body:
            headers["Content-Type"] = call.media_type
        return headers

    def _log(
        self,
        call: Call,
        attempt: int,
        started: float,
        status: int | None,
        body: bytes,
        error: str,
    ) -> None:
        record_carrier_call(
            carrier=CARRIER,
            operation=call.operation,
            method=call.method,
            url=call.url,
            status_code=status,
            succeeded=not error,
            error=error,
            request_body=call.body,
            response_body=body,
            duration_ms=round((time.monotonic() - started) * 1000),
            attempt=attempt,
            reference=call.reference,
            secrets=(self.auth[1],),
        )


class _Retry(Exception):
    """A transient failure on an attempt that is not the last."""


def _is_transient(error: requests.RequestException) -> bool:
    return isinstance(error, requests.Timeout | requests.ConnectionError)


def _describe(error: requests.RequestException, transport: Transport) -> str:
    if isinstance(error, requests.Timeout):
        return f"no answer within {transport.timeout:g} s"
    if isinstance(error, requests.ConnectionError):
        return "could not connect"
    return type(error).__name__
