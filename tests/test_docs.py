"""The docs run: the README's quick start and the Python API examples of docs/allocator.md."""

from __future__ import annotations

import doctest
import os
import re
import shlex
import subprocess
import sys

from support.paths import ROOT


def test_api_examples_in_the_allocator_docs_run(monkeypatch):
    monkeypatch.chdir(ROOT)  # the examples name data/penza as a planner's checkout has it
    result = doctest.testfile(str(ROOT / "docs" / "allocator.md"), module_relative=False,
                              optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted >= 10 and result.failed == 0, result


def test_the_readme_quick_start_solves_the_bundled_round(tmp_path):
    # the README's first command after its set-up part: `allocator solve data/penza --out out/penza`
    first = next(line.strip() for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
                 if line.startswith("    python3 -m venv"))
    command = shlex.split(first.split("&&")[-1].strip())
    assert command[0].endswith("allocator") and command[1:3] == ["solve", "data/penza"], command
    out = tmp_path / "out"
    args = [a if a != "out/penza" else str(out) for a in command[1:]] + ["--no-store"]
    done = subprocess.run([sys.executable, "-m", "allocator", *args], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"obligated graduates placed: 209 of 224", done.stdout)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["assignments.csv", "unplaced.csv", "deficits.csv", "summary.json", "result.xlsx"])
