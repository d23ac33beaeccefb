"""English and Russian texts of the store's refusals (StoreError.text(lang)).

Each is one line; ``{url}`` is always the URL without its password, and every
parameter is masked (masking.py) before it is put in.
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "not_url": (("not a database URL: {value} ({reason}); expected postgresql+psycopg://HOST:PORT/DBNAME "
                "(with USER:PASSWORD@ before HOST) or the path of an SQLite file"),
                ("это не адрес базы данных: {value} ({reason}); нужен postgresql+psycopg://HOST:PORT/DBNAME "
                "(USER:PASSWORD@ перед HOST) или путь к файлу SQLite")),
    "port": ("the port is not a number", "порт — не число"),
    "unparsable": ("it cannot be parsed", "его нельзя разобрать"),
    "cannot_use": ("cannot use database {url}: {reason}", "нельзя использовать базу {url}: {reason}"),
    "cannot_open": ("cannot open the run store {url}: {reason}",
                    "не удаётся открыть хранилище расчётов {url}: {reason}"),
    "folder": ("the run store {url} is a folder, not an SQLite file",
               "хранилище расчётов {url} — папка, а не файл SQLite"),
    "damaged": (("the run store {url} is damaged (SQLite quick_check: {detail}); it was left as it is: "
                "restore it from a backup, or give another --db"),
                ("хранилище расчётов {url} повреждено (SQLite quick_check: {detail}); оно оставлено как есть: "
                "восстановите его из резервной копии или укажите другое --db")),
    "foreign": (("{url} is not a run store: it holds {n} other table(s) ({tables}) and no run-store schema; "
                "refusing to add ours: give an empty database, a new SQLite file, or a run store"),
                ("{url} — не хранилище расчётов: в нём {n} чужих таблиц ({tables}) и нет схемы хранилища; "
                "добавлять в него свои таблицы не будем: укажите пустую базу, новый файл SQLite или хранилище")),
    "revision": (("the run store {url} has schema revision {revision}, unknown to this allocator (its newest "
                 "is {head}): a newer allocator or another application wrote it; upgrade allocator or give "
                 "another --db"),
                 ("у хранилища расчётов {url} ревизия схемы {revision}, неизвестная этой версии allocator "
                 "(её новейшая — {head}): его записала более новая версия или другое приложение; обновите "
                 "allocator или укажите другое --db")),
    "no_run": ("no run {id} in the store", "в хранилище нет расчёта {id}"),
    "read_only": ("the run store {url} cannot be written: {reason}",
                  "в хранилище расчётов {url} нельзя записать: {reason}"),
}


def render(key: str, lang: str = "en", **params) -> str:
    en, ru = TEXTS[key]
    return (ru if lang == "ru" else en).format(**params)
