"""`make tutor-report`: how honest the tutor's slip messages are, against a simulated student.

    make tutor-report            # the tables in the README's Tutoring section
    .venv/bin/python tools/tutor_report.py --help

tests/student_model.py simulates students who make one slip in one cell, as
often as its error model says; for each preset this prints, over --cells wrong
cells, how often each named slip is the one made (precision), how often a
conceptual slip that nothing else could explain is named (recall), and the
issue's own experiment: one h_z cell off by 1 or 2 in 150 classic problems.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core import presets  # noqa: E402
from tests.student_model import adding_slips_in_h_z, report, simulate  # noqa: E402
from tools.bench import table  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", type=int, default=10_000, help="wrong cells per preset (10,000)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the simulation (2026)")
    args = parser.parse_args(argv)
    found = {p.name: report(simulate(p, args.cells, args.seed)) for p in presets.PROFILES}
    kinds = sorted({kind for r in found.values() for kind in [*r.precision, *r.recall]})
    print(f"Tutor report: {args.cells} simulated wrong cells per preset (seed {args.seed})")
    table(["named slip", *(f"{name} precision" for name in found), *(f"{name} recall" for name in found)],
          [[kind,
            *(f"{r.precision[kind][0]:.1%} of {r.precision[kind][1]}" if kind in r.precision else "—"
              for r in found.values()),
            *(f"{r.recall[kind][0]:.1%} of {r.recall[kind][1]}" if kind in r.recall else "—"
              for r in found.values())] for kind in kinds])
    print("\nAll conceptual slips together, recall: "
          + ", ".join(f"{name} {r.overall_recall:.1%}" for name, r in found.items())
          + "; wrong cells given a named slip: "
          + ", ".join(f"{name} {r.named_share:.0%}" for name, r in found.items()))
    said = adding_slips_in_h_z(presets.DEFAULT, 150, seed=7)
    total = sum(said.values())
    print(f"\nOne h_z cell off by 1 or 2, 150 classic problems ({total} cells): "
          + ", ".join(f"{kind} {count / total:.1%}" for kind, count in said.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
