"""A problem as code: the NumPy script of the source exercise, and the same as a notebook.

Handgrid grew from a NumPy script that defines W1, b1, W2, b2 and the input
vectors x1, x2, x3, stacks them into ``x_batch`` with ``np.column_stack``,
works out h_z, h, y_z and y, and prints them. Every problem is written in that
shape, as a list of cells (markdown explaining a step, then the step's code),
so the three forms a student meets cannot drift apart:

* the Code view and the ``.py`` download: the code cells in order, each
  markdown cell turned into comments above its code;
* the ``.ipynb`` download: the same cells as a Jupyter notebook, written with
  nbformat (validated, with fixed cell ids so that a problem's notebook is
  the same file every time);
* fill-in-the-code: the same script with the forward pass's lines as
  templates with blanks (codecheck.STEPS).

The forward pass is written exactly as codecheck.STEPS's reference answers,
the lines the checker compares a student's with; tests run the script and the
notebook and compare what they print with `problem.solve`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Literal

import nbformat
import numpy as np
from nbformat import v4

from ..core.codecheck import BLANK, STEPS, LineMark, blank_field, own_field
from ..core.problem import Problem

CellKind = Literal["markdown", "code"]


@dataclass(frozen=True)
class Cell:
    kind: CellKind
    text: str
    step: str = ""  # the forward-pass line this cell works out (h_z, h, y_z, y), if any


def array(name: str, values: np.ndarray, indent: int = 0) -> str:
    """``name = np.array(...)`` with the columns lined up, as one would type it."""
    lines = values.tolist()
    if values.ndim == 1:
        return f"{name} = np.array([{', '.join(map(str, lines))}])"
    width = max(len(str(value)) for row in lines for value in row)
    rows = ["[" + ", ".join(str(value).rjust(width) for value in row) + "]" for row in lines]
    lead = f"{name} = np.array(["
    return lead + (",\n" + " " * len(lead)).join(rows) + "])"


def printed(name: str) -> str:
    """How the script prints a matrix: its label on a line, then NumPy's own print."""
    return f'print("{name} =")\nprint({name})'


def cells(problem: Problem, code: str, link: str) -> list[Cell]:
    """The script's cells: what each step does, then its code."""
    batch = problem.sizes.batch
    xs = [f"x{j + 1}" for j in range(batch)]
    found = [
        Cell("markdown", f"# Handgrid problem {code}\n\n"
             "A two-layer neural network worked out in NumPy, step by step, exactly as by hand on "
             f"{link}\n\n"
             "h_z = W1·X + b1, h = ReLU(h_z), y_z = W2·h + b2, y = ReLU(y_z)"),
        Cell("code", "import numpy as np"),
        Cell("markdown", "## The weights and biases\n\n"
             f"`W1` has one row per hidden unit ({problem.sizes.hidden}) and one column per input "
             f"feature ({problem.sizes.inputs}); `b1` has one number per hidden unit. "
             f"`W2` has one row per output ({problem.sizes.outputs}); `b2` one number per output."),
        Cell("code", "\n".join(array(name, getattr(problem, name)) for name in ("W1", "b1", "W2", "b2"))),
        Cell("markdown", "## The inputs\n\n"
             f"{', '.join(f'`{x}`' for x in xs)}: one vector per example. `np.column_stack` puts "
             "them side by side as the columns of `x_batch` (the X on the page), so one product "
             "works out every example at once."),
        Cell("code", "\n".join(array(x, problem.X[:, j]) for j, x in enumerate(xs))
             + f"\n\nx_batch = np.column_stack([{', '.join(xs)}])"),
    ]
    for step in STEPS:
        found.append(Cell("markdown", f"## {step.name}\n\n{step.explanation}", step.name))
        found.append(Cell("code", f"{step.name} = {step.answer}\n{printed(step.name)}", step.name))
    return found


def given_part(problem: Problem, code: str, link: str) -> str:
    """The script up to the forward pass (imports, matrices, inputs), as the .py has it:
    what fill-in-the-code shows above its blanks."""
    before = [cell for cell in cells(problem, code, link) if not cell.step]
    return _as_python(before)


@dataclass(frozen=True)
class FillLine:
    """One line of the forward pass in fill-in-the-code, as the page draws it."""

    name: str  # h_z, h, y_z or y
    explanation: str
    pieces: list[tuple[str, str]]  # (code, "") for fixed text, ("", field) for a blank, in order
    typed: dict[str, str]  # what each blank and the own-way line hold, by field name
    own: str  # the own-way line's field name
    mark: LineMark | None  # after a check


def fill_lines(typed: dict[str, str], marks: dict[str, LineMark] | None) -> list[FillLine]:
    """The forward pass with blanks, holding what was typed (and the marks after a check)."""
    lines = []
    for step in STEPS:
        pieces: list[tuple[str, str]] = []
        for number, text in enumerate(step.template.split(BLANK)):
            if number:
                pieces.append(("", blank_field(step.name, number - 1)))
            if text:
                pieces.append((text, ""))
        fields = [field for _, field in pieces if field] + [own_field(step.name)]
        lines.append(FillLine(step.name, step.explanation, pieces,
                              {field: typed.get(field, "") for field in fields}, own_field(step.name),
                              marks[step.name] if marks else None))
    return lines


def python_file(problem: Problem, code: str, link: str) -> str:
    """The ``.py`` download: the code cells in order, each markdown cell as comments."""
    return _as_python(cells(problem, code, link))


def _as_python(cells: list[Cell]) -> str:
    parts = []
    for cell in cells:
        if cell.kind == "markdown":
            lines = [textwrap.fill(line.lstrip("# "), 86, break_long_words=False, break_on_hyphens=False)
                     for line in cell.text.replace("`", "").splitlines()]
            parts.append("\n".join(f"# {line}".rstrip()
                                   for text in lines for line in text.splitlines() or [""]))
        else:
            parts.append(cell.text + "\n")
    return "\n".join(parts)


def notebook(problem: Problem, code: str, link: str) -> str:
    """The ``.ipynb`` download: one cell per step, markdown cells explaining each."""
    book = v4.new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "handgrid": {"code": code, "link": link},
    })
    for number, cell in enumerate(cells(problem, code, link)):
        made = v4.new_markdown_cell(cell.text) if cell.kind == "markdown" else v4.new_code_cell(cell.text)
        made["id"] = f"{cell.kind}-{number}"  # the same file for the same problem, not random ids
        book.cells.append(made)
    nbformat.validate(book)
    text: str = nbformat.writes(book)
    return text
