"""Every UI text exists in Russian and English, with the same placeholders."""

import ast
import re
import string

from support.paths import ROOT

from allocator.diagnose import REASON_CODES
from allocator.status import Progress
from ui import i18n

UI = ROOT / "ui"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_both_languages():
    for key, entry in i18n.TEXT.items():
        assert set(entry) == set(i18n.LANGUAGES), key
        for lang in i18n.LANGUAGES:
            assert entry[lang].strip(), (key, lang)
        assert placeholders(entry["ru"]) == placeholders(entry["en"]), key


def test_russian_text_is_russian():
    cyrillic = re.compile("[а-яА-ЯёЁ]")
    english_only = {"diff_vs", "none", "col_komk"}  # symbols / abbreviations
    for key, entry in i18n.TEXT.items():
        if key in english_only:
            continue
        assert cyrillic.search(entry["ru"]), key
        names_a_sheet = {"template_help"}  # quotes the sheet name "описание"
        assert not cyrillic.search(entry["en"]) or key in names_a_sheet, key


def test_every_key_used_in_the_code_exists():
    used = set()
    for path in list(UI.rglob("*.py")) + [UI.parent / "ui_streamlit.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "t":
                if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    used.add(node.args[0].value)
    from ui.views import HEADERS

    used |= set(HEADERS.values())
    missing = used - set(i18n.TEXT)
    assert not missing, missing


def test_reasons_and_progress_messages_translate():
    for code in REASON_CODES:
        assert i18n.reason(code, "ru") != i18n.reason(code, "en")
    assert i18n.progress_text(Progress("level", 0.45, {"k": 2, "n": 3, "name": "deficit"}), "ru") \
        == "Уровень 2/3: взвешенный дефицит"
    assert i18n.progress_text(Progress("model", 0.15, {"pairs": 12}), "en") == "Building the model: 12 pairs"
    assert i18n.progress_text(Progress("something new", 0.5), "ru") == "something new"
    assert i18n.t("m_of_total", "en", n=5) == "of 5"


def test_weight_basis_speaks_russian_in_the_results():
    from allocator import load_round, solve
    from ui import views

    round_ = load_round("data/penza")
    solution = solve(round_)
    ru = views.deficits_table(round_, solution, "ru")
    basis = ru[i18n.t("col_weight_basis", "ru")]
    assert basis.str.startswith("группа КОМК").any()
    assert not basis.str.contains("KOMK").any()
    assert i18n.weight_basis("KOMK group IV", "en") == "KOMK group IV"
    assert i18n.weight_basis("scenario", "ru") == "сценарий"
