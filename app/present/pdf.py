"""A worksheet as a PDF file, made on the server with Typst.

`drawing` places every mark; templates/worksheet.typ draws them, and the
Typst compiler inside the `typst` wheel (Rust, no system packages) writes the
PDF. It was chosen by measurement (README, "Worksheets"): a 60-version set of
3 problems with its key takes a fraction of a second, where WeasyPrint took
75 s for the same pages and needs Pango in the image.

Fonts are Debian's DejaVu (package fonts-dejavu-core, which the Docker image
and `make test` install), read from FONT_DIR only: the same fonts on every
machine, whatever else is installed, and no font file of our own.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import orjson
import typst

from . import drawing, printing, qr
from .printing import Worksheet

TEMPLATE = Path(__file__).resolve().parent.parent.parent / "templates" / "worksheet.typ"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf")


class PdfError(RuntimeError):
    """The PDF could not be made (a font missing from this machine); the message says why."""


@lru_cache(maxsize=1)
def _template() -> bytes:
    return TEMPLATE.read_bytes()


@lru_cache(maxsize=1)
def _fonts() -> typst.Fonts:
    """DejaVu from FONT_DIR alone: neither the machine's other fonts nor those inside the wheel."""
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONT_DIR)])


def _check_fonts() -> None:
    missing = [name for name in FONTS if not (FONT_DIR / name).is_file()]
    if missing:
        raise PdfError(f"The PDF needs Debian's fonts-dejavu-core "
                       f"({', '.join(missing)} missing in {FONT_DIR}).")


def document(sheet: Worksheet, home: str, link_base: str) -> dict[str, object]:
    """What the Typst template reads: the paper, every page's marks and the QR codes by link."""
    paper = printing.paper_of(sheet.settings)

    def link(code: str) -> str:
        return f"{link_base}/p/{code}"

    pages = drawing.pages(sheet, home, link)
    links = {mark[4] for marks in pages for mark in marks if mark[0] == "q"}
    return {"title": f"Worksheet {sheet.set_code}", "width": paper.width, "height": paper.height,
            "margin": paper.margin, "pages": pages,
            "qr": {str(text): qr.qr_svg_document(str(text)) for text in links}}


def render(sheet: Worksheet, home: str, link_base: str) -> bytes:
    """The worksheet as PDF bytes. `home` is printed for students to type codes
    into; `link_base` (no trailing slash) starts every QR code's address."""
    _check_fonts()
    data = orjson.dumps(document(sheet, home, link_base)).decode()
    pdf = typst.compile(_template(), font_paths=_fonts(), sys_inputs={"doc": data})
    assert isinstance(pdf, bytes)
    return pdf
