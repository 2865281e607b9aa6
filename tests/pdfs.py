"""Reading PDFs back as a teacher's printer would see them: poppler's pdftotext
and pdfinfo, and zbar's zbarimg for the QR codes (Debian packages that
`make test` installs). Shared by the worksheet print tests."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from app.core import worksheet
from app.present import printing

MM_PER_PT = 25.4 / 72


def plan_of(path: str) -> printing.Worksheet:
    """The page plan of a worksheet URL (the page's or the PDF's)."""
    query = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
    return printing.build(worksheet.parse(query, new_seed=lambda: 0))


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: `make test` installs Debian's poppler-utils and zbar-tools")
    return found


def run(name: str, *args: str) -> str:
    return subprocess.run([tool(name), *args], check=True, capture_output=True, text=True).stdout


def pdf_pages(pdf: Path) -> list[str]:
    """Each page's text, in the order it was drawn."""
    return run("pdftotext", "-raw", str(pdf), "-").split("\f")[:-1]  # every page ends with a form feed


def pdf_page_sizes(pdf: Path) -> set[tuple[int, int]]:
    """Every page's size in whole millimetres."""
    pages = len(pdf_pages(pdf))
    info = run("pdfinfo", "-f", "1", "-l", str(pages), str(pdf))
    sizes = re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+) pts", info)
    assert len(sizes) == pages
    return {(round(float(w) * MM_PER_PT), round(float(h) * MM_PER_PT)) for w, h in sizes}


def qr_codes(pdf: Path, page: int, folder: Path) -> list[str]:
    """Every QR code zbar finds on one page, rendered at 150 dpi in grey, sorted."""
    stem = folder / f"page-{page}"
    pages = ("-f", str(page), "-l", str(page))
    run("pdftoppm", "-gray", "-r", "150", *pages, "-singlefile", str(pdf), str(stem))
    result = subprocess.run([tool("zbarimg"), "-q", "--raw", "--nodbus", f"{stem}.pgm"],
                            capture_output=True, text=True)
    assert result.returncode in (0, 4), result.stderr  # 4: no code on the page
    return sorted(result.stdout.split())


def numbers_after(text: str, label: str, count: int) -> list[int]:
    """The first `count` whole numbers printed after `label` (names such as h_z skipped)."""
    tokens = text[text.index(label) + len(label):].split()
    found = []
    for token in tokens:
        if re.fullmatch(r"[\u2212-]?\d+", token):
            found.append(int(token.replace("\u2212", "-")))
            if len(found) == count:
                break
    return found
