"""The lower layer that ``allocator`` and ``network`` both stand on.

It imports neither of them (``tests/test_house.py`` checks this), so the
two packages share these pieces without importing each other:

* :mod:`.problems`  ``Problem`` and ``InputError``: one input-error type, rows
  counted as a spreadsheet shows them (the header is row 1), and the message
  catalogue keyed by code that every package adds its codes to;
* :mod:`.csvread`   CSV files as Excel in a Russian locale saves them (';' or ',',
  decimal commas, UTF-8 or cp1251), every cell read as text;
* :mod:`.schema`    input tables described as data (one CSV format with unit and
  default columns), their Markdown reference for the docs;
* :mod:`.geo`       vectorised WGS-84 geodesics and nearest-point search.

Layers, lowest first: ``medstaff_core`` -> ``network`` -> ``allocator`` -> ``ui``.
"""
