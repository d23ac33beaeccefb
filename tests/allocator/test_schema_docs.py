"""One schema format for every table: the docs are generated from the schema files and stay in sync."""

from __future__ import annotations

import re

import pytest
from support.paths import ROOT

from allocator.indicators.staffing import STAFFING_COLUMNS
from allocator.schema import indicator_markdown, markdown, schema
from medstaff_core.schema import FIELDS, load_schema, parse_schema


def _between(text: str, start: str, end: str) -> str:
    return re.search(re.escape(start) + r"[^\n]*\n(.*?)\n" + re.escape(end), text, re.S).group(1)


def test_allocator_docs_tables_are_the_schema():
    doc = (ROOT / "docs" / "allocator.md").read_text(encoding="utf-8")
    assert _between(doc, "<!-- schema:", "<!-- end schema -->").strip() == markdown().strip()
    assert _between(doc, "<!-- indicator schema:", "<!-- end indicator schema -->").strip() == \
        indicator_markdown().strip()


def test_network_docs_tables_are_the_schema():
    from network.schema import markdown as network_markdown

    doc = (ROOT / "docs" / "network.md").read_text(encoding="utf-8")
    assert _between(doc, "<!-- schema:", "<!-- end schema -->").strip() == network_markdown().strip()


def test_forecast_docs_tables_are_the_schema():
    from allocator.forecast.plan import markdown as forecast_markdown

    doc = (ROOT / "docs" / "forecast.md").read_text(encoding="utf-8")
    assert _between(doc, "<!-- schema:", "<!-- end schema -->").strip() == forecast_markdown().strip()


@pytest.mark.parametrize("package", ["allocator", "network", "allocator.forecast"])
def test_every_schema_file_has_the_one_header_and_both_languages(package):
    tables = load_schema(package)
    assert tables
    for cols in tables.values():
        for c in cols:
            assert c.description_en and c.description_ru, (c.table, c.name)


def test_staffing_schema_names_the_columns_the_indicators_require():
    required = tuple(c.name for c in schema()["staffing"] if c.required)
    assert required == STAFFING_COLUMNS


def test_a_malformed_schema_row_is_refused():
    row = dict.fromkeys(FIELDS, "")
    row.update(table="t", column="c", dtype="number", required="yes")
    with pytest.raises(ValueError, match="unknown dtype"):
        parse_schema([row])
    row.update(dtype="float", required="maybe")
    with pytest.raises(ValueError, match="required must be one of"):
        parse_schema([row])
