"""Every input problem the allocator reports, in English and Russian.

A :class:`Problem` is made from a code of :data:`MESSAGES` and its
parameters (``Problem.of``); :class:`InputError` carries all of a round's
problems. The command line prints English (or Russian with ``--lang ru``),
the UI the user's language. A test checks that both texts exist and use the
same placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass

MESSAGES: dict[str, tuple[str, str]] = {
    # reading
    "no_such_path": ("no such file or folder", "нет такого файла или папки"),
    "not_a_round": ("a round is a folder of CSV files or an .xlsx workbook",
                    "раунд - это папка CSV-файлов или книга .xlsx"),
    "csv_unreadable": ("cannot read CSV: {error}", "не удаётся прочитать CSV: {error}"),
    "file_empty": ("the file is empty (not even a header row)", "файл пуст (нет даже строки заголовков)"),
    "toml_unreadable": ("cannot read TOML: {error}", "не удаётся прочитать TOML: {error}"),
    "workbook_unreadable": ("cannot read workbook: {error}", "не удаётся прочитать книгу Excel: {error}"),
    "zip_expected": ("a round is a ZIP of CSV files or an .xlsx workbook",
                     "раунд загружается как ZIP-архив CSV-файлов или книга .xlsx"),
    "zip_unreadable": ("cannot open the ZIP archive: {error}", "не удаётся открыть ZIP-архив: {error}"),
    "zip_without_round": ("no regions.csv (or other round table) found in the ZIP archive",
                          "в ZIP-архиве нет regions.csv (и других таблиц раунда)"),
    # tables and columns
    "table_missing": ("required table is missing", "нет обязательной таблицы"),
    "column_missing": ("required column is missing", "нет обязательного столбца"),
    "table_empty": ("the table has no rows", "в таблице нет ни одной строки"),
    "column_twice": ("the column appears twice in the header (names are compared ignoring case and spaces)",
                     "столбец указан в заголовке дважды (без учёта регистра и пробелов)"),
    "duplicate_id": ("duplicate id {value!r}", "повторяющийся идентификатор {value!r}"),
    # cells
    "required": ("value is required", "значение обязательно"),
    "not_a_number": ("not a number: {value!r}", "не число: {value!r}"),
    "not_whole": ("not a whole number: {value!r}", "не целое число: {value!r}"),
    "below_minimum": ("must be >= {minimum}: {value!r}", "должно быть >= {minimum}: {value!r}"),
    "above_maximum": ("must be <= {maximum}: {value!r}", "должно быть <= {maximum}: {value!r}"),
    "not_boolean": ("not true/false: {value!r}", "не да/нет (true/false): {value!r}"),
    "not_allowed": ("must be one of {allowed}: {value!r}", "допустимые значения: {allowed}; получено {value!r}"),
    "unknown_reference": ("{value!r} is not a {key} in {table}.csv",
                          "{value!r} не найден среди {key} в {table}.csv"),
    # rows
    "sponsor_required": ("required for a targeted graduate", "обязателен для выпускника целевого обучения"),
    "half_coordinates": ("give both lat and lon, or neither", "укажите и широту, и долготу, или ни одну"),
    "specialty_twice": ("facility {facility!r} lists specialty {specialty!r} twice",
                        "у организации {facility!r} специальность {specialty!r} указана дважды"),
    # options
    "road_files_missing": ("distances = road needs settlements.csv and roads.csv in the round folder",
                           "для distances = road в папке раунда нужны settlements.csv и roads.csv"),
    "unknown_option": ("unknown option; known: {known}", "неизвестный параметр; допустимые: {known}"),
    "weights_not_table": ("must be a table region_id = weight", "должно быть таблицей region_id = вес"),
    "unknown_region": ("unknown region_id {value!r}", "неизвестный region_id {value!r}"),
    "not_a_number_option": ("must be a number >= {minimum}, got {value!r}",
                            "должно быть числом >= {minimum}, получено {value!r}"),
    "not_one_of": ("must be one of {allowed}, got {value!r}", "допустимые значения: {allowed}; получено {value!r}"),
    "not_true_false": ("must be true or false", "должно быть true или false"),
    "bad_option": ("{error}", "{error}"),
}


def render(code: str, **params) -> tuple[str, str]:
    """(English, Russian) text of a problem code with its parameters."""
    en, ru = MESSAGES[code]
    return en.format(**params), ru.format(**params)


@dataclass(frozen=True)
class Problem:
    """One input problem: where (file, spreadsheet row, column) and what, in EN and RU."""

    file: str
    row: int | None
    column: str | None
    message: str
    message_ru: str = ""
    code: str = ""

    @classmethod
    def of(cls, file: str, row: int | None, column: str | None, code: str, **params) -> "Problem":
        """A problem from a code of :data:`allocator.messages.MESSAGES`."""
        en, ru = render(code, **params)
        return cls(file, row, column, en, ru, code)

    def text(self, lang: str = "en") -> str:
        return self.message_ru if lang == "ru" and self.message_ru else self.message

    def line(self, lang: str = "en") -> str:
        ru = lang == "ru"
        where = self.file
        if self.row is not None:
            where += f", {'строка' if ru else 'row'} {self.row}"
        if self.column:
            where += f", {'столбец' if ru else 'column'} '{self.column}'"
        return f"{where}: {self.text(lang)}"

    def __str__(self) -> str:
        return self.line("en")


class InputError(ValueError):
    """Bad input; ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.report("en"))

    def report(self, lang: str = "en", limit: int = 50) -> str:
        """Every problem, one per line, in English or Russian."""
        ru = lang == "ru"
        head = (f"Ошибок во входных данных: {len(self.problems)}" if ru
                else f"{len(self.problems)} problem(s) in the input:")
        lines = [f"  - {p.line(lang)}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            rest = len(self.problems) - limit
            lines.append(f"  ... {'и ещё' if ru else 'and'} {rest} {'' if ru else 'more'}".rstrip())
        return "\n".join([head, *lines])
