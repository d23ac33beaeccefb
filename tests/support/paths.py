"""Where things are, for every test: the checkout, the bundled round, shared/ beside the checkout."""

from __future__ import annotations

from pathlib import Path

SUPPORT = Path(__file__).resolve().parent
TESTS = SUPPORT.parent
ROOT = TESTS.parent
PENZA = ROOT / "data" / "penza"
SHARED = ROOT.parent / "shared"
DATA = TESTS / "data"  # regression rounds, one folder per bug, named after it
