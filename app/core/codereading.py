"""Reading a line of NumPy that a student typed, without ever running it.

The text is parsed with Python's `ast` and walked node by node; only a small
whitelist of node types, the script's names and a few NumPy functions mean
anything, and each known form is rewritten into a canonical term (terms.py).
Nothing is executed, evaluated or compiled.

Two kinds of "no": `CodeRefused` for text that has no business in a blank
(a lambda, an import, a dunder, a Python built-in such as eval, a huge
literal, deep nesting, too many characters): the API answers 400 and the page
says why. `Unreadable` for text that is merely not understood (a typo'd name,
a syntax error, a function the checker does not know): the line is marked
invalid with the message, as a cell holding "abc" is.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Mapping

from .problem import Sizes
from .terms import (
    Shape,
    Term,
    column,
    elementwise,
    is_one,
    is_zero,
    matmul,
    name,
    neg,
    number,
    relu,
    row,
    transpose,
)
from .terms import add as add_terms

MAX_TEXT = 200  # characters of one blank or one line: the longest right answer needs about 40
MAX_DEPTH = 16  # levels of nesting in one blank or line
MAX_LITERAL = 10**6  # the largest number a blank may hold (the problems' values are within 99)
BLANK = "___"


class CodeRefused(ValueError):
    """Text that has no business in a blank; the message says why, for people."""


class Unreadable(ValueError):
    """Text the checker cannot read as a forward pass: marked invalid, with this message."""


_ALLOWED = (ast.Expression, ast.Name, ast.Load, ast.Constant, ast.BinOp, ast.Add, ast.Sub, ast.Mult,
            ast.MatMult, ast.UnaryOp, ast.USub, ast.UAdd, ast.Compare, ast.Gt, ast.GtE, ast.Lt, ast.LtE,
            ast.Call, ast.keyword, ast.Attribute, ast.Subscript, ast.Slice, ast.Tuple, ast.List)
_HOSTILE = {
    ast.Lambda: "a lambda", ast.NamedExpr: "an assignment expression (:=)", ast.Await: "await",
    ast.Yield: "yield", ast.YieldFrom: "yield", ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension", ast.DictComp: "a comprehension", ast.GeneratorExp: "a generator",
    ast.Starred: "a starred expression", ast.JoinedStr: "an f-string",
}
_MODULES = {"np", "numpy"}
_BUILTINS = set(dir(builtins))


def names(sizes: Sizes) -> dict[str, Shape]:
    """The script's matrices and their shapes: what a blank may name."""
    i, h, o, b = sizes.inputs, sizes.hidden, sizes.outputs, sizes.batch
    found: dict[str, Shape] = {"W1": (h, i), "b1": (h,), "W2": (o, h), "b2": (o,), "x_batch": (i, b),
                               "h_z": (h, b), "h": (h, b), "y_z": (o, b), "y": (o, b)}
    found.update({f"x{j + 1}": (i,) for j in range(b)})
    return found


def screen(text: str, limit: int = MAX_TEXT) -> None:
    """Refuse text that has no business in a blank, before anything reads it."""
    if len(text) > limit:
        raise CodeRefused(f"Too long: a blank or a line takes at most {MAX_TEXT} characters.")
    if "__" in text.replace(BLANK, ""):
        raise CodeRefused("Names with double underscores (dunders) are not allowed: "
                          "the checker only reads the script's matrices and NumPy functions.")
    if re.match(r"\s*(import|from)\s+\w", text):
        raise CodeRefused("Imports are not allowed: the script already imports NumPy as np.")
    if any(ord(ch) < 32 and ch not in "\t" for ch in text):
        raise CodeRefused("A blank holds one line of code, without control characters.")


def parse(text: str, limit: int = MAX_TEXT) -> ast.expr:
    """The syntax tree of one expression, refused (CodeRefused) or not understood (Unreadable)."""
    screen(text, limit)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        if "too many nested" in error.msg:
            raise CodeRefused("This is nested too deeply to be a line of the forward pass.") from None
        raise Unreadable(f"Python cannot read this: {error.msg}.") from None
    except (RecursionError, MemoryError, ValueError):
        raise CodeRefused("This is nested too deeply to be a line of the forward pass.") from None
    _walk(tree)
    return tree.body


def _walk(tree: ast.AST) -> None:
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise CodeRefused(f"Nested too deeply: a blank takes at most {MAX_DEPTH} levels of brackets.")
        for kind, words in _HOSTILE.items():
            if isinstance(node, kind):
                raise CodeRefused(f"{words[0].upper() + words[1:]} is not allowed here: a blank takes the "
                                  "script's matrices, NumPy functions and numbers, and is never run.")
        if isinstance(node, ast.Name) and node.id in _BUILTINS and node.id not in ("max", "abs"):
            raise CodeRefused(f"{node.id} is a Python built-in, not part of the forward pass: a blank "
                              "takes the script's matrices, NumPy functions and numbers, and is never run.")
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool) and abs(node.value) > MAX_LITERAL:
            raise CodeRefused(f"Numbers in a blank are at most {MAX_LITERAL:,} in size.")
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)) and len(node.value) > 20:
            raise CodeRefused("Long strings are not part of the forward pass.")
        if not isinstance(node, _ALLOWED):
            raise Unreadable(f"The checker reads +, −, *, @, NumPy calls, .T and indexing; "
                             f"it cannot read {_kind(node)}.")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _kind(node: ast.AST) -> str:
    words = {ast.IfExp: "if … else", ast.BoolOp: "and / or", ast.Dict: "a dictionary", ast.Set: "a set",
             ast.Div: "division", ast.Pow: "powers", ast.FloorDiv: "division", ast.Mod: "%",
             ast.Compare: "this comparison", ast.BitAnd: "&", ast.BitOr: "|"}
    return words.get(type(node), type(node).__name__)


class Reader:
    """Reads a syntax tree into a term, with the script's names and their shapes."""

    def __init__(self, sizes: Sizes) -> None:
        self.shapes = names(sizes)

    def term(self, node: ast.expr) -> Term:
        if isinstance(node, ast.Name):
            if node.id == BLANK:
                raise Unreadable("Not filled in yet.")
            if node.id in self.shapes:
                return name(node.id, self.shapes[node.id])
            if node.id in _MODULES:
                raise Unreadable(f"{node.id} is the NumPy module; use one of its functions, e.g. np.dot.")
            if node.id == "X":
                raise Unreadable("X is not defined in this script: the inputs are x_batch.")
            raise Unreadable(f"{node.id[:20]} is not defined in this script.")
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
                return number(node.value)
            raise Unreadable(f"{node.value!r:.20} is not a number or a matrix of the script.")
        if isinstance(node, ast.UnaryOp):
            inner = self.term(node.operand)
            return neg(inner) if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.Attribute):
            if node.attr == "T":
                return transpose(self.term(node.value))
            raise Unreadable(f"The checker does not know {_dotted(node)}.")
        if isinstance(node, ast.Subscript):
            return self._index(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Compare):
            raise Unreadable("A comparison alone gives True and False, not numbers.")
        raise Unreadable(f"The checker cannot read {_kind(node)} here.")

    def _binary(self, node: ast.BinOp) -> Term:
        if isinstance(node.op, ast.Mult):
            found = self._relu_product(node.left, node.right) or self._relu_product(node.right, node.left)
            if found:
                return found
        left, right = self.term(node.left), self.term(node.right)
        if isinstance(node.op, ast.MatMult):
            return matmul(left, right)
        if isinstance(node.op, ast.Add):
            return add_terms(left, right)
        if isinstance(node.op, ast.Sub):
            return add_terms(left, neg(right))
        if isinstance(node.op, ast.Mult):
            if is_one(left):
                return right
            if is_one(right):
                return left
            return elementwise("mul", [left, right])
        raise Unreadable(f"The checker cannot read {_kind(node.op)}.")

    def _relu_product(self, value: ast.expr, mask: ast.expr) -> Term | None:
        """``a * (a > 0)`` (or ``>= 0``, or ``0 < a``): ReLU of a."""
        if not isinstance(mask, ast.Compare) or len(mask.ops) != 1:
            return None
        inner = _positive_part(mask)
        if inner is None or ast.dump(inner) != ast.dump(value):
            return None
        return relu(self.term(value))

    def _index(self, node: ast.Subscript) -> Term:
        base = self.term(node.value)
        index = node.slice
        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        kinds = [_index_kind(part) for part in parts]
        if kinds == ["all", "new"]:
            return column(base)
        if kinds in (["new", "all"], ["new"]):
            return row(base)
        raise Unreadable("The checker reads indexing that makes a column, b1[:, None], "
                         "or a row, b1[None, :].")

    def _call(self, node: ast.Call) -> Term:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("max", "abs"):
            raise Unreadable(f"Python's {func.id} does not work entry by entry on arrays; "
                             "use NumPy's np.maximum.")
        if not isinstance(func, ast.Attribute):
            raise Unreadable("The checker reads calls of NumPy functions and array methods only.")
        args = list(node.args)
        keywords: dict[str | None, ast.expr] = {keyword.arg: keyword.value for keyword in node.keywords
                                               if keyword.arg}
        if len(keywords) != len(node.keywords):
            raise Unreadable("The checker cannot read ** in a call.")
        if isinstance(func.value, ast.Name) and func.value.id in _MODULES:
            return self._numpy(func.attr, args, keywords)
        return self._method(self.term(func.value), func.attr, args, keywords)

    def _numpy(self, function: str, args: list[ast.expr], keywords: dict[str | None, ast.expr]) -> Term:
        if function in ("dot", "matmul") and len(args) == 2 and not keywords:
            return matmul(self.term(args[0]), self.term(args[1]))
        if function == "add" and len(args) == 2 and not keywords:
            return add_terms(self.term(args[0]), self.term(args[1]))
        if function in ("maximum", "fmax") and len(args) == 2 and not keywords:
            return self._maximum(args[0], args[1])
        if function == "clip":
            return self._clip(self.term(args[0]) if args else None, args[1:], keywords, ("a_min", "a_max"))
        if function == "where" and len(args) == 3 and not keywords:
            return self._where(*args)
        if function == "transpose" and len(args) == 1 and not keywords:
            return transpose(self.term(args[0]))
        if function in ("reshape", "expand_dims") and len(args) == 2:
            return self._method(self.term(args[0]), function, args[1:], keywords)
        if function == "column_stack" and len(args) == 1 and isinstance(args[0], (ast.List, ast.Tuple)):
            return self._stack([self.term(part) for part in args[0].elts])
        if function == "atleast_2d" and len(args) == 1:
            return row(self.term(args[0]))
        if function == "newaxis":
            raise Unreadable("np.newaxis goes inside square brackets: b1[:, np.newaxis].")
        raise Unreadable(f"The checker does not know np.{function[:20]} called like this; "
                         "it reads np.dot, np.matmul, np.maximum, np.clip, np.where, reshape and the like.")

    def _method(self, base: Term, method: str, args: list[ast.expr],
                keywords: dict[str | None, ast.expr]) -> Term:
        if method == "dot" and len(args) == 1 and not keywords:
            return matmul(base, self.term(args[0]))
        if method == "reshape":
            shape = _literal_shape(args, keywords)
            if shape in ((-1, 1),) or (base.shape and len(base.shape) == 1 and shape == (base.shape[0], 1)):
                return column(base)
            if shape in ((1, -1),) or (base.shape and len(base.shape) == 1 and shape == (1, base.shape[0])):
                return row(base)
            raise Unreadable("The checker reads reshape(-1, 1), which makes a column, and reshape(1, -1).")
        if method == "expand_dims":
            axis = _literal_shape(args, {"axis": keywords["axis"]} if "axis" in keywords else {})
            if axis in ((1,), (-1,)):
                return column(base)
            if axis == (0,):
                return row(base)
            raise Unreadable("The checker reads expand_dims with axis 1 (a column) or 0 (a row).")
        if method == "clip":
            return self._clip(base, args, keywords, ("min", "max"))
        if method == "transpose" and not args and not keywords:
            return transpose(base)
        raise Unreadable(f"The checker does not know the method .{method[:20]} called like this.")

    def _maximum(self, a: ast.expr, b: ast.expr) -> Term:
        first, second = self.term(a), self.term(b)
        if is_zero(second):
            return relu(first)
        if is_zero(first):
            return relu(second)
        return elementwise("maximum", [first, second])

    def _clip(self, base: Term | None, args: list[ast.expr], keywords: dict[str | None, ast.expr],
              bounds: tuple[str, str]) -> Term:
        if base is None:
            raise Unreadable("np.clip needs the matrix to clip.")
        low = args[0] if args else keywords.get(bounds[0])
        high = args[1] if len(args) > 1 else keywords.get(bounds[1])
        low_term = self.term(low) if low is not None else None
        if low_term is not None and is_zero(low_term) and (high is None or _is_none(high)):
            return relu(base)
        return elementwise("clip", [base])

    def _where(self, condition: ast.expr, yes: ast.expr, no: ast.expr) -> Term:
        """np.where(a > 0, a, 0) and np.where(a < 0, 0, a): ReLU of a."""
        if isinstance(condition, ast.Compare) and len(condition.ops) == 1:
            positive = _positive_part(condition)
            if positive is not None and ast.dump(positive) == ast.dump(yes) and is_zero(self.term(no)):
                return relu(self.term(yes))
            negative = _negative_part(condition)
            if negative is not None and ast.dump(negative) == ast.dump(no) and is_zero(self.term(yes)):
                return relu(self.term(no))
        raise Unreadable("The checker reads np.where(a > 0, a, 0) as ReLU, and no other np.where.")

    def _stack(self, parts: list[Term]) -> Term:
        """np.column_stack of x1, x2, ...: the batch when they are all of them, in order."""
        xs = [name(f"x{j + 1}", self.shapes[f"x{j + 1}"]) for j in range(self.shapes["x_batch"][1])]
        if parts == xs:
            return name("x_batch", self.shapes["x_batch"])
        return Term("stack", tuple(parts), shape=None)


def _positive_part(compare: ast.Compare) -> ast.expr | None:
    """a for ``a > 0``, ``a >= 0``, ``0 < a`` or ``0 <= a``; else None."""
    op, left, right = compare.ops[0], compare.left, compare.comparators[0]
    if isinstance(op, (ast.Gt, ast.GtE)) and _is_zero_node(right):
        return left
    if isinstance(op, (ast.Lt, ast.LtE)) and _is_zero_node(left):
        return right
    return None


def _negative_part(compare: ast.Compare) -> ast.expr | None:
    """a for ``a < 0``, ``a <= 0``, ``0 > a`` or ``0 >= a``; else None."""
    op, left, right = compare.ops[0], compare.left, compare.comparators[0]
    if isinstance(op, (ast.Lt, ast.LtE)) and _is_zero_node(right):
        return left
    if isinstance(op, (ast.Gt, ast.GtE)) and _is_zero_node(left):
        return right
    return None


def _is_zero_node(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and not isinstance(node.value, bool) and node.value == 0


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _index_kind(node: ast.expr) -> str:
    if isinstance(node, ast.Slice) and node.lower is None and node.upper is None and node.step is None:
        return "all"
    if _is_none(node) or (isinstance(node, ast.Attribute) and node.attr == "newaxis"
                          and isinstance(node.value, ast.Name) and node.value.id in _MODULES):
        return "new"
    return "other"


def _literal_shape(args: list[ast.expr], keywords: Mapping[str | None, ast.expr]) -> tuple[int, ...] | None:
    """(-1, 1) for reshape(-1, 1) or reshape((-1, 1)); (1,) for expand_dims(b, 1)."""
    values = list(args) + [value for key, value in keywords.items() if key in ("shape", "newshape", "axis")]
    if len(values) == 1 and isinstance(values[0], (ast.Tuple, ast.List)):
        values = list(values[0].elts)
    found = []
    for value in values:
        sign = 1
        if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
            sign, value = -1, value.operand
        if not (isinstance(value, ast.Constant) and type(value.value) is int):
            return None
        found.append(sign * value.value)
    return tuple(found)


def _dotted(node: ast.Attribute) -> str:
    base = node.value.id if isinstance(node.value, ast.Name) else "…"
    return f"{base}.{node.attr}"[:30]


