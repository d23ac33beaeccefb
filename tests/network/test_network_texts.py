"""Every message of the network package is a code of network/texts.csv, shown in English or Russian."""

from __future__ import annotations

import ast
import pickle
import re
import string

import pytest
from support.paths import ROOT

from network.cli import main
from network.errors import DataQualityWarning, PlanningError, issue, network_text, network_texts
from network.examples import ROADS, SETTLEMENTS, facilities

CYRILLIC = re.compile("[а-яА-ЯёЁ]")
SOURCES = sorted((ROOT / "network").glob("*.py"))


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_network_code_renders_in_both_languages():
    assert len(network_texts()) >= 45
    for code, (en, ru) in network_texts().items():
        assert fields(en) == fields(ru), code
        params = {name: 1234.0 for name in fields(en)}
        en_text, ru_text = network_text(code, "en", **params), network_text(code, "ru", **params)
        assert en_text and ru_text and en_text != ru_text, code
        assert "{" not in en_text.replace("{'", "") and "{" not in ru_text, code
        assert CYRILLIC.search(ru_text) and not CYRILLIC.search(en_text), code
        if not fields(en) & {"file", "row", "column", "code"}:  # not the frame of a report (net_where_row)
            problem = issue("t.csv", 2, "c", code, **params)
            assert (problem.text("en"), problem.text("ru"), problem.code) == (en_text, ru_text, code)


def _codes(node) -> list:
    """The codes an argument can be: a constant, or either branch of ``a if cond else b``."""
    if isinstance(node, ast.IfExp):
        return _codes(node.body) + _codes(node.orelse)
    return [node.value] if isinstance(node, ast.Constant) else [None]


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            yield name, node


def test_the_package_raises_and_warns_by_code_only():
    known, used = set(network_texts()), set()
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"[\"'](net_[a-z_]+)[\"']", source))
        for name, call in _calls(ast.parse(source)):
            where = f"{path.name}:{call.lineno}"
            if name == "issue":
                assert set(_codes(call.args[3])) <= known, where
            elif name in ("PlanningError", "DataQualityWarning", "UnreachableWarning", "DisconnectedNetworkWarning"):
                assert set(_codes(call.args[0])) <= known, where
            elif name == "warn":
                assert isinstance(call.args[0], ast.Call) and len(call.args) == 1, where
    assert used - known == set()
    assert known - used == set(), "codes no module uses"


def test_planning_errors_and_warnings_carry_their_code():
    exc = PlanningError("net_plan_bad_k", k=-1)
    assert str(exc) == "k must be a non-negative integer, got -1"
    assert exc.text("ru") == "k должно быть целым неотрицательным числом, получено -1"
    again = pickle.loads(pickle.dumps(exc))
    assert (type(again), again.code, again.params, str(again)) == (PlanningError, exc.code, exc.params, str(exc))
    warning = DataQualityWarning("net_no_staffing_rule", types=["ZZ"])
    assert str(warning) == "no staffing rule for facility types ['ZZ']"
    assert warning.text("ru") == "нет штатного норматива для типов медицинских пунктов ['ZZ']"


@pytest.fixture()
def files(tmp_path):
    SETTLEMENTS.to_csv(tmp_path / "settlements.csv", index=False)
    ROADS.to_csv(tmp_path / "roads.csv", index=False)
    facilities().to_csv(tmp_path / "facilities.csv", index=False)
    bad = ROADS.copy()
    bad.loc[0, "to_id"] = "nowhere"
    bad.to_csv(tmp_path / "bad_roads.csv", index=False)
    return tmp_path


def graph_args(d, roads="roads.csv"):
    return ["--settlements", str(d / "settlements.csv"), "--roads", str(d / roads)]


def test_the_command_line_reports_input_errors_in_russian(files, capsys):
    assert main(["components", *graph_args(files, "bad_roads.csv"), "--out", str(files / "c.csv"),
                 "--lang", "ru"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ошибка: Ошибок во входных данных: 1\n")
    assert ("bad_roads.csv', строка данных 1 (строка файла 2), столбец 'to_id': "
            "неизвестный населённый пункт 'nowhere' (его нет в ") in err

    assert main(["access", *graph_args(files), "--facilities", str(files / "facilities.csv"),
                 "--out", str(files / "x.csv"), "--lang", "ru"]) == 2
    assert "столбец '--max-km/--max-minutes': укажите предельное расстояние или время в пути" in capsys.readouterr().err

    assert main(["access", *graph_args(files), "--facilities", str(files / "missing.csv"), "--max-km", "5",
                 "--out", str(files / "x.csv"), "--lang", "ru"]) == 2
    err = capsys.readouterr().err
    assert "\nошибка: файл не найден: " in err and "missing.csv" in err

    assert main(["access", *graph_args(files), "--facilities", str(files / "facilities.csv"),
                 "--out", str(files / "x.csv"), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "column '--max-km/--max-minutes': give a distance or time limit" in err and not CYRILLIC.search(err)


def test_the_command_line_warns_in_the_language_of_the_locale(files, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert main(["components", *graph_args(files), "--out", str(files / "c.csv")]) == 0
    err = capsys.readouterr().err
    assert "предупреждение: дорожная сеть распадается на несвязанные части: 2; " in err
    assert main(["components", *graph_args(files), "--out", str(files / "c.csv"), "--lang", "en"]) == 0
    assert "warning: road graph has 2 connected components; " in capsys.readouterr().err
