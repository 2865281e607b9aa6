"""`make compare-servers` works end to end: a very short run of tools/servers.py
with two candidates prints its table with figures for each and fails nothing."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parent.parent
HANDGRID = "granian RSGI, 4 threads for long requests (Handgrid)"


def test_a_short_comparison_prints_a_row_per_candidate():
    result = subprocess.run(
        [sys.executable, "tools/servers.py", "--seconds", "1", "--rounds", "1", "--siege-seconds", "1",
         "--stall", "2", "--only", "sync,rsgi"],
        cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.strip("|").split("|")]
            for line in result.stdout.splitlines() if line.startswith(("| gunicorn", "| granian"))}
    assert set(rows) == {"gunicorn sync", HANDGRID}, result.stdout
    for cells in rows.values():
        assert all(float(cell) > 0 for cell in cells[1:6]), cells  # every throughput and p99
    # Under the siege, the old server's workers are all held; Handgrid's answers every time.
    assert rows[HANDGRID][7].startswith("0 of ")
    assert not rows["gunicorn sync"][7].startswith("0 of ")
