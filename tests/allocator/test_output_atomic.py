"""Outputs are all or nothing as a folder; output paths are checked before solving.

Real parts only: real folders, a read-only bind mount, a 256 KiB tmpfs that
fills up, immutable entries (chattr +i), and a real child process killed with
SIGKILL while it writes (tests/support/output_child.py).
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from support.output_child import tagged
from support.paths import ROOT, SUPPORT

from allocator import atomic, load_round, solve, write_solution
from allocator.cli import main
from allocator.output import FILES, OutputError, clean_leftovers

PENZA = ROOT / "data" / "penza"
CHILD = SUPPORT / "output_child.py"


@pytest.fixture(scope="module")
def solution():
    return solve(load_round(PENZA))


def generation(out: Path) -> int:
    """The one generation all five files of ``out`` carry; fails if they differ or any is missing."""
    assert sorted(os.listdir(out)) == sorted(FILES)
    gens = {
        "assignments.csv": set(pd.read_csv(out / "assignments.csv")["gen"]),
        "unplaced.csv": set(pd.read_csv(out / "unplaced.csv")["gen"]),
        "deficits.csv": set(pd.read_csv(out / "deficits.csv")["gen"]),
        "summary.json": {int(json.loads((out / "summary.json").read_text())["input_hash"][4:])},
    }
    sheet = pd.read_excel(out / "result.xlsx", sheet_name=None)
    gens["result.xlsx"] = set(sheet["assignments"]["gen"]) | {
        int(sheet["summary"].set_index("figure").loc["input hash", "value"][4:])}
    assert all(len(g) == 1 for g in gens.values()), gens
    values = {next(iter(g)) for g in gens.values()}
    assert len(values) == 1, gens
    return values.pop()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def siblings(out: Path) -> list[str]:
    return sorted(n for n in os.listdir(out.parent) if n != out.name)


def solve_cli(*args: str) -> int:
    return main(["solve", *args, "-q", "--no-store"])


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


@contextmanager
def immutable(path: Path):
    run(["chattr", "+i", str(path)])
    try:
        yield
    finally:
        run(["chattr", "-i", str(path)])


# ------------------------------------------------------------------ writing


def test_write_replaces_the_whole_folder_and_leaves_nothing_beside_it(tmp_path, solution):
    out = tmp_path / "out"
    write_solution(tagged(solution, 1), out)
    assert generation(out) == 1
    written = write_solution(tagged(solution, 2), out)
    assert [p.name for p in written] == list(FILES) and all(p.parent == out for p in written)
    assert generation(out) == 2
    assert siblings(out) == []


def test_folder_with_foreign_files_is_refused_and_kept(tmp_path, solution, capsys):
    out = tmp_path / "docs"
    out.mkdir()
    (out / "report.docx").write_bytes(b"mine")
    (out / "summary.json").write_text("{}")
    with pytest.raises(OutputError) as exc:
        write_solution(solution, out)
    assert exc.value.problems[0].code == "out_not_ours" and "report.docx" in str(exc.value)
    assert solve_cli(str(PENZA), "--out", str(out)) == 2
    assert "report.docx" in capsys.readouterr().err
    assert snapshot(out) == {"report.docx": b"mine", "summary.json": b"{}"}
    assert siblings(out) == []


def test_empty_folder_is_used(tmp_path, solution):
    out = tmp_path / "empty"
    out.mkdir()
    write_solution(tagged(solution, 3), out)
    assert generation(out) == 3


# ------------------------------------------------------------------ paths checked before solving


def test_out_that_is_an_existing_file_is_refused(tmp_path, capsys):
    target = tmp_path / "result.txt"
    target.write_bytes(b"keep")
    assert solve_cli(str(PENZA), "--out", str(target)) == 2
    assert "--out must be a folder, but this is an existing file" in capsys.readouterr().err
    assert solve_cli(str(PENZA), "--out", str(target), "--lang", "ru") == 2
    assert "--out должен быть папкой" in capsys.readouterr().err
    assert target.read_bytes() == b"keep" and siblings(target) == []
    assert solve_cli(str(PENZA), "--out", str(target / "out")) == 2
    assert f"{target} is not a folder" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["round folder", "round file", "folder holding the round", "workbook"])
def test_out_that_is_or_holds_the_round_is_refused(tmp_path, capsys, where):
    round_dir = shutil.copytree(PENZA, tmp_path / "data" / "penza")
    workbook = tmp_path / "data" / "round.xlsx"
    workbook.write_bytes(b"not read")
    source, out = {
        "round folder": (round_dir, round_dir),
        "round file": (round_dir, round_dir / "regions.csv"),
        "folder holding the round": (round_dir, tmp_path),
        "workbook": (workbook, workbook),
    }[where]
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert solve_cli(str(source), "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert ("contains the round" if where == "folder holding the round" else "the round's own input") in err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_solver_log_in_a_missing_folder_is_refused_and_not_created(tmp_path, capsys):
    log = tmp_path / "logs" / "cbc.log"
    assert solve_cli(str(PENZA), "--out", str(tmp_path / "out"), "--solver", "cbc",
                     "--solver-log", str(log)) == 2
    assert "the folder of --solver-log does not exist" in capsys.readouterr().err
    assert not (tmp_path / "logs").exists() and not (tmp_path / "out").exists()
    assert solve_cli(str(PENZA), "--out", str(tmp_path / "out"), "--solver-log", str(tmp_path)) == 2
    assert "--solver-log must be a file" in capsys.readouterr().err


@contextmanager
def read_only_bind(folder: Path):
    """``folder`` made read-only for everyone, root included, by a read-only bind mount."""
    try:
        run(["mount", "--bind", str(folder), str(folder)])
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot bind-mount here (needs root and mount): {exc}")
    try:
        run(["mount", "-o", "remount,ro,bind", str(folder)])
        yield
    finally:
        run(["umount", str(folder)])


def test_out_in_a_read_only_folder_is_refused_before_solving(tmp_path, capsys, solution):
    parent = tmp_path / "ro"
    parent.mkdir()
    write_solution(tagged(solution, 4), parent / "out")
    with read_only_bind(parent):
        with pytest.raises(OSError):  # the mount is really read-only, for root too
            (parent / "probe").write_bytes(b"")
        assert solve_cli(str(PENZA), "--out", str(parent / "out")) == 2
        assert solve_cli(str(PENZA), "--out", str(parent / "new" / "deeper")) == 2
        err = capsys.readouterr().err
        assert err.count("is not writable") == 2 and "Read-only file system" in err
        with pytest.raises(OutputError) as exc:  # the Python API refuses too
            write_solution(solution, parent / "out")
        assert exc.value.problems[0].code == "out_not_writable"
    assert generation(parent / "out") == 4 and siblings(parent / "out") == []


# ------------------------------------------------------------------ failures while writing


@contextmanager
def small_tmpfs(folder: Path, size: str = "256k"):
    folder.mkdir()
    try:
        run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)])
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {exc}")
    try:
        yield folder
    finally:
        run(["umount", str(folder)])


def fill_up(path: Path) -> None:
    """Write ``path`` until the filesystem is full."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


def test_full_disk_leaves_the_previous_result_and_exits_6(tmp_path, capsys, solution):
    with small_tmpfs(tmp_path / "disk") as disk:
        out = disk / "out"
        assert solve_cli(str(PENZA), "--out", str(out)) == 0
        before = snapshot(out)
        fill_up(disk / "filler")
        for lang, text in (("en", "the disk is full"), ("ru", "диск заполнен")):
            assert solve_cli(str(PENZA), "--out", str(out), "--lang", lang) == 6
            assert text in capsys.readouterr().err
        assert snapshot(out) == before
        assert siblings(out) == ["filler"]
        os.unlink(disk / "filler")
        write_solution(tagged(solution, 5), out)
        assert generation(out) == 5 and siblings(out) == []


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_swap_that_fails_changes_nothing(tmp_path, solution, monkeypatch, exchange):
    """Like a result.xlsx open in Excel on Windows: the old folder cannot be moved (here immutable)."""
    monkeypatch.setattr(atomic, "EXCHANGE", exchange)
    out = tmp_path / "out"
    write_solution(tagged(solution, 6), out)
    before = snapshot(out)
    with immutable(out):
        with pytest.raises(OutputError) as exc:
            write_solution(tagged(solution, 7), out)
        assert exc.value.problems[0].code == "output_not_permitted"
        assert "Operation not permitted" in str(exc.value) and ".allocator-" not in str(exc.value)
        assert snapshot(out) == before and siblings(out) == []
    write_solution(tagged(solution, 8), out)
    assert generation(out) == 8


def test_old_result_that_cannot_be_removed_still_gives_the_whole_new_one(tmp_path, solution):
    out = tmp_path / "out"
    write_solution(tagged(solution, 9), out)
    run(["chattr", "+i", str(out / "result.xlsx")])
    try:
        write_solution(tagged(solution, 10), out)
        assert generation(out) == 10
        leftover = [n for n in siblings(out) if n.startswith(".out.allocator-new-")]
        assert len(leftover) == 1 and os.listdir(tmp_path / leftover[0]) == ["result.xlsx"]
    finally:  # the immutable file moved with the old folder
        for old in tmp_path.glob(".out.allocator-*/result.xlsx"):
            run(["chattr", "-i", str(old)])
    clean_leftovers(out)
    assert siblings(out) == [] and generation(out) == 10


# ------------------------------------------------------------------ leftovers of killed runs


def test_interrupted_two_rename_swap_is_rolled_back(tmp_path, solution):
    """The state a kill between the two renames leaves: no out, the old result aside, a new one staged."""
    out = tmp_path / "out"
    write_solution(tagged(solution, 11), out)
    before = snapshot(out)
    os.rename(out, tmp_path / ".out.allocator-old-1a2b")
    write_solution(tagged(solution, 12), tmp_path / "elsewhere")
    os.rename(tmp_path / "elsewhere", tmp_path / ".out.allocator-new-3c4d")
    (tmp_path / ".out.allocator-lock").write_bytes(b"")
    clean_leftovers(out)
    assert snapshot(out) == before and siblings(out) == []


def test_leftovers_of_earlier_versions_are_removed_but_symlinks_not_followed(tmp_path, solution):
    out = tmp_path / "out"
    write_solution(tagged(solution, 13), out)
    (out / ".allocator-k3j4").mkdir()
    (out / ".allocator-k3j4" / "assignments.csv").write_text("graduate_id\nG1\n")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep")
    os.symlink(precious, tmp_path / ".out.allocator-new-evil")
    assert solve_cli(str(PENZA), "--out", str(out)) == 0
    assert sorted(os.listdir(out)) == sorted(FILES)
    assert (precious / "keep.txt").read_text() == "keep"
    assert siblings(out) == [".out.allocator-new-evil", "precious"]


def test_a_probe_a_killed_run_left_is_removed_by_the_next_write(tmp_path, solution):
    # found by the SIGKILL test under load: a kill between creating and removing the
    # writability probe left an empty `.out.allocator-probe-*` file beside the output folder
    out = tmp_path / "out"
    write_solution(tagged(solution, 1), out)
    (tmp_path / ".out.allocator-probe-x1y2z3").write_bytes(b"")
    (tmp_path / ".other.allocator-probe-x1y2z3").write_bytes(b"")  # another folder's: not ours to touch
    write_solution(tagged(solution, 2), out)
    assert generation(out) == 2 and siblings(out) == [".other.allocator-probe-x1y2z3"]


@pytest.mark.parametrize("mode,kills", [("exchange", 12), ("fallback", 8)])
def test_sigkill_while_writing_leaves_one_whole_result(tmp_path, solution, mode, kills):
    """A forked writer writes generation 1, 2, 3, ... into out until SIGKILL at a random moment.

    After every kill out holds the five files of one generation (with the
    exchange swap before any repair; with two renames after the next run's
    repair), and the next write removes every leftover.
    """
    pickled = tmp_path / "solution.pickle"
    pickled.write_bytes(pickle.dumps(solution))
    out = tmp_path / "w" / "out"
    started = time.perf_counter()
    write_solution(tagged(solution, 0), out)
    # the kills are spread over about three writes' time as measured here, so that on a
    # loaded machine as on an idle one some come before the first write ends and some after
    span = 3 * max(0.05, time.perf_counter() - started)
    server = subprocess.Popen([sys.executable, str(CHILD), str(pickled), str(out), mode], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    rng = random.Random(11)
    seen = set()
    try:
        assert server.stdout.readline() == "ready\n"
        for k in range(kills):
            server.stdin.write("go\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())
            time.sleep((k / kills) * span + rng.uniform(0, span / 10))
            os.kill(pid, signal.SIGKILL)
            server.stdin.write("reap\n")
            server.stdin.flush()
            assert int(server.stdout.readline()) == signal.SIGKILL  # killed, not finished or failed
            if mode == "fallback":
                clean_leftovers(out)
            seen.add(generation(out) > 0)
            write_solution(tagged(solution, 0), out)
            assert generation(out) == 0 and siblings(out) == []
    finally:
        server.stdin.close()
        server.wait(timeout=30)
        server.stdout.close()
    assert seen == {True, False}  # some kills came before the writer's first write ended, some after


def test_concurrent_writers_take_turns(tmp_path, solution):
    """Two processes writing the same folder at once: neither removes the other's staging folder."""
    pickled = tmp_path / "solution.pickle"
    pickled.write_bytes(pickle.dumps(solution))
    out = tmp_path / "w" / "out"
    code = ("import pickle, sys; from output_child import tagged; from allocator import write_solution\n"
            "s = pickle.load(open(sys.argv[1], 'rb'))\n"
            "for g in range(int(sys.argv[3]), int(sys.argv[3]) + 4): write_solution(tagged(s, g), sys.argv[2])\n")
    writers = [subprocess.Popen([sys.executable, "-c", code, str(pickled), str(out), str(start)],
                                cwd=CHILD.parent, stderr=subprocess.PIPE, text=True) for start in (100, 200)]
    for w in writers:
        assert w.wait(timeout=120) == 0, w.communicate()[1]
    assert generation(out) in (103, 203) and siblings(out) == []
