"""How numbers and cells are written for people: in messages, in the working,
on the page and on paper.

One module, so that a number looks the same wherever a student meets it: a
true minus sign (U+2212, as wide as a digit in tabular figures, so columns line
up), negatives in brackets inside a sum, rows and columns counted from 1.
"""

from __future__ import annotations

MINUS = "\u2212"


def number(value: int) -> str:
    """An integer as written in prose and in the grids, with a true minus sign."""
    value = int(value)
    return f"{MINUS}{-value}" if value < 0 else str(value)


def factor(value: int) -> str:
    """An integer as one term of a sum or product: negatives in brackets, so
    "1·(−2)" and "+ (−5)" cannot be misread as subtraction."""
    value = int(value)
    return f"({number(value)})" if value < 0 else str(value)


def product(w: int, x: int) -> str:
    return f"{factor(w)}·{factor(x)}"


def ordinal(n: int) -> str:
    """ "1st", "2nd", "3rd", "4th", "11th", "22nd" """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def cell_label(matrix: str, row: int, col: int) -> str:
    """A cell as a person says it, 1-based: "h_z row 1, column 3" (screen readers, lists)."""
    return f"{matrix} row {row + 1}, column {col + 1}"


def count(amount: int, noun: str) -> str:
    """ "1 row", "3 rows", "1 entry", "2 entries"."""
    if amount == 1:
        return f"1 {noun}"
    return f"{amount} {noun[:-1]}ies" if noun.endswith("y") else f"{amount} {noun}s"


def short(value: int) -> str:
    """A number for a message, cut when huge: an error must not echo 1,000 digits."""
    if abs(value) < 10**12:
        return str(value)
    # No str() here: Python refuses to print ints of more than 4300 digits.
    return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
