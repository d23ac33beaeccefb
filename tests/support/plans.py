"""Forecast plan folders for tests: tables as CSV lines, options as forecast.toml text."""

from __future__ import annotations

from pathlib import Path


def write_plan(folder: Path, tables: dict[str, list[str]], options: str) -> Path:
    """A plan folder: each table as CSV lines (header first), and forecast.toml."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in tables.items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "forecast.toml").write_text(options, encoding="utf-8")
    return folder
