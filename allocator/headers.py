"""Russian header names of the round's tables, accepted by the reader beside the schema's names.

The template workbook offers them as its header row (``allocator.template.template_workbook(
headers="ru")``); :func:`allocator.io.read_round` renames them to the schema's column names, so a
filled-in Russian-header template is a round as it is. Compared as the reader keeps headers:
stripped, lower case. A table given with both names of one column (``вес`` and ``weight``) has
that column twice, which the validator refuses (``column_twice``).
"""

from __future__ import annotations

from functools import cache

__all__ = ["RU_HEADERS", "aliases", "ru_header"]

#: table -> schema column -> its Russian header.
RU_HEADERS: dict[str, dict[str, str]] = {
    "regions": {"region_id": "код района", "name": "название", "lat": "широта", "lon": "долгота",
                "population": "население", "weight": "вес"},
    "facilities": {"facility_id": "код учреждения", "name": "название", "region_id": "код района",
                   "lat": "широта", "lon": "долгота", "rural": "сельская местность", "type": "тип",
                   "settlement_population": "население пункта",
                   "remote": "отдалённая местность", "closed_town": "закрытый город (ЗАТО)",
                   "ownership": "форма собственности"},
    "vacancies": {"facility_id": "код учреждения", "specialty": "специальность", "vacancies": "вакансии",
                  "source": "источник", "planned_date": "плановый срок"},
    "graduates": {"graduate_id": "код выпускника", "specialty": "специальность", "funding": "основа обучения",
                  "home_region_id": "район проживания", "lat": "широта", "lon": "долгота",
                  "sponsor_region_id": "район-заказчик", "max_km": "макс. км", "rating": "рейтинг",
                  "status": "статус", "status_reason": "причина статуса", "partner_id": "код супруга",
                  "birth_year": "год рождения", "age": "возраст", "rural_quota": "сельская квота"},
    "programmes": {"programme_id": "код программы", "name": "название", "payment": "выплата",
                   "quota": "квота", "budget": "бюджет", "specialties": "специальности",
                   "region_id": "код района", "max_settlement_population": "макс. население пункта",
                   "payment_remote": "выплата в отдалённой местности", "funding": "основы обучения",
                   "closed_towns": "включая ЗАТО", "max_age": "предельный возраст",
                   "service_years": "срок отработки, лет", "benefits": "меры поддержки",
                   "ownership": "форма собственности организаций"},
    "instalments": {"programme_id": "код программы", "year": "год выплаты", "payment": "выплата",
                    "payment_remote": "выплата в отдалённой местности", "budget": "бюджет",
                    "description": "описание"},
    "preferences": {"graduate_id": "код выпускника", "rank": "место в списке", "facility_id": "код учреждения"},
}


def ru_header(table: str, column: str) -> str:
    """The Russian header of ``table``'s ``column`` (the column's own name when it has none)."""
    return RU_HEADERS.get(table, {}).get(column, column)


@cache
def aliases() -> dict[str, dict[str, str]]:
    """table -> Russian header as the reader compares it (stripped, lower case) -> schema column."""
    return {table: {ru.strip().lower(): col for col, ru in names.items()} for table, names in RU_HEADERS.items()}
