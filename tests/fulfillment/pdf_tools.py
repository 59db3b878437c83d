"""Read PDFs back in tests: text with pypdf, barcodes with Debian's zbar."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.fixtures.database import running_under_ci

# Bars of 1 pt are about 4 pixels at 300 dpi, enough for zbar to decode.
RENDER_DPI = 300
TOOLS = {"pdftoppm": "poppler-utils", "zbarimg": "zbar-tools"}


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def page_size(pdf: bytes, page: int = 1) -> tuple[float, float]:
    """Return a page's width and height in points."""
    box = PdfReader(io.BytesIO(pdf)).pages[page - 1].mediabox
    return (float(box.width), float(box.height))


def page_text(pdf: bytes, page: int = 1) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[page - 1].extract_text()


def page_barcodes(pdf: bytes, tmp_path: Path, page: int = 1) -> list[str]:
    """Render one page to PNG and return every barcode zbar reads on it."""
    _require_tools()
    pdf_path = tmp_path / "document.pdf"
    pdf_path.write_bytes(pdf)
    png_prefix = tmp_path / f"page{page}"
    subprocess.run(
        [
            *("pdftoppm", "-r", str(RENDER_DPI), "-png", "-singlefile"),
            *("-f", str(page), "-l", str(page), str(pdf_path), str(png_prefix)),
        ],
        check=True,
        timeout=60,
    )
    # zbarimg exits with 4 when it finds no barcode: that is a test result.
    result = subprocess.run(
        ["zbarimg", "--raw", "-q", f"{png_prefix}.png"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.splitlines()


def _require_tools() -> None:
    missing = [name for name in TOOLS if shutil.which(name) is None]
    if not missing:
        return
    packages = " ".join(TOOLS[name] for name in missing)
    message = f"needs {', '.join(missing)}; install with: apt-get install -y {packages}"
    if running_under_ci():
        pytest.fail(message)
    pytest.skip(message)
