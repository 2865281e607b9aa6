"""The QR code of a problem's link, printed beside it on a worksheet."""

from __future__ import annotations

from functools import lru_cache

import segno


@lru_cache(maxsize=1024)
def qr_svg(text: str) -> str:
    """An SVG QR code of `text` (error correction M), sized by CSS: segno writes
    only a viewBox, a class and a stroked path, no style attribute."""
    return segno.make(text, error="m", micro=False).svg_inline(border=2, omitsize=True, dark="#000")
