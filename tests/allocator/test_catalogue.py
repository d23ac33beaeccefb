"""The one catalogue of texts (allocator.catalogue): complete, consistent, and used by every edge."""

from __future__ import annotations

import ast
import csv
import re
import string

import pytest
from support.paths import ROOT

from allocator import catalogue
from allocator.catalogue import DOMAINS, Message, language_from_locale, text

TEXTS = ROOT / "allocator" / "texts"
CYRILLIC = re.compile("[а-яА-ЯёЁ]")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_entry_has_both_languages_with_the_same_placeholders():
    entries = catalogue.catalogue()
    assert len(entries) > 400
    for code, entry in entries.items():
        assert entry.en.strip() and entry.ru.strip(), code
        assert fields(entry.en) == fields(entry.ru), code
        assert re.fullmatch(r"[a-z0-9_]+", code), code


def test_codes_are_unique_across_the_files_and_every_file_is_loaded():
    seen: dict[str, str] = {}
    for path in [ROOT / "medstaff_core" / "texts.csv", ROOT / "network" / "texts.csv", *sorted(TEXTS.glob("*.csv"))]:
        assert path.stem in DOMAINS or path.parent.name in ("medstaff_core", "network"), f"{path} is not loaded"
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            assert next(reader) == ["code", "en", "ru"], path.name
            for row in reader:
                assert len(row) == 3, (path.name, row)
                assert row[0] not in seen, f"{row[0]} is in {seen.get(row[0])} and {path.name}"
                seen[row[0]] = path.name
    assert set(seen) == set(catalogue.catalogue())


def test_prefixes_name_the_domain():
    for code in catalogue.domain("reasons"):
        assert code.startswith("reason_"), code
    for code in catalogue.domain("store"):
        assert code.startswith(("store_", "runs_")), code
    for code in catalogue.domain("cli"):
        assert code.startswith("cli_"), code
    for code in catalogue.domain("progress"):
        assert code.startswith("stage_"), code


def test_russian_texts_are_russian_outside_the_ui():
    # The UI's own rule (with its exceptions) is tests/test_ui_i18n.py; symbols-only texts are exempt.
    for name in ("core", "network", "input", "reasons", "store", "cli", "progress"):
        for code, entry in catalogue.domain(name).items():
            letters = re.sub(r"\{[^}]*\}|[A-Z_]{2,}|--[a-z-]+|\S+\.(csv|xlsx|toml)\b", "", entry.ru)
            if re.search("[a-zA-Zа-яА-Я]", letters):
                assert CYRILLIC.search(entry.ru), code
            assert not CYRILLIC.search(entry.en), code


def test_text_fills_placeholders_in_either_language():
    assert text("not_a_number", "en", value="x") == "not a number: 'x'"
    assert text("not_a_number", "ru", value="x") == "не число: 'x'"
    assert catalogue.texts("store_no_run", id=3) == (
        "no run 3 in the store", "в хранилище нет расчёта 3")
    message = Message("cli_written", {"files": "a.csv"})
    assert str(message) == "written: a.csv"
    assert message.text("ru") == "записано: a.csv"
    with pytest.raises(KeyError):
        text("no_such_code")


def test_every_edge_reads_the_catalogue():
    from allocator.diagnose import REASON_CODES, reason_text
    from allocator.messages import InputError, Problem
    from allocator.store.cli import say
    from allocator.store.texts import render
    from ui.i18n import t

    problem = Problem.of("vacancies.csv", 2, "vacancies", "not_a_number", value="много")
    assert problem.line("ru") == "vacancies.csv, строка 2, столбец 'vacancies': не число: 'много'"
    assert InputError([problem] * 3).report("ru", limit=1).splitlines()[-1] == "  ... и ещё 2"
    assert InputError([problem] * 3).report("en", limit=1).splitlines()[-1] == "  ... and 2 more"
    assert set(catalogue.domain("reasons")) == {f"reason_{code}" for code in REASON_CODES}
    assert reason_text("all_taken", "ru").startswith("все допустимые места заняты")
    assert reason_text("something_new") == "something_new"
    assert render("no_run", "ru", id=7) == "в хранилище нет расчёта 7"
    assert say("en", "posts", n=2) == "graduates whose post changed: 2"
    assert t("reason_all_taken", "en") == reason_text("all_taken", "en")
    from allocator.status import Progress, describe

    level = Progress("level", 0.7, {"k": 3, "n": 3, "name": "km"})
    assert describe(level, "en") == "level 3/3: total km"
    assert describe(level, "ru") == "уровень 3/3: суммарное расстояние"
    assert describe(Progress("something_new", 0.1), "ru") == "something_new"


def test_no_message_module_keeps_its_own_table_of_texts():
    # The five mechanisms before the catalogue were dicts of (en, ru) pairs or {"ru", "en"} entries.
    for rel in ("allocator/messages.py", "allocator/diagnose.py", "allocator/store/texts.py",
                "allocator/store/cli.py", "ui/i18n.py", "allocator/cli.py", "allocator/status.py"):
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not CYRILLIC.search(node.value), f"{rel}:{node.lineno}: {node.value!r}"


@pytest.mark.parametrize(("environ", "lang"), [
    ({"LANG": "ru_RU.UTF-8"}, "ru"),
    ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({}, "en"),
    ({"LC_ALL": "ru_RU.UTF-8", "LANG": "en_US.UTF-8"}, "ru"),
    ({"LC_ALL": "C", "LANG": "ru_RU.UTF-8"}, "en"),
    ({"LC_MESSAGES": "ru_RU", "LANG": "en_US"}, "ru"),
    ({"LC_ALL": "", "LANG": "ru_RU"}, "ru"),
])
def test_language_follows_the_locale(environ, lang):
    assert language_from_locale(environ) == lang


def test_the_command_line_speaks_russian_from_the_locale(tmp_path, capsys, monkeypatch):
    from allocator.cli import main

    penza = ROOT / "data" / "penza"
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert main(["solve", str(penza), "--out", str(tmp_path / "ru"), "--no-store"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("статус: оптимально (решатель ")
    assert "1. распределено обязанных выпускников: " in out
    assert "не распределены: " in out and "нет вакансий по специальности в пределах max_km от дома — " in out
    assert "записано: " in out
    assert "уровень 1/3: распределение обязанных выпускников" in err
    assert not re.search("[a-z]{4,} [a-z]{4,}", out.split("записано:")[0].replace("max_km", "")), out

    assert main(["solve", str(penza), "--out", str(tmp_path / "en"), "--no-store", "--lang", "en"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("status: optimal (solver ")
    assert "\n1. obligated graduates placed: " in out and "\nunplaced: " in out and "none_within_max_km " in out
    assert "level 1/3: obligated graduates placed" in err
    assert not CYRILLIC.search(out + err)
