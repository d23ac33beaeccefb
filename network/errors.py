"""Errors and warnings raised by the network package.

Validation collects every problem it finds (table, row, column, message) and
raises them together, so a user can fix a file in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem in an input table.

    ``row`` is the 1-based data row (the header is not counted), so in a CSV
    file the problem is on line ``row + 1``. ``None`` means the whole table or
    the whole column.
    """

    table: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"table '{self.table}'"]
        if self.row is not None:
            where.append(f"row {self.row} (line {self.row + 1})")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return ", ".join(where) + f": {self.message}"


class NetworkInputError(ValueError):
    """Input tables do not satisfy the schema; ``issues`` lists every problem."""

    def __init__(self, issues: list[Issue] | Issue):
        self.issues = [issues] if isinstance(issues, Issue) else list(issues)
        shown = "\n  ".join(str(i) for i in self.issues[:20])
        more = len(self.issues) - 20
        suffix = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.issues)} input problem(s):\n  {shown}{suffix}")


class PlanningError(ValueError):
    """A planning problem cannot be solved as posed (e.g. provably infeasible)."""


class DisconnectedNetworkWarning(UserWarning):
    """The road graph has more than one connected component."""


class UnreachableWarning(UserWarning):
    """Some origin-destination pairs have no road path."""


class DataQualityWarning(UserWarning):
    """Input accepted, but a value looks doubtful (e.g. unknown road class)."""
