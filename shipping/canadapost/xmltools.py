"""Namespaces, media types and small XML helpers for Canada Post's REST API.

Every service has its own vendor media type, sent as both Accept and
Content-Type (Canada Post rejects */*), and its own XML namespace.
"""

import re
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal

from .errors import Message

RATE_MEDIA_TYPE = "application/vnd.cpc.ship.rate-v4+xml"
RATE_NS = "http://www.canadapost.ca/ws/ship/rate-v4"
SHIPMENT_MEDIA_TYPE = "application/vnd.cpc.shipment-v8+xml"
SHIPMENT_NS = "http://www.canadapost.ca/ws/shipment-v8"
NCSHIPMENT_MEDIA_TYPE = "application/vnd.cpc.ncshipment-v4+xml"
NCSHIPMENT_NS = "http://www.canadapost.ca/ws/ncshipment-v4"
MANIFEST_MEDIA_TYPE = "application/vnd.cpc.manifest-v8+xml"
MANIFEST_NS = "http://www.canadapost.ca/ws/manifest-v8"
TRACK_MEDIA_TYPE = "application/vnd.cpc.track-v2+xml"
TRACK_NS = "http://www.canadapost.ca/ws/track-v2"
PDF_MEDIA_TYPE = "application/pdf"

# Error documents: tracking uses its own namespace, every other service the
# shared one.
MESSAGES_NAMESPACES = (
    "http://www.canadapost.ca/ws/messages",
    "http://www.canadapost.ca/ws/track",
)

POSTAL_CODE = re.compile(r"^[A-Z]\d[A-Z]\d[A-Z]\d$")
WEIGHT_KG = Decimal("0.001")
DIMENSION_CM = Decimal("0.1")


def element(namespace: str, tag: str) -> ET.Element:
    """Return a root element whose default namespace is `namespace`."""
    return ET.Element(tag, xmlns=namespace)


def add(parent: ET.Element, tag: str, text: object | None = None) -> ET.Element:
    """Append a child element, with `text` when it is given."""
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


def serialize(root: ET.Element) -> bytes:
    """Return the document as UTF-8 bytes with an XML declaration."""
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def parse(body: bytes) -> ET.Element:
    """Parse a response body; raises ET.ParseError when it is not XML."""
    # NOTE: Python's expat (2.4 and later) rejects entity expansion bombs;
    # the documents come only from the configured Canada Post host.
    return ET.fromstring(body)


def find_text(node: ET.Element, path: str, namespace: str) -> str:
    """Return the stripped text at `path` (slash-separated), or ""."""
    qualified = "/".join(f"{{{namespace}}}{part}" for part in path.split("/"))
    found = node.find(qualified)
    if found is None or found.text is None:
        return ""
    return found.text.strip()


def find_all(node: ET.Element, path: str, namespace: str) -> list[ET.Element]:
    """Return every element at `path` (slash-separated) under `node`."""
    qualified = "/".join(f"{{{namespace}}}{part}" for part in path.split("/"))
    return node.findall(qualified)


def links(node: ET.Element, namespace: str) -> dict[str, str]:
    """Return the href of each `links/link` by its rel (first one wins)."""
    found: dict[str, str] = {}
    for link in find_all(node, "links/link", namespace):
        found.setdefault(link.get("rel", ""), link.get("href", ""))
    return found


def parse_messages(body: bytes) -> list[Message] | None:
    """Return the messages of an error document, or None for anything else."""
    try:
        root = parse(body)
    except ET.ParseError:
        return None
    for namespace in MESSAGES_NAMESPACES:
        if root.tag == f"{{{namespace}}}messages":
            return [
                Message(
                    code=find_text(item, "code", namespace),
                    description=find_text(item, "description", namespace),
                )
                for item in find_all(root, "message", namespace)
            ]
    return None


def format_postal_code(value: str) -> str:
    """Return a Canadian postal code upper case without spaces.

    Raises ValueError naming the value when it is not a postal code.
    """
    compact = "".join(value.split()).upper()
    if not POSTAL_CODE.match(compact):
        raise ValueError(
            f"Invalid Canadian postal code {value!r}: enter it as A1A 1A1."
        )
    return compact


def format_weight(weight_kg: Decimal) -> str:
    """Return kilograms to 3 decimals, the precision Canada Post accepts."""
    return str(Decimal(weight_kg).quantize(WEIGHT_KG, rounding=ROUND_HALF_UP))


def format_dimension(length_cm: Decimal) -> str:
    """Return centimetres to 1 decimal, the precision Canada Post accepts."""
    return str(Decimal(length_cm).quantize(DIMENSION_CM, rounding=ROUND_HALF_UP))


def to_decimal(text: str) -> Decimal:
    """Return an amount as Decimal, 0.00 when the element was empty."""
    return Decimal(text) if text else Decimal("0.00")
