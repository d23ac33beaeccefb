"""Russian words in input (schema_aliases.csv): a round typed with «грант», «ФАП», «да» is the same
Round as one typed with the codes, in CSV files and in a workbook; an unknown word is refused with its
file, row and column. Specialties are free text: a Russian specialty stays as typed."""

from __future__ import annotations

import re
import shutil

import openpyxl
import pandas as pd
import pytest
from support.paths import PENZA, ROOT

from allocator import InputError, load_round
from allocator.catalogue import text
from allocator.schema import aliases, aliases_markdown, schema

FUNDING_RU = {"grant": "Грант", "targeted": "целевое обучение", "paid": "платный"}
TYPE_RU = {"FAP": "ФАП", "FP": "ФП", "VA": "врачебная амбулатория", "UB": "УБ", "RB": "ЦРБ", "MRB": "МРБ",
           "polyclinic": "поликлиника", "hospital": "Больница"}


def _russian_copy(tmp_path):
    """The bundled round with funding, facility type and rural in Russian words."""
    folder = tmp_path / "penza_ru"
    shutil.copytree(PENZA, folder, ignore=shutil.ignore_patterns("villages"))
    read = {name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
            for name in ("graduates", "facilities")}
    read["graduates"]["funding"] = read["graduates"]["funding"].map(FUNDING_RU)
    read["facilities"]["type"] = read["facilities"]["type"].replace(TYPE_RU)
    read["facilities"]["rural"] = read["facilities"]["rural"].map({"True": "да", "False": "Нет"})
    for name, frame in read.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder, read


def _same_round(a, b) -> None:
    for table in ("regions", "facilities", "vacancies", "graduates", "programmes"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_like=False)


def test_russian_words_load_to_the_same_round_as_the_codes(tmp_path):
    folder, read = _russian_copy(tmp_path)
    assert read["graduates"]["funding"].isin(FUNDING_RU.values()).all()  # the copy really is in Russian
    assert (read["facilities"]["type"] == "ЦРБ").any() and (read["facilities"]["rural"] == "да").any()
    codes, words = load_round(PENZA), load_round(folder)
    _same_round(codes, words)
    assert set(words.graduates["funding"]) == {"grant", "targeted", "paid"}


def _workbook(folder, frames, path):
    """A workbook with a sheet per table of ``folder``, ``frames`` replacing the tables they name."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in ("regions", "facilities", "vacancies", "graduates", "programmes"):
        frame = frames.get(name)
        if frame is None:
            frame = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append(list(row))
    book.save(path)
    return path


def test_russian_words_in_a_workbook_too(tmp_path):
    folder, read = _russian_copy(tmp_path)
    words = load_round(_workbook(folder, read, tmp_path / "words.xlsx"))
    codes = load_round(_workbook(PENZA, {}, tmp_path / "codes.xlsx"))
    assert (read["facilities"]["type"] == "ФАП").any()
    _same_round(codes, words)


def test_an_unknown_word_is_refused_with_file_row_and_column(tmp_path):
    folder, read = _russian_copy(tmp_path)
    grads = read["graduates"]
    grads.loc[4, "funding"] = "коммерческий"
    grads.to_csv(folder / "graduates.csv", index=False)
    fac = read["facilities"]
    fac.loc[0, "type"] = "санаторий"
    fac.to_csv(folder / "facilities.csv", index=False)
    with pytest.raises(InputError) as info:
        load_round(folder)
    found = {(p.file.rsplit("/", 1)[-1], p.row, p.column, p.code) for p in info.value.problems}
    assert ("graduates.csv", 6, "funding", "not_allowed") in found
    assert ("facilities.csv", 2, "type", "not_allowed") in found
    funding = next(p for p in info.value.problems if p.column == "funding")
    assert "grant (грант)" in funding.text("ru") and "'коммерческий'" in funding.text("ru")


def test_the_words_the_app_shows_are_accepted_back():
    """A table exported with the app's words (funding_*, type_* of the catalogue) reads back."""
    for code in ("grant", "targeted", "paid"):
        assert aliases("graduates", "funding")[text(f"funding_{code}", "ru").casefold()] == code
    for code in next(c for c in schema()["facilities"] if c.name == "type").allowed:
        assert aliases("facilities", "type")[text(f"type_{code.lower()}", "ru").casefold()] == code


def test_docs_list_the_aliases():
    doc = (ROOT / "docs" / "allocator.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- aliases:[^\n]*\n(.*?)\n<!-- end aliases -->", doc, re.S).group(1)
    assert block.strip() == aliases_markdown().strip()
