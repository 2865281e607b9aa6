"""A short run of the load test (tools/loadtest.py, `make loadtest` runs the full one):
the real server under wrk with every kind of request in the mix, no error
at all, and worker memory read at two checkpoints of the same worker processes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parent.parent


def test_load_smoke(tmp_path):
    if not shutil.which("wrk"):
        pytest.fail("wrk is missing: `make test` installs Debian's wrk")
    figures_path = tmp_path / "figures.json"
    # Bounded: 3 s timed, then at most 10 s more or 1200 requests in all. The memory limit
    # is looser than the full run's 10 % because 400 requests is early in a worker's life.
    argv = [sys.executable, "tools/loadtest.py", "--duration", "3", "--connections", "16",
            "--total", "1200", "--checkpoints", "400,1200", "--max-seconds", "10",
            "--max-growth", "25", "--json", str(figures_path)]
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(figures_path.read_text())
    assert figures["errors"] == 0 and figures["failures"] == []
    assert figures["timed"]["requests"] > 0 and figures["timed"]["p99_us"] > 0
    assert set(figures["memory_kib"]) == {"400", "1200"} and figures["same_workers"]
    kinds = set(figures["mix"])
    assert {"page", "check_htmx", "check_page", "api_check", "worksheet"} <= kinds, kinds
