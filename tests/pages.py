"""Reading Handgrid pages back as structure (for route and browser tests)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from app.core.problem import ANSWER_NAMES


def soup(html: bytes | str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def number(text: str) -> int:
    return int(text.strip().replace("\u2212", "-"))


def given_matrix(page: BeautifulSoup, key: str) -> list[list[int]]:
    """The numbers of a given block, e.g. "W1" (with b1 as its last column in the grid view)."""
    figure = page.select_one(f"figure.block-{key}")
    assert figure is not None, f"no block {key}"
    return [[number(td.get_text()) for td in tr.select("td.cell-given")]
            for tr in figure.select("tbody tr") if tr.select("td.cell-given")]


def answer_cells(page: BeautifulSoup) -> dict[str, list[list]]:
    """For each answer matrix, rows of its <td> cells."""
    found = {}
    for name in ANSWER_NAMES:
        figure = page.select_one(f"figure.block-{name}")
        assert figure is not None, f"no block {name}"
        found[name] = [tr.select("td.cell-answer") for tr in figure.select("tbody tr")
                       if tr.select("td.cell-answer")]
    return found


def status_of(td) -> str | None:
    holders = [td, *td.select(".markbox")]  # an answer cell's status is on its markbox
    statuses = [c[3:] for el in holders for c in el.get("class", []) if c.startswith("is-")]
    assert len(statuses) <= 1
    return statuses[0] if statuses else None


def form_data(solution: dict, overrides: dict | None = None) -> dict[str, str]:
    """Form fields answering every cell with `solution`, then `overrides` by field name."""
    data = {f"{name}-{i}-{j}": str(value) for name, grid in solution.items()
            for i, row in enumerate(grid) for j, value in enumerate(row)}
    data.update(overrides or {})
    return data
