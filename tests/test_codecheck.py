"""Fill-in-the-code is checked by reading, never by running: the equivalent forms
students write are right, the usual slips are named, and hostile text is refused
without anything being executed (a fuzzer tries, with the interpreter's ways of
running code watched)."""

from __future__ import annotations

import ast
import builtins

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core import codecheck, codereading, terms
from app.core.codecheck import BY_NAME, STEPS, CodeRefused, check_lines, summary
from app.core.problem import Sizes

CLASSIC = Sizes(3, 4, 2, 3)
SQUARE = Sizes(3, 3, 3, 3)  # hidden == batch: a 1-D bias broadcasts without an error


def mark(step: str, answer, sizes: Sizes = CLASSIC):
    return check_lines(sizes, {step: answer})[step]


RIGHT = {
    "h_z": [
        "np.dot(W1, x_batch) + b1[:, None]",
        "W1 @ x_batch + b1[:, None]",
        "np.matmul(W1, x_batch) + b1[:, None]",
        "W1.dot(x_batch) + b1.reshape(-1, 1)",
        "b1.reshape((-1, 1)) + W1 @ x_batch",
        "W1 @ x_batch + b1[:, np.newaxis]",
        "W1 @ x_batch + np.expand_dims(b1, 1)",
        "(x_batch.T @ W1.T).T + b1.reshape(4, 1)",
        "W1 @ np.column_stack([x1, x2, x3]) + b1[:, None]",
        "h_z = W1 @ x_batch + b1[:, None]",
        "W1 @ x_batch - -b1[:, None]",
        ["W1", "x_batch", "b1[:, None]"],
        ["W1", "x_batch", "b1.reshape(-1, 1)"],
    ],
    "h": [
        "np.maximum(h_z, 0)",
        "np.maximum(0, h_z)",
        "h_z * (h_z > 0)",
        "(h_z >= 0) * h_z",
        "np.clip(h_z, 0, None)",
        "h_z.clip(min=0)",
        "np.where(h_z > 0, h_z, 0)",
        "np.where(h_z < 0, 0, h_z)",
        "np.maximum(W1 @ x_batch + b1[:, None], 0)",
        ["h_z", "0"],
        ["0", "h_z"],
        ["h_z", "0.0"],
    ],
    "y_z": [
        "np.dot(W2, h) + b2[:, None]",
        "W2 @ h + b2.reshape(-1, 1)",
        "W2 @ np.maximum(h_z, 0) + b2[:, None]",
        ["W2", "h", "b2[:, None]"],
    ],
    "y": ["np.maximum(y_z, 0)", "y_z * (y_z > 0)", "np.clip(y_z, 0, None)", ["y_z", "0"]],
}


@pytest.mark.parametrize(
    "step, answer", [(step, answer) for step, answers in RIGHT.items() for answer in answers]
)
def test_equivalent_forms_are_right(step, answer):
    assert mark(step, answer) == codecheck.CORRECT


def test_the_reference_lines_are_right_for_every_shape():
    for sizes in (Sizes(1, 1, 1, 1), Sizes(6, 6, 6, 6), Sizes(2, 5, 1, 4), CLASSIC):
        marks = check_lines(sizes, {step.name: step.answer for step in STEPS})
        assert {m.status for m in marks.values()} == {"correct"}, marks


@pytest.mark.parametrize(
    "step, answer, slip, words",
    [
        ("h_z", "x_batch.T @ W1.T + b1", "transposed_product", "W1 @ x_batch"),
        ("h_z", ["x_batch", "W1", "b1[:, None]"], "transposed_product", "wrong way round"),
        ("h_z", "W1 @ x_batch", "no_bias", "b1 is missing"),
        ("h_z", ["W1", "x_batch", "0"], "no_bias", "b1 is missing"),
        ("h_z", "W1 @ x_batch + b1", "bias_shape", "do not broadcast"),
        ("h_z", ["W1", "x_batch", "b1[None, :]"], "bias_shape", "column j"),
        ("y_z", "W2 @ h + b2", "bias_shape", "b2[:, None]"),
        ("y_z", "h.T @ W2.T + b2", "transposed_product", "W2 @ h"),
        ("y_z", "W2 @ h_z + b2[:, None]", "wrong_matrix", "ReLU is skipped"),
        ("h", "np.maximum(y_z, 0)", "relu_wrong_matrix", "not of y_z"),
        ("h", "np.maximum(W1 @ x_batch, 0)", "relu_wrong_matrix", "before the bias"),
        ("y", ["h", "0"], "relu_wrong_matrix", "not of h"),
        ("y", "np.maximum(h_z, 0)", "relu_wrong_matrix", "not of h_z"),
        ("h", "h_z", "relu_missing", "without the ReLU"),
        ("h_z", "W2 @ x_batch + b1[:, None]", "wrong_matrix", "uses W2"),
        ("h_z", "h + 1", "wrong_matrix", "worked out after h_z"),
    ],
)
def test_the_usual_slips_are_named(step, answer, slip, words):
    found = mark(step, answer)
    assert (found.status, found.diagnosis) == ("wrong", slip), found
    assert words in found.message


def test_a_wrong_shaped_bias_says_why_it_broadcasts_wrongly():
    error = mark("h_z", "W1 @ x_batch + b1", CLASSIC).message  # (4, 3) + (4,): NumPy refuses
    assert "(4, 3) and (4,) do not broadcast" in error and "b1[j] to column j" in error
    silent = mark("h_z", "W1 @ x_batch + b1", SQUARE).message  # (3, 3) + (3,): NumPy adds it silently
    assert "without a word" in silent and "b1[j] to column j" in silent
    # And it is so: NumPy adds b1 along the rows there, and the result differs.
    W1, x, b1 = np.eye(3, dtype=int), np.ones((3, 3), dtype=int), np.array([1, 2, 3])
    assert not np.array_equal(W1 @ x + b1, W1 @ x + b1[:, None])


@pytest.mark.parametrize(
    "answer, words",
    [
        ("x_bach", "not defined"),
        ("X", "x_batch"),
        ("W1 @@ x_batch", "cannot read"),
        ("np.sin(h_z)", "does not know np.sin"),
        ("max(h_z, 0)", "np.maximum"),
        ("h_z if 1 else 0", "if … else"),
        ("'W1'", "not a number"),
        ("W1 @ x_batch / 2", "division"),
    ],
)
def test_what_cannot_be_read_is_invalid_with_a_message(answer, words):
    found = mark("h_z", answer)
    assert found.status == "invalid" and words in found.message, found


def test_blanks_left_empty_are_blank():
    assert mark("h_z", None).status == "blank"
    assert mark("h_z", ["", " ", ""]).message == "Not filled in yet."
    assert mark("h_z", ["W1", "x_batch", ""]).message == "Fill in every blank of this line."


HOSTILE = [
    "lambda: 0",
    "__import__('os').system('true')",
    "import os",
    "from os import system",
    "W1.__class__",
    "eval('1')",
    "exec('x=1')",
    "open('/etc/passwd')",
    "getattr(W1, 'T')",
    "compile('1', '', 'eval')",
    "[x for x in W1]",
    "(y := 3)",
    "f'{W1}'",
    "np.dot(*W1)",
    "9" * 20,
    "-" * 100 + "1",
    "(" * 150 + "1" + ")" * 150,
    "W1" + " + W1" * 80,
    "\x00W1",
    "breakpoint()",
    "globals()",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_refused_with_a_message(text):
    with pytest.raises(CodeRefused) as refused:
        check_lines(CLASSIC, {"h_z": text})
    assert str(refused.value).strip()
    with pytest.raises(CodeRefused):
        check_lines(CLASSIC, {"h": [text, "0"]})


@pytest.mark.parametrize("answers", [{"h_z": 3}, {"h_z": ["W1"]}, {"h": ["h_z", 0]}, {"h": {"a": 1}}])
def test_answers_of_the_wrong_kind_are_refused(answers):
    with pytest.raises(CodeRefused):
        check_lines(CLASSIC, answers)


def test_the_score_has_the_grids_shape():
    score, line = summary(check_lines(CLASSIC, {"h_z": "W1 @ x_batch", "h": ["h_z", "0"], "y_z": "nope"}))
    assert score == {
        "correct": 1,
        "carried": 0,
        "total": 4,
        "wrong": 1,
        "invalid": 1,
        "blank": 1,
        "with_help": 0,
    }
    assert line == "1 of 4 lines correct, 1 wrong, 1 invalid, 1 blank"


def test_the_form_reads_the_own_way_line_before_the_blanks():
    form = {
        "h_z-0": "W2",
        "h_z-1": "h",
        "h_z-2": "b2",
        "h_z-line": "W1 @ x_batch + b1[:, None]",
        "h-0": "h_z",
    }
    answers = codecheck.answers_from_form(form)
    assert answers["h_z"] == "W1 @ x_batch + b1[:, None]" and answers["h"] == ["h_z", ""]


# --- fuzzing: whatever comes in, nothing runs --------------------------------------------------

atoms = st.sampled_from(
    [
        "W1",
        "b1",
        "W2",
        "b2",
        "x_batch",
        "x1",
        "h_z",
        "h",
        "y_z",
        "y",
        "np",
        "0",
        "1",
        "-1",
        "None",
        "np.newaxis",
        ":",
        "__import__",
        "__class__",
        "eval",
        "exec",
        "open",
        "os",
        "lambda: 0",
        "9" * 30,
        "'s'",
        "b''",
        "...",
        "W1.__dict__",
        "print",
        "sys",
    ]
)
joins = st.sampled_from(
    [
        " + ",
        " - ",
        " * ",
        " @ ",
        ", ",
        ".",
        "(",
        ")",
        "[",
        "]",
        " > ",
        " if ",
        " else ",
        " for x in ",
        ":=",
        ".T",
        ".reshape(",
        "np.dot(",
        "np.maximum(",
        "import ",
        ";",
        "\n",
    ]
)
texts = st.one_of(st.lists(st.one_of(atoms, joins), max_size=30).map("".join), st.text(max_size=60))


@pytest.fixture
def nothing_runs(monkeypatch):
    """eval, exec or compile called by the checker's modules, or a compile by
    ast.parse that is not to a tree only, fails the test. (Module globals shadow
    the built-ins, so the guards see the checker's calls and nobody else's.)"""
    real_compile = builtins.compile

    def tree_only(source, filename, mode, flags=0, *args, **kwargs):
        assert flags & ast.PyCF_ONLY_AST, "the checker compiled code to run it"
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    def forbidden(*args, **kwargs):
        raise AssertionError("the checker ran code")

    monkeypatch.setattr(ast, "compile", tree_only, raising=False)
    for module in (codecheck, codereading, terms):
        for name in ("eval", "exec", "compile"):
            monkeypatch.setattr(module, name, forbidden, raising=False)


@settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=1500,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=texts, step=st.sampled_from(STEPS), as_blank=st.booleans())
def test_any_text_is_marked_or_refused_and_never_run(nothing_runs, text, step, as_blank):
    answer = [text] + ["0"] * (step.blanks - 1) if as_blank else text
    try:
        found = check_lines(CLASSIC, {step.name: answer})[step.name]
    except CodeRefused as refused:
        assert str(refused).strip()
        return
    assert found.status in ("correct", "wrong", "invalid", "blank") and found.message.strip()


def test_the_fuzzer_would_notice_code_being_run(nothing_runs):
    with pytest.raises(AssertionError, match="ran code"):
        codereading.eval("1")  # what a checker that ran code would call
    with pytest.raises(AssertionError, match="compiled code"):
        ast.compile("1", "<text>", "eval")
    assert ast.parse("1 + 1", mode="eval")  # what the checker does is allowed


def test_steps_are_the_forward_pass():
    assert [step.name for step in STEPS] == ["h_z", "h", "y_z", "y"]
    assert BY_NAME["h_z"].template == "np.dot(___, ___) + ___" and BY_NAME["h"].blanks == 2
