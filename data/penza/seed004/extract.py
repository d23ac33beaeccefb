"""Extract the staffing tables of seed 004 (Penza oblast) into tidy CSV files.

Usage::

    python data/penza/seed004/extract.py [SEED_TXT] [OUT_DIR]

SEED_TXT defaults to /work/shared/seeds/004_*.txt, OUT_DIR to the folder of
this script.  Numbers are copied digit for digit from the seed; only the
decimal comma becomes a point (and a stray trailing "." is dropped), so
"67,88" -> "67.88" and "74,80" -> "74.80".

Rows are matched to formation ids by their printed name *and* checked against
the expected row order of each table, so a misspelt name ("Нижегородский"
for Нижнеломовский) cannot silently land on the wrong formation.  Every printed
name that differs from the correct one is written to name_variants.csv.
"""
from __future__ import annotations

import csv
import glob
import re
import sys
from pathlib import Path

# (id, correct Russian name); order = row order of seed Tables 10, 11, 13, 14.
FORMATIONS = [
    ("penza_city", "г. Пенза"),
    ("kuznetsk_kuznetsky", "г. Кузнецк и Кузнецкий район"),
    ("bashmakovsky", "Башмаковский район"),
    ("bekovsky", "Бековский район"),
    ("belinsky", "Белинский район"),
    ("bessonovsky", "Бессоновский район"),
    ("vadinsky", "Вадинский район"),
    ("gorodishchensky", "Городищенский район"),
    ("zemetchinsky", "Земетчинский район"),
    ("issinsky", "Иссинский район"),
    ("kamensky", "Каменский район"),
    ("kameshkirsky", "Камешкирский район"),
    ("kolyshleysky", "Колышлейский район"),
    ("lopatinsky", "Лопатинский район"),
    ("luninsky", "Лунинский район"),
    ("maloserdobinsky", "Малосердобинский район"),
    ("mokshansky", "Мокшанский район"),
    ("narovchatsky", "Наровчатский район"),
    ("neverkinsky", "Неверкинский район"),
    ("nizhnelomovsky", "Нижнеломовский район"),
    ("nikolsky", "Никольский район"),
    ("pachelmsky", "Пачелмский район"),
    ("penzensky", "Пензенский район"),
    ("serdobsky", "Сердобский район"),
    ("sosnovoborsky", "Сосновоборский район"),
    ("spassky", "Спасский район"),
    ("tamalinsky", "Тамалинский район"),
    ("shemysheysky", "Шемышейский район"),
    ("zarechny_city", "г. Заречный"),
]
NAME = dict(FORMATIONS)
ORDER_T10 = [f for f, _ in FORMATIONS]
# Year-by-year tables (№ п/п 1..29): Kuznetsk sits at row 7, Zarechny at 29.
ORDER_SERIES = (
    ["penza_city", "bashmakovsky", "bekovsky", "belinsky", "bessonovsky",
     "vadinsky", "kuznetsk_kuznetsky"]
    + [f for f in ORDER_T10[7:28]]
    + ["zarechny_city"]
)

# Stems that identify a formation in any of the seed's spellings.  Checked in
# this order (Малосердобинский before Сердобский, Пензенский before Пенза).
STEMS = [
    ("maloserdobinsky", r"малосердоб"),
    ("serdobsky", r"сердобск"),
    ("penzensky", r"пензенск"),
    ("penza_city", r"г\.\s*пенз"),
    ("zarechny_city", r"заречн"),
    ("kuznetsk_kuznetsky", r"кузнецк"),
    ("bashmakovsky", r"башмаков"),
    ("bekovsky", r"беков"),
    ("belinsky", r"бел+инск"),
    ("bessonovsky", r"бессонов"),
    ("vadinsky", r"вадинск"),
    ("gorodishchensky", r"городищ"),
    ("zemetchinsky", r"земетчин"),
    ("issinsky", r"^ис+[еи]н"),
    ("kamensky", r"каменск"),
    ("kameshkirsky", r"камешкир"),
    ("kolyshleysky", r"кол[ыь]шл"),
    ("lopatinsky", r"лопатин"),
    ("luninsky", r"лунин"),
    ("mokshansky", r"мокшан"),
    ("narovchatsky", r"наровчат"),
    ("neverkinsky", r"неверкин"),
    ("nizhnelomovsky", r"нижне-?ломов|нижегород"),
    ("nikolsky", r"никольск|никололов"),
    ("pachelmsky", r"пачелм"),
    ("sosnovoborsky", r"сосновобор"),
    ("spassky", r"спасск"),
    ("tamalinsky", r"тамалин"),
    ("shemysheysky", r"^шем"),
]
# The correct spelling of each name's distinctive word, to flag misspellings.
CORRECT_WORD = {
    "penza_city": "Пенза", "zarechny_city": "Заречный",
    "kuznetsk_kuznetsky": "Кузнецк", "bashmakovsky": "Башмаковский",
    "bekovsky": "Бековский", "belinsky": "Белинский",
    "bessonovsky": "Бессоновский", "vadinsky": "Вадинский",
    "gorodishchensky": "Городищенский", "zemetchinsky": "Земетчинский",
    "issinsky": "Иссинский", "kamensky": "Каменский",
    "kameshkirsky": "Камешкирский", "kolyshleysky": "Колышлейский",
    "lopatinsky": "Лопатинский", "luninsky": "Лунинский",
    "maloserdobinsky": "Малосердобинский", "mokshansky": "Мокшанский",
    "narovchatsky": "Наровчатский", "neverkinsky": "Неверкинский",
    "nizhnelomovsky": "Нижнеломовский", "nikolsky": "Никольский",
    "pachelmsky": "Пачелмский", "penzensky": "Пензенский",
    "serdobsky": "Сердобский", "sosnovoborsky": "Сосновоборский",
    "spassky": "Спасский", "tamalinsky": "Тамалинский",
    "shemysheysky": "Шемышейский",
}
ROMAN = ["I", "II", "III", "IV", "V"]
GROUPS = ("all", "amb", "district")

variants: list[dict] = []


def region_id(printed: str, table: str, line: int, expected: str | None = None) -> str:
    """Map a printed name to a formation id; verify it against the row position."""
    text = printed.strip()
    low = text.lower()
    word = re.sub(r"^г\.\s*", "", low)
    found = None
    for rid, stem in STEMS:
        target = low if rid == "penza_city" else word
        if re.search(stem, target):
            found = rid
            break
    if found is None:
        raise ValueError(f"{table} line {line}: unknown formation name {printed!r}")
    if expected is not None and found != expected:
        raise ValueError(
            f"{table} line {line}: name {printed!r} looks like {found} "
            f"but row position says {expected}"
        )
    if CORRECT_WORD[found].lower() not in text.lower():
        variants.append({"table": table, "line": line, "printed": text,
                         "region_id": found, "correct": NAME[found]})
    return found


def num(cell: str) -> str:
    """Seed number -> CSV number string (decimal point, digits unchanged)."""
    s = cell.strip().replace(" ", "").replace(",", ".").rstrip(".")
    float(s)  # raises on garbage
    return s


def find_line(lines: list[str], pattern: str, start: int = 0) -> int:
    rx = re.compile(pattern)
    for i in range(start, len(lines)):
        if rx.search(lines[i]):
            return i
    raise ValueError(f"pattern {pattern!r} not found after line {start + 1}")


def table_rows(lines: list[str], start: int, n_rows: int) -> list[tuple[int, list[str]]]:
    """The next n_rows non-empty tab-separated data lines from start."""
    rows = []
    i = start
    while len(rows) < n_rows:
        if lines[i].strip():
            rows.append((i + 1, lines[i].rstrip("\n").split("\t")))
        i += 1
    return rows


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def staff_table(lines, title_rx, label, n_cols_per_group, start=0):
    """Parse a Table 10/11/13/14-style table. Returns (first line, {rid: [cells]})."""
    t = find_line(lines, title_rx, start)
    head = find_line(lines, r"^Наименование муниципального образования\t", t)
    rows = table_rows(lines, head + 2, 30)
    out = {}
    for k, (ln, cells) in enumerate(rows):
        if k < 29:
            rid = region_id(cells[0], label, ln, ORDER_T10[k])
        else:
            if not cells[0].startswith("Суммарно"):
                raise ValueError(f"{label} line {ln}: expected oblast total")
            rid = "oblast_total"
        vals = [num(c) for c in cells[1:] if c.strip()]
        if len(vals) != n_cols_per_group:
            raise ValueError(f"{label} line {ln}: {len(vals)} numbers, expected {n_cols_per_group}")
        out[rid] = (ln, vals)
    return t, out


def group_lists(cell_line: str, label: str, line: int) -> dict[str, str]:
    """Five <p>...</p> cells of region names -> {region_id: roman group}."""
    cells = cell_line.rstrip("\n").split("\t")
    if len(cells) != 5:
        raise ValueError(f"{label} line {line}: expected 5 group cells")
    result = {}
    for g, cell in zip(ROMAN, cells):
        for rid in names_in(cell, label, line):
            result[rid] = g
    return result


def names_in(text: str, label: str, line: int) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", text)
    parts = re.findall(r"(г\.\s*Кузнецк и Кузнецкий район|[Гг]\.\s*\S+|\S+ район)", text)
    return [region_id(p, label, line) for p in parts]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    seed = Path(argv[0]) if argv else Path(sorted(glob.glob("/work/shared/seeds/004_*.txt"))[0])
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    lines = seed.read_text(encoding="utf-8").splitlines()

    # ---- Tables 10 and 11: doctors --------------------------------------
    t10, doc = staff_table(lines, r"^Таблица 10$", "Table 10", 12, 1000)
    t11, doc11 = staff_table(lines, r"^Таблица 11$", "Table 11", 13, t10 + 1)
    # ---- Tables 13 (unnumbered) and 14: mid-level ---------------------------
    t13, mid = staff_table(lines, r"^Оценка уровня обеспеченности населения средним медицинским персоналом",
                           "Table 13 (unnumbered)", 12, t11 + 1)
    t14, mid14 = staff_table(lines, r"^Таблица 14$", "Table 14", 10, t13 + 1)

    def layout(rows: dict, published: dict) -> list[list]:
        """Inputs of Table 10/13 plus the last column (KOV/KOSMP) of Table 11/14."""
        table = []
        for rid in ORDER_T10 + ["oblast_total"]:
            _, v = rows[rid]
            name = NAME.get(rid, "Пензенская область (суммарно по региону)")
            table.append([rid, name] + v + [published[rid][1][-1]])
        return table

    header = ["region_id", "name_ru"]
    for g in GROUPS:
        header += [f"{g}_provision", f"{g}_staffing_pct", f"{g}_parttime", f"{g}_parttime_2"]
    write_csv(out / "doctors_2019.csv", header + ["kov_published"], layout(doc, doc11))
    write_csv(out / "midlevel_2019.csv", header + ["kosmp_published"], layout(mid, mid14))

    # Cross-check the repeated input columns of Tables 11 and 14.
    diffs = []
    for rid in ORDER_T10 + ["oblast_total"]:
        ln10, a = doc[rid]
        ln11, b = doc11[rid]
        for k, (x, y) in enumerate(zip(a, b[:12])):
            if float(x) != float(y):
                diffs.append(["doctors", rid, header[2 + k], ln10, x, ln11, y])
        ln13, a = mid[rid]
        ln14, b = mid14[rid]
        # Table 14 prints provision, staffing, part-time (first) per group.
        for gi in range(3):
            for k in range(3):
                x, y = a[gi * 4 + k], b[gi * 3 + k]
                if float(x) != float(y):
                    diffs.append(["midlevel", rid, header[2 + gi * 4 + k], ln13, x, ln14, y])
    write_csv(out / "input_table_differences.csv",
              ["staff", "region_id", "column", "input_line", "input_value",
               "published_table_line", "published_table_value"], diffs)

    # ---- Table 16 and the group tables ------------------------------------
    t16 = find_line(lines, r"^Таблица 16$", t14)
    head16 = find_line(lines, r"^Наименование муниципального образования\tКОВ", t16)
    rows16 = table_rows(lines, head16 + 1, 29)
    komk = {}
    table16_labels = {}
    for ln, cells in rows16:
        rid = region_id(cells[0], "Table 16", ln)
        komk[rid] = [num(c) for c in cells[1:4]]
        if len(cells) > 4 and cells[4].strip():
            table16_labels[rid] = cells[4].split()[0]
    if len(komk) != 29:
        raise ValueError("Table 16: expected 29 formations")

    kov_groups_line = find_line(lines, r"^Распределение муниципальных образований по коэффициенту "
                                 r"обеспеченности медицинскими кадрами, врачи", t11)
    kov_cells = find_line(lines, r"^<p>", find_line(lines, r"^<p>", kov_groups_line) + 1)
    kov_group = group_lists(lines[kov_cells], "Table 12", kov_cells + 1)
    kosmp_groups_line = find_line(
        lines, r"^Распределение муниципальных образований по коэффициенту обеспеченности средним", t14)
    kosmp_cells = find_line(lines, r"^<p>", find_line(lines, r"^<p>", kosmp_groups_line) + 1)
    kosmp_group = group_lists(lines[kosmp_cells], "Table 15 (unnumbered)", kosmp_cells + 1)
    access_line = find_line(lines, r"^Распределение муниципальных образований по коэффициенту доступности", t16)
    access_cells = find_line(lines, r"^<p>", find_line(lines, r"^<p>", access_line) + 1)
    access_group = group_lists(lines[access_cells], "Table 17 (unnumbered, access groups)", access_cells + 1)

    # Final table: "Распределение ... по интегральному коэффициенту ... (КОМК)".
    final_line = find_line(
        lines, r"^Распределение муниципальных образований по интегральному коэффициенту", access_line)
    end = find_line(lines, r"^2\) Управление штатным расписанием", final_line)
    level_rx = [("I", r"Крайне низкий КОМК"), ("V", r"Крайне высокий КОМК"),
                ("II", r"Низкий КОМК"), ("IV", r"Высокий КОМК"), ("III", r"Средний КОМК")]
    final_group = {}
    i = final_line + 1
    while i < end:
        line = lines[i]
        cells = line.split("\t")
        if len(cells) >= 2:
            first = re.sub(r"<[^>]+>", " ", cells[0])
            level = next((g for g, rx in level_rx if re.search(rx, first)), None)
            if level:
                second = re.sub(r"<[^>]+>", " ", cells[1])
                for rid in names_in(second, "Table 18 (unnumbered, final KOMK groups)", i + 1):
                    final_group[rid] = level
        i += 1
    if sorted(final_group) != sorted(ORDER_T10):
        missing = set(ORDER_T10) - set(final_group)
        raise ValueError(f"final KOMK group table: missing {sorted(missing)}")

    # Keep Table 16's printed order (it is sorted by KOMK except Zarechny).
    komk_rows = [[rid] + komk[rid] + [final_group[rid]]
                 for rid in (region_id(c[0], "Table 16", ln) for ln, c in rows16)]
    write_csv(out / "komk_2019.csv", ["region_id", "kov", "kosmp", "komk", "group"], komk_rows)

    groups_rows = []
    for ln, c in rows16:
        rid = region_id(c[0], "Table 16", ln)
        groups_rows.append([rid, kov_group[rid], kosmp_group[rid], access_group[rid],
                            final_group[rid], table16_labels.get(rid, "")])
    write_csv(out / "groups_2019.csv",
              ["region_id", "kov_group_table12", "kosmp_group_table15",
               "komk_group_access_table", "komk_group_final", "table16_group_label_on_row"],
              groups_rows)

    # ---- Year-by-year series ----------------------------------------------
    series_specs = [
        ("doctors_provision", r"^№ п/п\tТерритория\tОбеспеченность врачами на 10 000"),
        ("midlevel_provision", r"^№ п/п\tТерритория\tОбеспеченность средним медицинским персоналом"),
        ("doctors_staffing_pct", r"^№ п/п\tТерритория\tУкомплектованность врачами"),
        ("midlevel_staffing_pct", r"^№ п/п\tТерритория\tУкомплектованность средним медицинским персоналом"),
    ]
    series = []
    for indicator, rx in series_specs:
        h = find_line(lines, rx, 800)
        years = [int(re.match(r"\d{4}", y.strip()).group(0)) for y in lines[h + 1].split("\t")[2:] if y.strip()]
        if years != list(range(2013, 2020)):
            raise ValueError(f"{indicator}: unexpected year header {years}")
        for k, (ln, cells) in enumerate(table_rows(lines, h + 2, 30)):
            if int(cells[0]) != k + 1:
                raise ValueError(f"{indicator} line {ln}: row number {cells[0]} != {k + 1}")
            if k < 29:
                rid = region_id(cells[1], f"series {indicator}", ln, ORDER_SERIES[k])
            else:
                if not cells[1].startswith("Суммарно"):
                    raise ValueError(f"{indicator} line {ln}: expected oblast total")
                rid = "oblast_total"
            vals = [num(c) for c in cells[2:9]]
            for y, v in zip(years, vals):
                series.append([rid, y, indicator, v])
    write_csv(out / "series_2013_2019.csv", ["region_id", "year", "indicator", "value"], series)

    # ---- Primary-care positions 2014-2019 -----------------------------------
    h = find_line(lines, r"^\*\*Численность штатных, занятых должностей, физических лиц", 900)
    yl = find_line(lines, r"^\t2014\t2015", h)
    years = [int(y) for y in lines[yl].split("\t")[1:] if y.strip()]
    group_rx = [
        ("gp", r"^Врач общей практики"),
        ("district_therapist", r"^Врач - терапевт участковый"),
        ("district_paediatrician", r"^Врач - педиатр участковый"),
        ("fap_workers", r"^Работники ФАП"),
        ("ambulance_doctors", r"^Врачи скорой медицинской помощи"),
        ("ambulance_midlevel", r"^Средний медицинский персонал скорой"),
    ]
    measure_rx = [("positions", "Штатные"), ("occupied", "Занятые"), ("persons", "Физические лица")]
    pc_rows = []
    i = yl + 1
    for gid, rx in group_rx:
        if not re.search(rx, lines[i]):
            raise ValueError(f"line {i + 1}: expected staff group {gid}")
        vals = {}
        for k, (m, label) in enumerate(measure_rx):
            cells = lines[i + 1 + k].split("\t")
            if cells[0].strip() != label:
                raise ValueError(f"line {i + 2 + k}: expected {label}")
            vals[m] = [num(c) for c in cells[1:7]]
        for j, y in enumerate(years):
            pc_rows.append([gid, y, vals["positions"][j], vals["occupied"][j], vals["persons"][j]])
        i += 4
    write_csv(out / "primary_care_positions_2014_2019.csv",
              ["staff_group", "year", "positions", "occupied", "persons"], pc_rows)

    # ---- Name variants -------------------------------------------------------
    seen = set()
    uniq = []
    for v in variants:
        key = (v["table"], v["line"], v["printed"])
        if key not in seen:
            seen.add(key)
            uniq.append([v["table"], v["line"], v["printed"], v["region_id"], v["correct"]])
    write_csv(out / "name_variants.csv",
              ["table", "seed_line", "printed_name", "region_id", "correct_name_ru"], uniq)
    print(f"wrote tables to {out} (from {seed})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
