"""`allocator solve --lang ru` prints the summary and the unplaced reasons in Russian from the one
catalogue, numbers as Russian writes them (decimal comma, no-break space between thousands)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from support.paths import PENZA, ROOT

from allocator.catalogue import number, text

NBSP = "\u00a0"


def _solve(tmp_path, lang: str) -> tuple[str, dict]:
    out = tmp_path / lang
    done = subprocess.run([sys.executable, "-m", "allocator", "solve", str(PENZA), "--out", str(out),
                           "--lang", lang, "--no-store"], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_the_summary_and_reasons_come_out_in_russian(tmp_path):
    out, summary = _solve(tmp_path, "ru")
    before, after = summary["weighted_deficit_before"], summary["objective"]["2_weighted_deficit"]
    assert f"2. взвешенный дефицит: {number(before, 'ru', 1)} до -> {number(after, 'ru', 1)} после" in out
    assert "," in number(after, "ru", 1)  # 189,4: the decimal comma is really there
    km = summary["objective"]["3_total_km"]
    assert f"3. суммарное расстояние, км: {number(km, 'ru', 1)}\n" in out and NBSP in number(km, "ru", 1)
    assert f"расход 33{NBSP}000{NBSP}000{NBSP}₽ из 61{NBSP}000{NBSP}000{NBSP}₽" in out
    for code, n in summary["unplaced_by_reason"].items():
        assert f"{text('reason_' + code, 'ru')} — {n}" in out
    assert re.search(r"время: \d+,\d\d с; пар: 2\u00a0444", out), out
    words = out.split("записано:")[0].replace("max_km", "")
    assert not re.search("[a-z]{4,}", words.replace("zemsky_doctor_2020", "").replace("zemsky_feldsher_2020", "")
                         .replace("cbc", "")), out


def test_english_keeps_the_decimal_point_and_the_same_rounding(tmp_path):
    out, summary = _solve(tmp_path, "en")
    km = summary["objective"]["3_total_km"]
    assert f"3. total km: {number(km, 'en', 1)}\n" in out and "," in number(km, "en", 1)
    assert f"spend 33,000,000{NBSP}₽ of 61,000,000{NBSP}₽" in out
    assert not re.search("[а-яА-Я]", out)
