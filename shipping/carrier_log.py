"""Write one CarrierCall row per request sent to a carrier."""

from shipping.models import CarrierCall

# Enough for any rate or shipment document; label PDFs are not stored.
MAX_BODY_CHARS = 20_000
REDACTED = "[redacted]"


def record_carrier_call(
    *,
    carrier: str,
    operation: str,
    method: str,
    url: str,
    status_code: int | None,
    succeeded: bool,
    error: str = "",
    request_body: bytes | str = b"",
    response_body: bytes | str = b"",
    duration_ms: int = 0,
    attempt: int = 1,
    reference: str = "",
    secrets: tuple[str, ...] = (),
) -> CarrierCall:
    """Save a CarrierCall row, bodies truncated and `secrets` blanked out.

    Pass the account password in `secrets`: it is replaced wherever it
    appears, in case a carrier ever echoes it back.
    """
    return CarrierCall.objects.create(
        carrier=carrier,
        operation=operation,
        method=method,
        url=_clean(url, secrets)[:500],
        status_code=status_code,
        succeeded=succeeded,
        error=_clean(error, secrets),
        request_body=_clean(_text(request_body), secrets),
        response_body=_clean(_text(response_body), secrets),
        duration_ms=duration_ms,
        attempt=attempt,
        reference=reference[:100],
    )


def _text(body: bytes | str) -> str:
    if isinstance(body, str):
        text = body
    elif body.startswith(b"%PDF"):
        return f"[PDF, {len(body)} bytes]"
    else:
        text = body.decode("utf-8", errors="replace")
    if len(text) > MAX_BODY_CHARS:
        cut = len(text) - MAX_BODY_CHARS
        return f"{text[:MAX_BODY_CHARS]}\n[{cut} more characters not stored]"
    return text


def _clean(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text
