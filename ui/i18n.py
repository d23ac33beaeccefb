"""Russian and English text of the UI: labels, messages and export headers.

``t(key, lang, **fmt)`` looks a key up; Russian is the default language.
Every key must have both languages (tests/test_ui_i18n.py checks it).
Reason codes come from :mod:`allocator.diagnose` so the two stay in step.
"""

from __future__ import annotations

import re

from allocator.diagnose import REASONS, REASONS_RU

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"

TEXT: dict[str, dict[str, str]] = {
    # --- app and navigation
    "app_title": {"ru": "Распределение выпускников-медиков", "en": "Medical graduate allocation"},
    "language": {"ru": "Язык", "en": "Language"},
    "page_inputs": {"ru": "Исходные данные", "en": "Input data"},
    "page_run": {"ru": "Расчёт и результаты", "en": "Run and results"},
    "page_compare": {"ru": "Сравнение сценариев", "en": "Compare scenarios"},
    "page_network": {"ru": "Сеть медицинских пунктов", "en": "Facility network"},
    "page_stored": {"ru": "Сохранённые расчёты", "en": "Stored runs"},
    # --- stored runs page (the run store, docs/store.md)
    "run_stored": {"ru": "Сохранён как расчёт № {id}.", "en": "Stored as run #{id}."},
    "run_not_stored": {"ru": "Хранилище расчётов недоступно: расчёт не сохранён.",
                       "en": "The run store is unavailable: the run was not stored."},
    "st_unavailable": {"ru": "Хранилище расчётов недоступно: {error}", "en": "The run store is unavailable: {error}"},
    "st_location": {"ru": "Хранилище: {url}", "en": "Store: {url}"},
    "st_none": {"ru": "Сохранённых расчётов пока нет: каждый расчёт (здесь или командой allocator solve) "
                      "сохраняется автоматически.",
                "en": "No stored runs yet: every run (here or with allocator solve) is stored automatically."},
    "st_when": {"ru": "Когда (UTC)", "en": "When (UTC)"},
    "st_user": {"ru": "Пользователь", "en": "User"},
    "st_round": {"ru": "Раунд", "en": "Round"},
    "st_placed": {"ru": "Распределено", "en": "Placed"},
    "st_deficit": {"ru": "Взвешенный дефицит", "en": "Weighted deficit"},
    "st_scenario_name": {"ru": "Расчёт № {id}", "en": "Run #{id}"},
    "st_open_header": {"ru": "Открыть расчёт", "en": "Reopen a run"},
    "st_pick": {"ru": "Расчёт", "en": "Run"},
    "st_open": {"ru": "Открыть", "en": "Open"},
    "st_opened": {"ru": "«{name}» открыт: результаты на странице «Расчёт и результаты».",
                  "en": "'{name}' is open: its results are on the 'Run and results' page."},
    "st_failed_run": {"ru": "Расчёт № {id} завершился ошибкой: {error}", "en": "Run #{id} failed: {error}"},
    "st_compare_header": {"ru": "Сравнить два расчёта", "en": "Compare two runs"},
    "st_compare_pick": {"ru": "Выберите два расчёта", "en": "Pick two runs"},
    "st_options_changed": {"ru": "Изменённые параметры", "en": "Changed options"},
    "st_options_same": {"ru": "Параметры те же.", "en": "The options are the same."},
    "st_option": {"ru": "Параметр", "en": "Option"},
    "st_inputs_changed": {"ru": "Изменились входные таблицы: {tables}", "en": "Input tables changed: {tables}"},
    "round_loaded": {"ru": "Загружен раунд: {name}", "en": "Round loaded: {name}"},
    "round_counts": {
        "ru": "{regions} районов, {facilities} учреждений, {vacancies} вакансий, {graduates} выпускников, "
              "{programmes} программ поддержки",
        "en": "{regions} regions, {facilities} facilities, {vacancies} vacancies, {graduates} graduates, "
              "{programmes} support programmes",
    },
    "bundled_name": {"ru": "Пензенская область (встроенный пример)", "en": "Penza oblast (bundled example)"},
    "no_round": {"ru": "Раунд не загружен.", "en": "No round is loaded."},
    # --- inputs page: loading
    "source_header": {"ru": "Источник данных", "en": "Data source"},
    "use_bundled": {"ru": "Загрузить встроенный пример (Пенза)", "en": "Load the bundled example (Penza)"},
    "upload_label": {
        "ru": "Загрузить раунд: ZIP-архив с CSV-файлами или одна книга Excel (.xlsx)",
        "en": "Upload a round: a ZIP of CSV files or one Excel workbook (.xlsx)",
    },
    "upload_button": {"ru": "Проверить и загрузить", "en": "Check and load"},
    "upload_ok": {"ru": "Файл «{name}» проверен и загружен.", "en": "File “{name}” checked and loaded."},
    "upload_failed": {
        "ru": "Файл «{name}» не загружен: найдено проблем — {n}. Исправьте их и загрузите снова; "
              "прежний раунд остаётся загруженным.",
        "en": "File “{name}” was not loaded: {n} problem(s) found. Fix them and upload again; "
              "the previous round stays loaded.",
    },
    "upload_limits": {
        "ru": "Файл до {upload} МБ; ZIP-архив в распакованном виде до {unpacked} МБ и до {members} файлов. "
              "Загруженные файлы удаляются сразу после чтения.",
        "en": "Files up to {upload} MB; a ZIP up to {unpacked} MB unpacked and {members} files. "
              "Uploaded files are deleted as soon as they are read.",
    },
    "upload_bad_zip": {"ru": "Не удаётся открыть ZIP-архив: {error}", "en": "Cannot open the ZIP archive: {error}"},
    "upload_bad_type": {
        "ru": "Нужен ZIP-архив с CSV-файлами или файл .xlsx",
        "en": "A ZIP archive of CSV files or an .xlsx file is needed",
    },
    "problems_header": {"ru": "Проблемы во входных данных", "en": "Problems in the input"},
    "template_download": {"ru": "Скачать шаблон книги Excel", "en": "Download the template workbook"},
    "template_help": {
        "ru": "Один лист на таблицу с заголовками столбцов; лист «описание» объясняет каждый столбец "
              "по-русски и по-английски.",
        "en": "One sheet per table with the column headers; the sheet “описание” explains every column "
              "in Russian and English.",
    },
    # --- inputs page: editors
    "edit_header": {"ru": "Редактирование входных данных", "en": "Edit the inputs"},
    "edit_help": {
        "ru": "Изменения проверяются при запуске расчёта так же, как файлы. Серые столбцы только для чтения.",
        "en": "Edits are validated when a run starts, exactly as files are. Grey columns are read-only.",
    },
    "tab_regions": {"ru": "Районы и веса", "en": "Regions and weights"},
    "tab_vacancies": {"ru": "Вакансии", "en": "Vacancies"},
    "tab_programmes": {"ru": "Программы поддержки", "en": "Support programmes"},
    "tab_graduates": {"ru": "Выпускники (макс. расстояние)", "en": "Graduates (max distance)"},
    "regions_help": {
        "ru": "Вес района умножает его дефицит в цели 2. По умолчанию вес следует из группы КОМК "
              "(I — крайне низкая укомплектованность — вес 2,0).",
        "en": "A region's weight multiplies its deficit in objective 2. By default it follows the KOMK "
              "group (I, extremely low staffing, weight 2.0).",
    },
    "no_indicators": {
        "ru": "Для этого раунда нет таблиц укомплектованности: показатели не рассчитаны.",
        "en": "This round has no staffing tables: indicators are not computed.",
    },
    "graduates_help": {
        "ru": "Пустое макс. расстояние — действует значение сценария (см. страницу расчёта).",
        "en": "A blank max distance means the scenario default (see the run page).",
    },
    "reset_edits": {"ru": "Отменить все правки", "en": "Discard all edits"},
    "edits_pending": {"ru": "Изменены таблицы: {tables}. Правки войдут в следующий расчёт.",
                      "en": "Edited tables: {tables}. The edits go into the next run."},
    # --- run page
    "scenario_header": {"ru": "Сценарий", "en": "Scenario"},
    "scenario_name": {"ru": "Название сценария", "en": "Scenario name"},
    "scenario_default_name": {"ru": "Сценарий {n}", "en": "Scenario {n}"},
    "solver": {"ru": "Решатель", "en": "Solver"},
    "time_limit": {"ru": "Предел времени, с", "en": "Time limit, s"},
    "max_km": {"ru": "Макс. расстояние от дома по умолчанию, км", "en": "Default max distance from home, km"},
    "max_km_unlimited": {"ru": "Без ограничения расстояния", "en": "No distance limit"},
    "diminishing_returns": {
        "ru": "Убывающая отдача (первые места в районе ценнее)",
        "en": "Diminishing returns (first posts in a region count more)",
    },
    "run_button": {"ru": "Рассчитать", "en": "Run"},
    "running": {"ru": "Идёт расчёт…", "en": "Solving…"},
    "run_done": {"ru": "Расчёт «{name}» завершён за {seconds:.1f} с: статус {status}.",
                 "en": "Run “{name}” finished in {seconds:.1f} s: status {status}."},
    "run_invalid": {"ru": "Правки не прошли проверку; расчёт не запущен.",
                    "en": "The edits did not pass validation; nothing was solved."},
    "run_failed": {"ru": "Ошибка решателя: {error}", "en": "Solver error: {error}"},
    "solver_log": {"ru": "Журнал решателя", "en": "Solver log"},
    "log_empty": {"ru": "Решатель ничего не записал в журнал.", "en": "The solver wrote nothing to its log."},
    "no_results": {"ru": "Расчётов ещё нет: нажмите «Рассчитать».", "en": "No runs yet: press “Run”."},
    "show_scenario": {"ru": "Показать сценарий", "en": "Show scenario"},
    "progress_pairs": {"ru": "Подбор допустимых пар выпускник — место", "en": "Building allowed pairs"},
    "progress_model": {"ru": "Построение модели: {n} пар", "en": "Building the model: {n} pairs"},
    "progress_level": {"ru": "Уровень {k}/3: {name}", "en": "Level {k}/3: {name}"},
    "progress_write": {"ru": "Сбор результата", "en": "Writing the solution"},
    "progress_done": {"ru": "Готово", "en": "Done"},
    "level_obligated": {"ru": "распределение обязанных выпускников", "en": "placing obligated graduates"},
    "level_deficit": {"ru": "взвешенный дефицит", "en": "weighted deficit"},
    "level_km": {"ru": "суммарное расстояние", "en": "total distance"},
    # --- results
    "results_header": {"ru": "Результаты: {name}", "en": "Results: {name}"},
    "status": {"ru": "Статус", "en": "Status"},
    "status_optimal": {"ru": "оптимально", "en": "optimal"},
    "status_feasible": {"ru": "допустимо (не доказано оптимальным)", "en": "feasible (not proven optimal)"},
    "status_infeasible": {"ru": "несовместно", "en": "infeasible"},
    "status_time_limit": {"ru": "истёк предел времени", "en": "time limit reached"},
    "m_obligated_placed": {"ru": "Распределено обязанных", "en": "Obligated placed"},
    "m_of_total": {"ru": "из {n}", "en": "of {n}"},
    "m_deficit_before": {"ru": "Взвешенный дефицит до", "en": "Weighted deficit before"},
    "m_deficit_after": {"ru": "Взвешенный дефицит после", "en": "Weighted deficit after"},
    "m_placed_total": {"ru": "Распределено всего", "en": "Placed in total"},
    "m_programme_places": {"ru": "{name}: места", "en": "{name}: places"},
    "m_programme_money": {"ru": "{name}: израсходовано", "en": "{name}: spent"},
    "m_of_quota": {"ru": "квота {n}", "en": "quota {n}"},
    "m_of_budget": {"ru": "бюджет {n}", "en": "budget {n}"},
    "m_total_km": {"ru": "Суммарное расстояние, км", "en": "Total distance, km"},
    "m_unplaced": {"ru": "Не распределены", "en": "Not placed"},
    "m_vacancies": {"ru": "Вакансий всего", "en": "Vacancies in total"},
    "programmes_used": {"ru": "Программы поддержки: места и деньги", "en": "Support programmes: places and money"},
    "unplaced_reasons": {"ru": "Причины, по которым выпускники не распределены",
                         "en": "Why graduates were not placed"},
    "all_placed": {"ru": "Все выпускники распределены.", "en": "Every graduate was placed."},
    "map_header": {"ru": "Карта: остаток дефицита и направления", "en": "Map: remaining deficit and postings"},
    "map_help": {
        "ru": "Круг — район (размер — вакансии, цвет — доля незакрытых: зелёный 0 %, красный 100 %). "
              "Линия — от дома выпускника до места работы (синяя — грант, оранжевая — целевое, "
              "фиолетовая — платное).",
        "en": "Circle: a region (size: vacancies; colour: share left open, green 0 %, red 100 %). "
              "Line: from a graduate's home to the post (blue grant, orange targeted, purple paid).",
    },
    "map_lines": {"ru": "Показывать линии направлений", "en": "Show posting lines"},
    "chart_header": {"ru": "Дефицит по районам до и после", "en": "Deficit by region, before and after"},
    "chart_weighted": {"ru": "Взвешенный дефицит", "en": "Weighted deficit"},
    "chart_before": {"ru": "До", "en": "Before"},
    "chart_after": {"ru": "После", "en": "After"},
    "chart_value": {"ru": "Незакрытые вакансии", "en": "Open vacancies"},
    "chart_value_weighted": {"ru": "Взвешенный дефицит", "en": "Weighted deficit"},
    "assignments_header": {"ru": "Назначения", "en": "Assignments"},
    "filter_region": {"ru": "Район", "en": "Region"},
    "filter_specialty": {"ru": "Специальность", "en": "Specialty"},
    "filter_funding": {"ru": "Основа обучения", "en": "Funding"},
    "filter_programme": {"ru": "Программа", "en": "Programme"},
    "rows_shown": {"ru": "Показано строк: {n} из {total}", "en": "Rows shown: {n} of {total}"},
    "unplaced_header": {"ru": "Нераспределённые выпускники", "en": "Graduates not placed"},
    "deficits_header": {"ru": "Остаток дефицита по районам и специальностям",
                        "en": "Remaining deficit by region and specialty"},
    "downloads_header": {"ru": "Выгрузка", "en": "Downloads"},
    "download_csv": {"ru": "Назначения (CSV)", "en": "Assignments (CSV)"},
    "download_xlsx": {"ru": "Книга Excel для печати и подписи", "en": "Excel workbook to print and sign"},
    "download_zip": {"ru": "Все файлы результата (как командная строка, ZIP)",
                     "en": "All result files (as the command line writes them, ZIP)"},
    "none": {"ru": "—", "en": "—"},
    "no_programme": {"ru": "без программы", "en": "no programme"},
    # --- compare page
    "compare_pick": {"ru": "Сценарии для сравнения (первый — базовый)",
                     "en": "Scenarios to compare (the first is the baseline)"},
    "compare_need_two": {"ru": "Для сравнения нужны хотя бы два сценария: рассчитайте ещё один.",
                         "en": "Comparing needs at least two scenarios: run another one."},
    "compare_figures": {"ru": "Основные показатели", "en": "Headline figures"},
    "compare_regions": {"ru": "Разница по районам (незакрытые вакансии)",
                        "en": "Differences by region (open vacancies)"},
    "compare_changed": {"ru": "Выпускники, у которых изменилось место", "en": "Graduates whose post changed"},
    "compare_no_change": {"ru": "Ни у одного выпускника место не изменилось.",
                          "en": "No graduate's post changed."},
    "compare_no_region_diff": {"ru": "Остаток дефицита по районам одинаков.",
                               "en": "The remaining deficit is the same in every region."},
    "compare_options": {"ru": "Параметры сценариев", "en": "Scenario options"},
    "delete_scenario": {"ru": "Удалить сценарий", "en": "Delete scenario"},
    "figure": {"ru": "Показатель", "en": "Figure"},
    "diff_vs": {"ru": "Δ {name}", "en": "Δ {name}"},
    "not_placed": {"ru": "не распределён", "en": "not placed"},
    # --- network page
    "network_unavailable": {
        "ru": "Пакет анализа сети (network) пока недоступен: страница будет заполнена, когда он появится. "
              "Цифры здесь не показываются.",
        "en": "The network analysis package is not available yet: this page fills in once it is. "
              "No figures are shown here.",
    },
    "network_intro": {
        "ru": "Доступность медицинской помощи по дорожной сети: доля населения в пределах порога от "
              "ближайшего пункта, до и после плана размещения новых пунктов.",
        "en": "Access to care over the road network: the share of population within the threshold of the "
              "nearest facility, before and after a plan of new facilities.",
    },
    "network_no_data": {
        "ru": "В этом раунде нет settlements.csv и roads.csv: анализ сети невозможен.",
        "en": "This round has no settlements.csv and roads.csv: the network cannot be analysed.",
    },
    "network_threshold": {"ru": "Порог доступности, км", "en": "Access threshold, km"},
    "network_k": {"ru": "Сколько новых пунктов разместить", "en": "How many new facilities to site"},
    "network_objective": {"ru": "Цель размещения", "en": "Siting objective"},
    "network_obj_coverage": {"ru": "максимальный охват населения", "en": "maximal coverage"},
    "network_obj_pmedian": {"ru": "минимум среднего расстояния (p-медиана)", "en": "least mean distance (p-median)"},
    "network_run": {"ru": "Рассчитать план сети", "en": "Plan the network"},
    "network_before": {"ru": "Доступность сейчас", "en": "Access now"},
    "network_after": {"ru": "Доступность с планом", "en": "Access with the plan"},
    "network_sites": {"ru": "Выбранные места новых пунктов", "en": "Chosen sites of new facilities"},
    "network_by_region": {"ru": "Доступность по районам", "en": "Access by region"},
    "network_error": {"ru": "Ошибка анализа сети: {error}", "en": "Network analysis error: {error}"},
    "network_map_help": {
        "ru": "Точка — населённый пункт (зелёный — в пределах порога, красный — нет); "
              "синие — существующие пункты, жёлтые — новые по плану.",
        "en": "Dot: a settlement (green within the threshold, red not); blue existing facilities, "
              "yellow new ones from the plan.",
    },
    "network_source": {"ru": "Сеть", "en": "Network"},
    "network_source_round": {"ru": "Районные центры раунда (settlements.csv, roads.csv)",
                             "en": "The round's district centres (settlements.csv, roads.csv)"},
    "network_source_synthetic": {"ru": "Синтетическая сеть сёл (пример, не данные)",
                                 "en": "Synthetic village network (an example, not data)"},
    "network_synthetic_note": {
        "ru": "Сёла, дороги и пункты сгенерированы (network.generate_village_network, зерно {seed}); "
              "цифры иллюстрируют метод и не описывают реальный регион.",
        "en": "Villages, roads and facilities are generated (network.generate_village_network, seed {seed}); "
              "the figures illustrate the method and describe no real region.",
    },
    "network_round_note": {
        "ru": "В сети раунда только районные центры (без сёл), и все учреждения раунда считаются "
              "укомплектованными: для анализа доступности сёл нужны данные о сёлах.",
        "en": "The round's network has district centres only (no villages), and all of the round's "
              "facilities count as staffed: village-level access needs village data.",
    },
    "network_candidates": {"ru": "Кандидаты: {n} населённых пунктов (100+ жителей) без пункта; ФАП до 2000 "
                                 "жителей, врачебная амбулатория выше.",
                           "en": "Candidates: {n} settlements (100+ residents) with no facility; a FAP up to "
                                 "2,000 residents, a doctor's ambulatory above."},
    "network_no_candidates": {"ru": "Нет населённых пунктов без медицинского пункта: размещать негде.",
                              "en": "Every settlement already has a facility: there is nowhere to site one."},
    "network_new_sites": {"ru": "Новых пунктов", "en": "New facilities"},
    "network_staff": {"ru": "Нужно штатных должностей", "en": "Staff positions needed"},
    "network_pop_covered": {"ru": "Население в пределах порога", "en": "Population within the threshold"},
    "network_mean_km": {"ru": "Среднее расстояние до пункта, км", "en": "Mean distance to a facility, km"},
    # --- export (workbook) text
    "xlsx_title": {"ru": "Распределение выпускников на вакансии: {name}",
                   "en": "Allocation of graduates to vacancies: {name}"},
    "xlsx_date": {"ru": "Дата расчёта: {date}", "en": "Date of the run: {date}"},
    "xlsx_round": {"ru": "Раунд: {name}; контрольная сумма входных данных: {hash}",
                   "en": "Round: {name}; input checksum: {hash}"},
    "xlsx_signature": {"ru": "Подготовил: ____________________ / ____________________ /   «___» __________ 20___ г.",
                       "en": "Prepared by: ____________________ / ____________________ /   date ______________"},
    "xlsx_approved": {"ru": "Утверждаю: ____________________ / ____________________ /   «___» __________ 20___ г.",
                      "en": "Approved by: ____________________ / ____________________ /   date ______________"},
    "sheet_summary": {"ru": "Итоги", "en": "Summary"},
    "sheet_assignments": {"ru": "Назначения", "en": "Assignments"},
    "sheet_unplaced": {"ru": "Не распределены", "en": "Not placed"},
    "sheet_deficits": {"ru": "Дефицит", "en": "Deficit"},
    "sheet_programmes": {"ru": "Программы", "en": "Programmes"},
    "value": {"ru": "Значение", "en": "Value"},
    # --- column headers (tables on screen and exports)
    "col_region_id": {"ru": "Код района", "en": "Region code"},
    "col_region": {"ru": "Район", "en": "Region"},
    "col_name": {"ru": "Наименование", "en": "Name"},
    "col_population": {"ru": "Население", "en": "Population"},
    "col_provision": {"ru": "Врачей на 10 тыс.", "en": "Doctors per 10k"},
    "col_staffing": {"ru": "Укомпл. врачами, %", "en": "Doctor staffing, %"},
    "col_provision_mid": {"ru": "Ср. персонала на 10 тыс.", "en": "Mid-level per 10k"},
    "col_staffing_mid": {"ru": "Укомпл. ср. персоналом, %", "en": "Mid-level staffing, %"},
    "col_komk": {"ru": "КОМК", "en": "KOMK"},
    "col_group": {"ru": "Группа КОМК", "en": "KOMK group"},
    "col_weight": {"ru": "Вес", "en": "Weight"},
    "col_weight_basis": {"ru": "Основание веса", "en": "Weight basis"},
    "col_facility_id": {"ru": "Код учреждения", "en": "Facility code"},
    "col_facility": {"ru": "Учреждение", "en": "Facility"},
    "col_specialty": {"ru": "Специальность", "en": "Specialty"},
    "col_vacancies": {"ru": "Вакансии", "en": "Vacancies"},
    "col_placed": {"ru": "Распределено", "en": "Placed"},
    "col_remaining": {"ru": "Осталось", "en": "Remaining"},
    "col_programme_id": {"ru": "Код программы", "en": "Programme code"},
    "col_programme": {"ru": "Программа", "en": "Programme"},
    "col_payment": {"ru": "Выплата, ₽", "en": "Payment, ₽"},
    "col_quota": {"ru": "Квота, чел.", "en": "Quota, people"},
    "col_budget": {"ru": "Бюджет, ₽", "en": "Budget, ₽"},
    "col_spend": {"ru": "Израсходовано, ₽", "en": "Spent, ₽"},
    "col_specialties": {"ru": "Специальности", "en": "Specialties"},
    "col_max_settlement": {"ru": "Макс. население пункта", "en": "Max settlement population"},
    "col_graduate_id": {"ru": "Выпускник", "en": "Graduate"},
    "col_funding": {"ru": "Основа обучения", "en": "Funding"},
    "col_home_region": {"ru": "Район проживания", "en": "Home region"},
    "col_sponsor_region": {"ru": "Район-заказчик", "en": "Sponsor region"},
    "col_max_km": {"ru": "Макс. расстояние, км", "en": "Max distance, km"},
    "col_km": {"ru": "Расстояние, км", "en": "Distance, km"},
    "col_reason": {"ru": "Причина", "en": "Reason"},
    "col_reason_code": {"ru": "Код причины", "en": "Reason code"},
    "col_count": {"ru": "Количество", "en": "Count"},
    "col_before": {"ru": "До", "en": "Before"},
    "col_after": {"ru": "После", "en": "After"},
    "col_post_before": {"ru": "Место (базовый)", "en": "Post (baseline)"},
    "col_post_after": {"ru": "Место ({name})", "en": "Post ({name})"},
    "col_file": {"ru": "Файл", "en": "File"},
    "col_row": {"ru": "Строка", "en": "Row"},
    "col_column": {"ru": "Столбец", "en": "Column"},
    "col_message": {"ru": "Сообщение", "en": "Message"},
    "col_table": {"ru": "Таблица", "en": "Table"},
    "col_type": {"ru": "Тип", "en": "Type"},
    "col_required": {"ru": "Обязательный", "en": "Required"},
    "col_description_ru": {"ru": "Описание (рус.)", "en": "Description (Russian)"},
    "col_description_en": {"ru": "Описание (англ.)", "en": "Description (English)"},
    "col_sign": {"ru": "Подпись выпускника", "en": "Graduate's signature"},
    "col_settlements": {"ru": "Населённые пункты", "en": "Settlements"},
    "col_covered_share": {"ru": "Доля населения в пределах порога, %", "en": "Population within threshold, %"},
    "col_site": {"ru": "Место", "en": "Site"},
    "col_facility_type": {"ru": "Тип пункта", "en": "Facility type"},
    "col_settlement": {"ru": "Населённый пункт", "en": "Settlement"},
    "col_newly_covered": {"ru": "Новое население в пределах порога", "en": "Newly covered population"},
    "col_assigned_population": {"ru": "Прикреплённое население", "en": "Assigned population"},
    "col_staff_positions": {"ru": "Штатные должности", "en": "Staff positions"},
    "col_staff_roles": {"ru": "Должности", "en": "Roles"},
    "yes": {"ru": "да", "en": "yes"},
    "no": {"ru": "нет", "en": "no"},
    # --- headline figure names (summary sheet, comparison)
    "f_status": {"ru": "Статус решения", "en": "Solution status"},
    "f_solver": {"ru": "Решатель", "en": "Solver"},
    "f_obligated_placed": {"ru": "Обязанные выпускники распределены", "en": "Obligated graduates placed"},
    "f_obligated_total": {"ru": "Обязанных выпускников всего", "en": "Obligated graduates in total"},
    "f_graduates_total": {"ru": "Выпускников всего", "en": "Graduates in total"},
    "f_placed_total": {"ru": "Распределено всего", "en": "Placed in total"},
    "f_placed_grant": {"ru": "  из них грант", "en": "  of them grant"},
    "f_placed_targeted": {"ru": "  из них целевое", "en": "  of them targeted"},
    "f_placed_paid": {"ru": "  из них платное", "en": "  of them paid"},
    "f_vacancies_total": {"ru": "Вакансий всего", "en": "Vacancies in total"},
    "f_deficit_before": {"ru": "Взвешенный дефицит до", "en": "Weighted deficit before"},
    "f_deficit_after": {"ru": "Взвешенный дефицит после", "en": "Weighted deficit after"},
    "f_total_km": {"ru": "Суммарное расстояние, км", "en": "Total distance, km"},
    "f_unplaced": {"ru": "Не распределены", "en": "Not placed"},
    "f_programme_places": {"ru": "Места по программе «{name}»", "en": "Places under “{name}”"},
    "f_programme_spend": {"ru": "Расход по программе «{name}», ₽", "en": "Spending under “{name}”, ₽"},
    "f_max_km": {"ru": "Макс. расстояние по умолчанию, км", "en": "Default max distance, km"},
    "f_time_limit": {"ru": "Предел времени, с", "en": "Time limit, s"},
    "f_diminishing": {"ru": "Убывающая отдача", "en": "Diminishing returns"},
    "f_weights": {"ru": "Изменённые веса", "en": "Changed weights"},
    "f_wall_time": {"ru": "Время расчёта, с", "en": "Solve time, s"},
    # --- funding and specialty values
    "funding_grant": {"ru": "грант", "en": "grant"},
    "funding_targeted": {"ru": "целевое", "en": "targeted"},
    "funding_paid": {"ru": "платное", "en": "paid"},
    "spec_gp": {"ru": "врач общей практики", "en": "general practitioner"},
    "spec_therapist": {"ru": "терапевт", "en": "therapist"},
    "spec_paediatrician": {"ru": "педиатр", "en": "paediatrician"},
    "spec_feldsher": {"ru": "фельдшер", "en": "feldsher"},
    "spec_nurse": {"ru": "медицинская сестра", "en": "nurse"},
    "spec_midwife": {"ru": "акушерка", "en": "midwife"},
    "spec_surgeon": {"ru": "хирург", "en": "surgeon"},
    "spec_obstetrician_gynaecologist": {"ru": "акушер-гинеколог", "en": "obstetrician-gynaecologist"},
    "spec_coloproctologist": {"ru": "колопроктолог", "en": "coloproctologist"},
    "spec_oncologist": {"ru": "онколог", "en": "oncologist"},
    "spec_rehabilitation_physician": {"ru": "врач по медицинской реабилитации", "en": "rehabilitation physician"},
    "spec_dentist": {"ru": "стоматолог", "en": "dentist"},
}

# Reason codes of allocator.diagnose, in both languages.
for _code in REASONS:
    TEXT[f"reason_{_code}"] = {"ru": REASONS_RU.get(_code, REASONS[_code]), "en": REASONS[_code]}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **fmt) -> str:
    """Text of ``key`` in ``lang`` (falls back to Russian), formatted with ``fmt``."""
    entry = TEXT[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**fmt) if fmt else text


def reason(code: str, lang: str) -> str:
    key = f"reason_{code}"
    return t(key, lang) if key in TEXT else code


def funding(code: str, lang: str) -> str:
    key = f"funding_{code}"
    return t(key, lang) if key in TEXT else str(code)


def specialty(code: str, lang: str) -> str:
    """A specialty code as a word; unknown codes are shown as they are."""
    key = f"spec_{code}"
    return t(key, lang) if key in TEXT else str(code)


_BASIS = {
    "regions.csv": {"ru": "задан в regions.csv", "en": "regions.csv"},
    "default 1": {"ru": "по умолчанию 1", "en": "default 1"},
    "scenario": {"ru": "сценарий", "en": "scenario"},
    "indicators": {"ru": "показатели укомплектованности", "en": "indicators"},
}


def weight_basis(code: str, lang: str) -> str:
    """Where a region's weight came from (allocator.scenario): 'KOMK group IV', 'scenario', ..."""
    code = str(code)
    if code.startswith("KOMK group "):
        group = code.removeprefix("KOMK group ")
        return f"группа КОМК {group}" if lang == "ru" else code
    return _BASIS.get(code, {}).get(lang, code)


def status(code: str, lang: str) -> str:
    key = f"status_{code}"
    return t(key, lang) if key in TEXT else str(code)


_MODEL = re.compile(r"building the model: (\d+) pairs")
_LEVEL = re.compile(r"level (\d)/3: (\w+)")


def progress_message(message: str, lang: str) -> str:
    """Translate a progress message of :func:`allocator.solve` (unknown ones pass through)."""
    if message == "building allowed pairs":
        return t("progress_pairs", lang)
    if message == "writing the solution":
        return t("progress_write", lang)
    if m := _MODEL.fullmatch(message):
        return t("progress_model", lang, n=m.group(1))
    if m := _LEVEL.fullmatch(message):
        key = f"level_{m.group(2)}"
        name = t(key, lang) if key in TEXT else m.group(2)
        return t("progress_level", lang, k=m.group(1), name=name)
    return message
