"""The command line when its reader goes away (``allocator ... | head``): exit 141, no traceback."""

from __future__ import annotations

import subprocess
import sys

from support.paths import PENZA


def test_a_closed_pipe_ends_the_command_quietly():
    child = subprocess.Popen([sys.executable, "-m", "allocator", "validate", str(PENZA)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # the reader is gone before the first line
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 141
    assert "Traceback" not in err and "BrokenPipeError" not in err
