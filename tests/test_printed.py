"""Reading a script's printed output back into the four answer matrices: NumPy's own
print format from the problem's script, and students' own scripts with other
labels, spacing and forms; whatever cannot be read is named."""

from __future__ import annotations

import numpy as np
import pytest

from app.core import codes, presets
from app.core.printed import MAX_OUTPUT, name_of, read_output
from app.core.problem import ANSWER_NAMES, solve

PROBLEMS = [
    codes.load(codes.display(codes.generated_code(profile, profile.sizes, seed)))
    for profile in presets.PROFILES
    for seed in (3, 77)
]


def values(reading, name):
    return [[entry.value for entry in row] for row in reading.answers[name]]


def as_script_prints(solution, label="{name} =\n", form=str) -> str:
    return "\n".join(label.format(name=name) + form(solution[name]) for name in ANSWER_NAMES)


@pytest.mark.parametrize("loaded", PROBLEMS, ids=lambda loaded: loaded.code)
@pytest.mark.parametrize(
    "label, form",
    [
        ("{name} =\n", str),  # the problem's own script
        ("{name}: ", lambda m: str(m).replace("\n", "")),  # on one line
        ("{name} ", lambda m: str(m.astype(float))),  # floats: [[ 1.  2.]]
        ("", lambda m: f"{m!r}"),  # array([[1, 2], ...]) with no label at all
        ("print {name}\n", lambda m: str(m).replace(" ", "   ")),  # wide spacing
        ("The value of {name} is\n", lambda m: np.array2string(m, separator=", ")),  # commas
    ],
)
def test_every_form_of_the_output_fills_all_four(loaded, label, form):
    solution = solve(loaded.problem)
    reading = read_output(as_script_prints(solution, label, form), loaded.problem.sizes)
    assert reading.read == list(ANSWER_NAMES) and reading.message == ""
    for name in ANSWER_NAMES:
        assert values(reading, name) == solution[name].tolist()


def test_other_labels_and_other_matrices_printed_too():
    loaded = PROBLEMS[1]
    problem, solution = loaded.problem, solve(loaded.problem)
    text = (
        f"W1 =\n{problem.W1}\nx_batch = {problem.X}\n"
        f"z1 = {solution['h_z']}\na1 = {solution['h']}\nz2:\n{solution['y_z']}\n"
        f"h_z=array({solution['y'].tolist()})\n"
    )  # a label that lies is believed...
    reading = read_output(text, problem.sizes)
    assert reading.read[:3] == ["h_z", "h", "y_z"]
    assert values(reading, "h_z") == solution["h_z"].tolist()  # ...but the first h_z wins
    assert "y" in reading.message and reading.read == ["h_z", "h", "y_z"]


def test_what_cannot_be_read_is_named_and_the_rest_is_filled():
    loaded = PROBLEMS[2]
    solution = solve(loaded.problem)
    text = as_script_prints(solution).replace("y_z =\n", "y_z =\n[[1 2]]\nignored\n")
    reading = read_output(text, loaded.problem.sizes)
    assert "y_z could not be read: it has 1 row of 2 numbers" in reading.message
    assert reading.message.startswith("Read h_z, h and y.")
    assert values(reading, "y_z") == [[None] * loaded.problem.sizes.batch] * loaded.problem.sizes.outputs


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "no matrix"),
        ("Traceback (most recent call last): NameError", "no matrix"),
        ("h_z =\n[[1 2]\n [3 4 5]]", "h_z could not be read: it has 2 rows of different lengths"),
        ("x" * (MAX_OUTPUT + 1), "too long"),
    ],
)
def test_output_that_cannot_be_read_says_why(text, words):
    reading = read_output(text, PROBLEMS[0].problem.sizes)
    assert reading.read == [] and words in reading.message


def test_values_that_are_not_whole_numbers_come_back_as_invalid_entries():
    sizes = PROBLEMS[0].problem.sizes
    rows, cols = sizes.answer_shape("h_z")
    text = "h_z = " + str(np.full((rows, cols), 0.5))
    entry = read_output(text, sizes).answers["h_z"][0][0]
    assert entry.value is None and entry.error


@pytest.mark.parametrize(
    "label, name",
    [
        ("h_z =", "h_z"),
        ("hz:", "h_z"),
        ("h = ReLU(h_z) =", "h"),
        ("Output y", "y"),
        ("y_z", "y_z"),
        ("W1 =", ""),
        ("x_batch", ""),
        ("some text", None),
        ("\n\n", None),
    ],
)
def test_labels_are_named_by_their_nearest_word(label, name):
    assert name_of(label) == name
