"""The downloads run: the .py in a Python subprocess and the .ipynb in a real Jupyter
kernel (nbclient, in a subprocess), for random problems of every preset and for
custom problems, and what they print is the NumPy reference, label by label. The
printed output then goes back through the reader and the grader: all correct."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from app.core import codes, presets
from app.core.grading import grade
from app.core.printed import read_output
from app.core.problem import ANSWER_NAMES, Problem, solve

pytestmark = pytest.mark.system

RANDOM = random.Random(16)
GENERATED = [
    codes.display(codes.generated_code(profile, profile.sizes, RANDOM.randrange(2**26)))
    for profile in presets.PROFILES
]


def _custom(seed: int) -> str:
    rng = np.random.default_rng(seed)
    i, h, o, b = (int(n) for n in rng.integers(1, 7, size=4))
    problem = Problem(
        W1=rng.integers(-9, 10, (h, i)),
        b1=rng.integers(-9, 10, h),
        W2=rng.integers(-9, 10, (o, h)),
        b2=rng.integers(-9, 10, o),
        X=rng.integers(-9, 10, (i, b)),
    )
    return codes.display(codes.custom_code(problem))


CUSTOM = [_custom(seed) for seed in (1, 2)] + ["C0000-223S7"]
CODES = GENERATED + CUSTOM


def expected_output(problem: Problem) -> str:
    """What the script should print: each label, then NumPy's own print of the reference."""
    solution = solve(problem)
    return "".join(f"{name} =\n{solution[name]}\n" for name in ANSWER_NAMES)


def downloads(client, code: str) -> tuple[str, str]:
    page = client.get(f"/p/{code}/code")
    assert page.status_code == 200
    return (
        client.get(f"/p/{code}/handgrid-{code}.py").get_data(as_text=True),
        client.get(f"/p/{code}/handgrid-{code}.ipynb").get_data(as_text=True),
    )


@pytest.mark.parametrize("code", CODES)
def test_the_downloaded_script_prints_the_reference(client, tmp_path, code):
    problem = codes.load(code).problem
    script, _ = downloads(client, code)
    path = tmp_path / f"handgrid-{code}.py"
    path.write_text(script)
    run = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == expected_output(problem)
    reading = read_output(run.stdout, problem.sizes)
    assert reading.read == list(ANSWER_NAMES)
    report = grade(problem, reading.answers)
    assert report.counts["correct"] == report.total


RUN_NOTEBOOKS = textwrap.dedent("""
    import json, sys
    import nbformat
    from nbclient import NotebookClient

    outputs = {}
    for path in sys.argv[1:]:
        book = nbformat.read(path, as_version=4)
        NotebookClient(book, timeout=60, kernel_name="python3").execute()
        outputs[path] = "".join(output.get("text", "") for cell in book.cells if cell.cell_type == "code"
                                for output in cell.outputs if output.output_type == "stream")
    print(json.dumps(outputs))
""")


def test_the_downloaded_notebooks_execute_and_print_the_reference(client, tmp_path):
    """All the notebooks in one subprocess, each in a fresh kernel (a kernel starts
    in about a second; one per notebook keeps them independent)."""
    paths = {}
    for code in CODES:
        _, notebook = downloads(client, code)
        book = json.loads(notebook)
        assert [cell["cell_type"] for cell in book["cells"]][:2] == ["markdown", "code"]
        steps = [
            cell
            for cell in book["cells"]
            if cell["cell_type"] == "code" and "print(" in "".join(cell["source"])
        ]
        assert len(steps) == 4  # one code cell per step of the forward pass, each after its explanation
        path = tmp_path / f"handgrid-{code}.ipynb"
        path.write_text(notebook)
        paths[str(path)] = code
    run = subprocess.run(
        [sys.executable, "-c", RUN_NOTEBOOKS, *paths],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    printed = json.loads(run.stdout.strip().splitlines()[-1])
    assert set(printed) == set(paths)
    for path, text in printed.items():
        assert text == expected_output(codes.load(paths[path]).problem), paths[path]
