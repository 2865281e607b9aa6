"""Expressions of the forward pass in one canonical form, with their NumPy shapes.

Fill-in-the-code compares what a student wrote with the reference by
structure, never by running it (see codecheck.py). Students write the same
thing many ways, so every form is built through the constructors here, which
keep one spelling of each: a product is a `matmul` whatever the function, a
transpose is pushed down to the names (``(x.T @ W.T).T`` is ``W @ x``), the
addends of a sum are sorted (``b + W @ x`` is ``W @ x + b``), adding 0 or
a double minus disappears, ReLU of ReLU is ReLU.

Each term carries the shape NumPy would give it (from the problem's sizes),
or None where NumPy would stop with an error, so messages can say what NumPy
would do, as with a bias of the wrong shape.
"""

from __future__ import annotations

from dataclasses import dataclass

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Term:
    """An expression in canonical form. `op` says what it is ("name", "num",
    "matmul", "add", "neg", "T", "relu", "col", "row", or an op the checker
    only carries along); `parts` are its operands; `label` is a name's name or
    a number's value; `shape` is what NumPy would give, None for an error."""

    op: str
    parts: tuple[Term, ...] = ()
    label: str = ""
    shape: Shape | None = ()


def broadcast(a: Shape | None, b: Shape | None) -> Shape | None:
    """NumPy's broadcasting of two shapes, or None where NumPy raises an error."""
    if a is None or b is None:
        return None
    a, b = (1,) * (len(b) - len(a)) + a, (1,) * (len(a) - len(b)) + b
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b, strict=True)):
        return None
    return tuple(max(x, y) for x, y in zip(a, b, strict=True))


def name(label: str, shape: Shape) -> Term:
    return Term("name", label=label, shape=shape)


def number(value: float) -> Term:
    return Term("num", label=repr(float(value)) if value else "0.0")


def is_zero(term: Term) -> bool:
    return term.op == "num" and float(term.label) == 0.0


def is_one(term: Term) -> bool:
    return term.op == "num" and float(term.label) == 1.0


def matmul(a: Term, b: Term) -> Term:
    shape: Shape | None = None
    if a.shape is not None and b.shape is not None and len(a.shape) == 2 == len(b.shape) \
            and a.shape[1] == b.shape[0]:
        shape = (a.shape[0], b.shape[1])
    return Term("matmul", (a, b), shape=shape)


def transpose(a: Term) -> Term:
    if a.shape is not None and len(a.shape) < 2:
        return a  # NumPy's .T leaves a number or a 1-D array as it is
    if a.op == "T":
        return a.parts[0]
    if a.op == "matmul":
        return matmul(transpose(a.parts[1]), transpose(a.parts[0]))
    if a.op in ("add", "neg", "relu"):
        return rebuild(a, tuple(transpose(part) for part in a.parts))
    if a.op in ("col", "row"):
        return Term("row" if a.op == "col" else "col", a.parts, shape=_reversed(a.shape))
    return Term("T", (a,), shape=_reversed(a.shape))


def _reversed(shape: Shape | None) -> Shape | None:
    return None if shape is None else tuple(reversed(shape))


def add(a: Term, b: Term) -> Term:
    parts = [part for term in (a, b) for part in (term.parts if term.op == "add" else (term,))
             if not is_zero(part)]
    if not parts:
        return number(0)
    if len(parts) == 1:
        return parts[0]
    shape: Shape | None = parts[0].shape
    for part in parts[1:]:
        shape = broadcast(shape, part.shape)
    return Term("add", tuple(sorted(parts, key=repr)), shape=shape)


def neg(a: Term) -> Term:
    if a.op == "neg":
        return a.parts[0]
    if a.op == "num":
        return number(-float(a.label))
    return Term("neg", (a,), shape=a.shape)


def relu(a: Term) -> Term:
    return a if a.op == "relu" else Term("relu", (a,), shape=a.shape)


def column(a: Term) -> Term:
    """A 1-D vector made a column: (n,) becomes (n, 1)."""
    if a.shape is not None and len(a.shape) == 1:
        return Term("col", (a,), shape=(a.shape[0], 1))
    return Term("reshape", (a,), label="col", shape=None)


def row(a: Term) -> Term:
    """A 1-D vector made a row: (n,) becomes (1, n)."""
    if a.shape is not None and len(a.shape) == 1:
        return Term("row", (a,), shape=(1, a.shape[0]))
    return Term("reshape", (a,), label="row", shape=None)


def elementwise(op: str, parts: list[Term]) -> Term:
    """An op the checker carries along without knowing more of it than its
    operands (commutative: they are sorted) and NumPy's broadcast shape."""
    shape: Shape | None = parts[0].shape if parts else ()
    for part in parts[1:]:
        shape = broadcast(shape, part.shape)
    return Term(op, tuple(sorted(parts, key=repr)), shape=shape)


def rebuild(term: Term, parts: tuple[Term, ...]) -> Term:
    """`term` with new parts, through the same constructors, so it stays canonical."""
    if term.op == "matmul":
        return matmul(*parts)
    if term.op == "add":
        result = parts[0]
        for part in parts[1:]:
            result = add(result, part)
        return result
    builders = {"neg": neg, "relu": relu, "T": transpose, "col": column, "row": row}
    if term.op in builders:
        return builders[term.op](parts[0])
    return Term(term.op, parts, term.label, term.shape)


def names_in(term: Term) -> set[str]:
    if term.op == "name":
        return {term.label}
    return set().union(*(names_in(part) for part in term.parts))


def contains(term: Term, part: Term) -> bool:
    return term == part or any(contains(inner, part) for inner in term.parts)
