"""Integrations that work out of the box: standard generators turn the OpenAPI document
the server serves into working clients.

* openapi-python-client (PyPI) generates a Python client from the served
  document without a warning, with every operation in it, and that client
  creates, reads, solves, checks, asks for the working and checks code against
  the real server.
* openapi-typescript (npm) generates TypeScript types from the served document,
  and tsc type-checks a short client written against them; the same client with
  a mistake (a preset that does not exist, a missing field) does not type-check,
  so the types say something.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NODE_BIN = ROOT / "node_modules" / ".bin"


def served_document(server_url: str) -> dict:
    with urllib.request.urlopen(server_url + "/api/openapi.json", timeout=10) as response:
        return json.load(response)


def operation_ids(document: dict) -> set[str]:
    return {
        operation["operationId"]
        for item in document["paths"].values()
        for key, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }


USE_THE_PYTHON_CLIENT = textwrap.dedent("""
    import json, sys
    from handgrid_api import Client
    from handgrid_api.api.answers import check_answers, check_code, get_solution, show_working
    from handgrid_api.api.problems import create_problem, get_problem
    from handgrid_api.models import (CheckRequest, CodeCheckRequest, CustomProblemRequest, PresetName,
                                     PresetRequest, ShowWorkingMatrix)

    client = Client(base_url=sys.argv[1], raise_on_unexpected_status=True)
    created = create_problem.sync(client=client, body=PresetRequest(preset=PresetName.CHALLENGE, seed=16))
    problem = get_problem.sync(client=client, code=created.code)
    solution = get_solution.sync(client=client, code=problem.code)
    answers = json.loads(json.dumps(solution.to_dict()))  # a copy to spoil one cell of
    answers["y"][0][0] = "abc"
    report = check_answers.sync(client=client, code=problem.code, body=CheckRequest.from_dict(answers))
    working = show_working.sync(client=client, code=problem.code, matrix=ShowWorkingMatrix.H_Z, row=1, col=2)
    matrices = {name: value for name, value in problem.to_dict().items() if name != "code"}
    custom = create_problem.sync(client=client, body=CustomProblemRequest.from_dict(matrices))
    lines = check_code.sync(client=client, code=custom.code, body=CodeCheckRequest.from_dict(
        {"h_z": ["W1", "x_batch", "b1"], "h": "h_z * (h_z > 0)"}))
    print(json.dumps({
        "created": created.to_dict(), "problem": problem.to_dict(), "solution": solution.to_dict(),
        "score": report.score.to_dict(), "y00": report.cells.to_dict()["y"][0][0],
        "working": working.to_dict(), "custom": custom.code, "custom_url": custom.url,
        "lines": {name: mark["diagnosis"] or mark["status"] for name, mark in lines.lines.to_dict().items()},
    }))
""")


def test_openapi_python_client_generates_a_complete_client_that_works(server_url, tmp_path):
    document = served_document(server_url)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}  # its ruff hooks run ruff
    generated = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--url",
            server_url + "/api/openapi.json",
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / "handgrid_api"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=tmp_path,
    )
    said = generated.stdout + generated.stderr
    assert generated.returncode == 0, said
    assert "Warning" not in said and "will not be generated" not in said, said
    modules = {path.stem for path in (tmp_path / "handgrid_api" / "api").rglob("*.py")}
    snake = {
        "".join("_" + ch.lower() if ch.isupper() else ch for ch in name) for name in operation_ids(document)
    }
    assert snake <= modules, snake - modules  # every operation, POST /api/problems included

    run = subprocess.run(
        [sys.executable, "-c", USE_THE_PYTHON_CLIENT, server_url],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    used = json.loads(run.stdout)
    code = used["created"]["code"]
    with urllib.request.urlopen(f"{server_url}/api/problems/{code}/solution", timeout=10) as response:
        assert used["solution"] == json.load(response)
    assert used["problem"] == {key: value for key, value in used["created"].items() if key != "url"}
    assert len(used["problem"]["W1"]) == 5  # challenge: 5 hidden units
    cells = sum(len(row) for name in ("h_z", "h", "y_z", "y") for row in used["solution"][name])
    assert used["score"] == {
        "correct": cells - 1,
        "carried": 0,
        "total": cells,
        "wrong": 0,
        "invalid": 1,
        "blank": 0,
        "with_help": 0,
    }
    assert used["y00"]["status"] == "invalid"
    assert used["working"]["value"] == used["solution"]["h_z"][1][2]
    assert used["custom"].startswith("C") and used["custom_url"] == f"/p/{used['custom']}"
    assert used["lines"] == {"h_z": "bias_shape", "h": "correct", "y_z": "blank", "y": "blank"}


TS_CLIENT = """
import type { components, paths } from "./api";

type CreateBody = NonNullable<paths["/api/problems"]["post"]["requestBody"]>["content"]["application/json"];
type Created = paths["/api/problems"]["post"]["responses"][201]["content"]["application/json"];
type Report = components["schemas"]["CheckReport"];
type Lines = components["schemas"]["CodeCheckReport"];

async function post<T>(base: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(base + path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error((await response.json()).error);
  return (await response.json()) as T;
}

export async function practise(base: string): Promise<string> {
  const body: CreateBody = { preset: "classic", seed: 42 };
  const created: Created = await post<Created>(base, "/api/problems", body);
  const report: Report = await post<Report>(base, `/api/problems/${created.code}/check`, { h_z: created.X });
  const lines: Lines = await post<Lines>(base, `/api/problems/${created.code}/code-check`,
                                         { h_z: ["W1", "x_batch", "b1[:, None]"] });
  const first: components["schemas"]["CellStatus"] = report.cells.h_z[0][0].status;
  const slip = lines.lines.h_z.diagnosis ?? lines.lines.h_z.status;
  return `${created.url}: ${report.summary}, ${first}; ${slip}`;
}
"""
MISTAKES = {
    'preset: "classic"': 'preset: "easy"',  # no such preset
    "return `${created.url}": "return `${created.link}",  # no such field
}


def test_openapi_typescript_types_type_check_a_client(server_url, tmp_path):
    generated = subprocess.run(
        [
            str(NODE_BIN / "openapi-typescript"),
            server_url + "/api/openapi.json",
            "-o",
            str(tmp_path / "api.d.ts"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    types = (tmp_path / "api.d.ts").read_text()
    assert '"/api/problems/{code}/code-check"' in types and "CustomProblemRequest" in types

    def tsc(source: str) -> subprocess.CompletedProcess:
        (tmp_path / "client.ts").write_text(source)
        return subprocess.run(
            [
                str(NODE_BIN / "tsc"),
                "--noEmit",
                "--strict",
                "--target",
                "es2022",
                "--lib",
                "es2022,dom",
                "--module",
                "esnext",
                "--moduleResolution",
                "bundler",
                "client.ts",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )

    checked = tsc(TS_CLIENT)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for right, wrong in MISTAKES.items():
        assert right in TS_CLIENT
        broken = tsc(TS_CLIENT.replace(right, wrong))
        assert broken.returncode != 0 and "error TS" in broken.stdout, wrong
