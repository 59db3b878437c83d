"""The response that sends a stored or rendered document to a browser.

MEDIA_ROOT contains invoices, credit notes, labels, packing slips, Canada
Post manifests and staff job files, which carry customers' names and
addresses, and no URL serves that folder. Each kind of document has a view
that checks access first, then sends the file with document_response.
"""

from io import BytesIO
from typing import BinaryIO

from django.http import FileResponse


def document_response(
    content: bytes | BinaryIO, *, filename: str, as_attachment: bool = True
) -> FileResponse:
    """Build the response that sends a document under `filename`.

    The content type is guessed from the filename's extension. The headers
    stop browsers from sniffing another type, and stop shared caches and
    proxies from keeping a copy, because the URL of a customer's invoice
    opens without signing in.
    """
    if isinstance(content, bytes):
        content = BytesIO(content)
    response = FileResponse(content, as_attachment=as_attachment, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
