"""Scenario sweeps: one round solved under many scenarios (``allocator sweep``, docs/sweep.md).

:mod:`~allocator.sweep.grid` reads and checks the grid file and expands it into
scenarios; :mod:`~allocator.sweep.apply` applies one scenario to the loaded
round; :mod:`~allocator.sweep.runner` solves scenarios in a process pool or on
Dask and returns one row per scenario; :mod:`~allocator.sweep.table` writes
``scenarios.csv``; :mod:`~allocator.sweep.cli` is the command line.
"""
