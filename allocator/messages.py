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
    # ambiguous and malformed input (allocator.io, allocator.validate)
    "table_ambiguous": ("{names} all name the {table} table (names are compared ignoring case and spaces); "
                        "keep one", "{names} - это всё таблица {table} (имена сравниваются без учёта регистра "
                        "и пробелов); оставьте одну"),
    "table_is_folder": ("is a folder, not a CSV file", "это папка, а не CSV-файл"),
    "sheet_missing": ("sheet {sheet!r} is missing", "нет листа {sheet!r}"),
    "sheet_hidden": ("sheet {sheet!r} is hidden in Excel; it is read as the {table} table",
                     "лист {sheet!r} скрыт в Excel; он читается как таблица {table}"),
    "encoding_unsupported": ("the file is {encoding}; save it as CSV UTF-8 or CSV (Windows-1251)",
                             "файл в кодировке {encoding}; сохраните его как CSV UTF-8 или CSV (Windows-1251)"),
    "quote_not_closed": ("a quoted cell that starts in or before this row is never closed",
                         "ячейка в кавычках, начатая в этой строке или выше, не закрыта"),
    "row_too_long": ("the row has {cells} cells but the header only {header}, and the extra cells are not empty",
                     "в строке {cells} ячеек, а в заголовке только {header}, и лишние ячейки не пусты"),
    "control_character": ("contains an invisible control character {char}; remove it: {value!r}",
                          "содержит невидимый управляющий символ {char}; удалите его: {value!r}"),
    "cell_too_long": ("the cell has {length} characters, more than the limit of {limit}",
                      "в ячейке {length} символов, больше предела {limit}"),
    "option_out_of_range": ("must be a number from {minimum} to {maximum}, got {value!r}",
                            "должно быть числом от {minimum} до {maximum}, получено {value!r}"),
    "not_whole_in_range": ("must be a whole number from {minimum} to {maximum}, got {value!r}",
                           "должно быть целым числом от {minimum} до {maximum}, получено {value!r}"),
    "too_many_segments": ("diminishing returns needs one segment per vacancy: {segments} vacancies, more than "
                          "the limit of {limit}; solve without diminishing returns or split the round",
                          "убывающая отдача требует по сегменту на вакансию: {segments} вакансий, больше предела "
                          "{limit}; решайте без убывающей отдачи или разделите раунд"),
    # plausibility (warnings: the run goes on)
    "coordinates_swapped": ("{count} of {total} rows lie outside the regions' area (lat {lat}, lon {lon}) but "
                            "inside it with lat and lon swapped: are the lat and lon columns swapped?",
                            "{count} из {total} строк лежат вне области регионов (широта {lat}, долгота {lon}), "
                            "а с переставленными lat и lon - внутри: не перепутаны ли столбцы lat и lon?"),
    "coordinates_far": ("{count} of {total} rows lie far outside the regions' area (lat {lat}, lon {lon}); "
                        "check lat and lon (decimal degrees, WGS-84)",
                        "{count} из {total} строк лежат далеко за пределами области регионов (широта {lat}, "
                        "долгота {lon}); проверьте lat и lon (десятичные градусы, WGS-84)"),
    # scaling (warnings: the run goes on; allocator.scaling says what they cost)
    "weights_merged": ("region weights {weights} differ by less than one millionth of the largest weight "
                       "and count as equal", "веса регионов {weights} отличаются меньше чем на миллионную "
                       "долю наибольшего веса и считаются равными"),
    "weights_lifted": ("region weights {weights} are below one millionth of the largest weight and count "
                       "as that millionth", "веса регионов {weights} меньше миллионной доли наибольшего веса "
                       "и считаются равными ей"),
    "money_inexact": ("{value!r} has more than {digits} significant digits and cannot be kept exactly; "
                      "round it or give it in other units", "в {value!r} больше {digits} значащих цифр: "
                      "точно не сохранить; округлите или укажите в других единицах"),
    # output paths and writing (allocator.outpaths, allocator.output)
    "out_is_file": ("--out must be a folder, but this is an existing file",
                    "--out должен быть папкой, а это существующий файл"),
    "out_is_round": ("--out is the round's own input ({round}); writing there would replace it",
                     "--out - это входные данные раунда ({round}); запись туда заменила бы их"),
    "out_holds_round": ("--out contains the round ({round}); the output folder is replaced as a whole, "
                        "so the round would be moved away",
                        "--out содержит раунд ({round}); папка результатов заменяется целиком, "
                        "и раунд был бы убран"),
    "out_not_ours": ("--out holds files that are not the allocator's ({entries}); the output folder is "
                     "replaced as a whole: choose an empty or new folder",
                     "в папке --out есть чужие файлы ({entries}); папка результатов заменяется целиком: "
                     "укажите пустую или новую папку"),
    "out_not_writable": ("cannot write the output folder: {folder} is not writable ({error})",
                         "не удаётся записать папку результатов: нет записи в {folder} ({error})"),
    "out_parent_not_folder": ("cannot create the output folder: {folder} is not a folder",
                              "не удаётся создать папку результатов: {folder} - не папка"),
    "solver_log_folder_missing": ("the folder of --solver-log does not exist: {folder}",
                                  "папка для --solver-log не существует: {folder}"),
    "solver_log_is_folder": ("--solver-log must be a file, but this is a folder",
                             "--solver-log должен быть файлом, а это папка"),
    "output_disk_full": ("the disk is full: the outputs could not be written; the output folder is unchanged",
                         "диск заполнен: результаты не записаны; папка результатов не изменилась"),
    "output_not_permitted": ("the outputs could not be written: permission denied or a file is locked "
                             "({error}); the output folder is unchanged",
                             "результаты не записаны: нет доступа или файл заблокирован ({error}); "
                             "папка результатов не изменилась"),
    "output_failed": ("the outputs could not be written ({error}); the output folder is unchanged",
                      "результаты не записаны ({error}); папка результатов не изменилась"),
    # archives: uploads and workbooks (allocator.archive; limits set by ALLOCATOR_MAX_* variables)
    "upload_too_large": ("the file is {size} MB; the limit is {limit} MB (ALLOCATOR_MAX_UPLOAD_MB)",
                         "файл занимает {size} МБ; допустимо не больше {limit} МБ (ALLOCATOR_MAX_UPLOAD_MB)"),
    "zip_too_many_members": ("the archive holds more than {limit} files (ALLOCATOR_MAX_MEMBERS)",
                             "в архиве больше {limit} файлов (ALLOCATOR_MAX_MEMBERS)"),
    "zip_too_large": ("unpacked, the archive would take more than {limit} MB (ALLOCATOR_MAX_UNPACKED_MB)",
                      "в распакованном виде архив занял бы больше {limit} МБ (ALLOCATOR_MAX_UNPACKED_MB)"),
    "zip_member_ratio": ("the file expands more than {limit} times when unpacked: refused as a ZIP bomb "
                         "(ALLOCATOR_MAX_RATIO)",
                         "файл при распаковке увеличивается больше чем в {limit} раз: отклонён как "
                         "ZIP-бомба (ALLOCATOR_MAX_RATIO)"),
    "zip_member_encrypted": ("the file is encrypted (password-protected); pack it without a password",
                             "файл зашифрован (защищён паролем); упакуйте его без пароля"),
    "zip_member_method": ("the file uses compression method {method}, which is not read; pack it as an "
                          "ordinary ZIP (deflate)",
                          "файл сжат методом {method}, который не читается; упакуйте его как обычный "
                          "ZIP (deflate)"),
    "zip_member_corrupt": ("the file is damaged in the archive, or its header gives wrong sizes: {error}",
                           "файл в архиве повреждён или его заголовок указывает неверные размеры: {error}"),
    "zip_unpack_failed": ("the file could not be unpacked into the temporary folder: {error}",
                          "файл не удалось распаковать во временную папку: {error}"),
    "zip_member_absolute": ("the path in the archive is absolute; only paths inside the archive are read",
                            "путь в архиве абсолютный; читаются только пути внутри архива"),
    "zip_member_outside": ("the path in the archive leads outside it ('..'); refused",
                           "путь в архиве ведёт за его пределы ('..'); отклонён"),
    "zip_member_symlink": ("the file is a symbolic link; links are not followed, pack the file itself",
                           "файл - символическая ссылка; ссылки не читаются, упакуйте сам файл"),
    "zip_member_twice": ("the archive holds this path twice (names are compared ignoring case)",
                         "в архиве этот путь встречается дважды (без учёта регистра)"),
    "zip_several_rounds": ("the archive holds more than one round ({found}); it is not clear which to load: "
                           "upload one",
                           "в архиве больше одного раунда ({found}); непонятно, какой загружать: "
                           "загрузите один"),
    "workbook_too_large": ("the workbook's sheets unpack to more than {limit} MB "
                           "(ALLOCATOR_MAX_WORKBOOK_XML_MB)",
                           "листы книги в распакованном виде больше {limit} МБ "
                           "(ALLOCATOR_MAX_WORKBOOK_XML_MB)"),
    "workbook_too_many_cells": ("the workbook's sheets span more than {limit} cells (last row x last "
                                "column; ALLOCATOR_MAX_WORKBOOK_CELLS); delete stray cells far from the table",
                                "листы книги охватывают больше {limit} ячеек (последняя строка x последний "
                                "столбец; ALLOCATOR_MAX_WORKBOOK_CELLS); удалите случайные ячейки далеко "
                                "от таблицы"),
    "limit_setting_invalid": ("must be a positive number, got {value!r}",
                              "должно быть положительным числом, получено {value!r}"),
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
