"""The QR code of a problem's link, printed beside it on a worksheet."""

from __future__ import annotations

import io
from functools import lru_cache

import segno

# A fixed mask pattern: segno would otherwise try all eight and score them, which
# is 85 % of a code's cost (3 ms; 180 codes in a class set's PDF). Any mask
# decodes; the scoring only avoids patterns that confuse poor scanners, which
# black print at 17 mm does not (tests/test_pdf.py decodes every code with zbar).
MASK = 2


def _code(text: str) -> segno.QRCode:
    return segno.make(text, error="m", micro=False, mask=MASK)


@lru_cache(maxsize=1024)
def qr_svg(text: str) -> str:
    """An SVG QR code of `text` (error correction M), sized by CSS: segno writes
    only a viewBox, a class and a stroked path, no style attribute."""
    return _code(text).svg_inline(border=2, omitsize=True, dark="#000")


@lru_cache(maxsize=1024)
def qr_svg_document(text: str) -> str:
    """The same QR code as a standalone SVG document (with its namespace), as
    the PDF engine reads images."""
    buffer = io.BytesIO()
    _code(text).save(buffer, kind="svg", xmldecl=False, border=2, omitsize=True,
                                                  dark="#000")
    return buffer.getvalue().decode()
