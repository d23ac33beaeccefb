"""The network page over the real network package (skipped if it is absent): the village network
of the bundled Penza round (data/penza/villages, figures in data/penza/README.md), its district
centres and the generated example."""

import io

import pandas as pd
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402
from support.paths import ROOT

from ui import network_view, state, views  # noqa: E402
from ui.i18n import t  # noqa: E402

pytestmark = pytest.mark.skipif(not network_view.AVAILABLE, reason="network package not available")
APP = str(ROOT / "ui_streamlit.py")
PENZA_POPULATION = 1_266_348
COVERED_6KM = 928_642  # staffed facilities within 6 km (data/penza/README.md)
COVERED_10_SITES = 1_015_000  # with the 10-site coverage plan at 6 km


@pytest.fixture(scope="module")
def penza():
    return state.load_folder(state.BUNDLED_DIR, "penza")


@pytest.fixture(scope="module")
def villages(penza):
    folder = network_view.village_folder(penza.folder)
    assert folder == state.BUNDLED_DIR / "villages"
    return network_view.village_network(folder, penza.round.facilities)


def test_plan_raises_access_on_the_synthetic_network():
    inputs = network_view.synthetic_network(seed=1, n=150)
    result = network_view.plan(inputs, max_km=10.0, k=3)
    tot = network_view.totals(result.comparison)
    assert len(result.sites) == 3
    assert tot["covered_after"] >= tot["covered_before"]
    assert (result.comparison["gain"] >= 0).all()
    assert result.sites["site_id"].str.startswith("new_").all()


def test_round_network_is_read_from_the_bundled_folder(penza):
    inputs = network_view.round_network(penza.folder, penza.round.facilities)
    assert inputs is not None and inputs.graph.number_of_nodes() == 29
    result = network_view.plan(inputs, max_km=30.0, k=2)
    assert set(result.comparison["region_id"]) <= set(penza.round.regions["region_id"])


def test_the_village_network_is_found_and_read_with_its_own_files(villages):
    assert villages.kind == "villages" and not villages.synthetic
    assert villages.graph.number_of_nodes() == 291
    assert villages.settlements["population"].sum() == PENZA_POPULATION
    assert len(villages.facilities) == 35 and len(villages.candidates) == 256
    assert set(villages.files) == {"settlements", "roads", "facilities", "candidates"}
    assert network_view.candidate_sites(villages) is villages.candidates
    assert network_view.village_folder(None) is None
    assert network_view.village_folder(state.BUNDLED_DIR / "norms") is None


def test_a_bad_village_folder_is_refused(tmp_path, penza):
    from medstaff_core.problems import InputError

    for name in ("settlements.csv", "roads.csv"):
        (tmp_path / name).write_text((state.BUNDLED_DIR / "villages" / name).read_text(encoding="utf-8"),
                                     encoding="utf-8")
    (tmp_path / "candidates.csv").write_text("site_id,settlement_id\nx,penza_city__g_penza\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        network_view.village_network(tmp_path, penza.round.facilities)
    assert "facility_type" in err.value.report("en")
    (tmp_path / "candidates.csv").unlink()  # without candidates.csv / staffed_facilities.csv: derived ones
    inputs = network_view.village_network(tmp_path, penza.round.facilities)
    assert inputs.candidates is None and len(inputs.facilities) == len(penza.round.facilities)
    assert len(network_view.candidate_sites(inputs)) > 200


def test_rule_gaps_on_the_villages_match_the_readme(villages, penza):
    gaps = network_view.rule_gaps(villages)
    assert len(gaps) == 245 and gaps["settlement_id"].nunique() == 245
    assert network_view.gap_counts(gaps) == {"fap_fp_100_2000": 208, "va_over_2000": 37}
    # every breach is more than 6 km from a satisfying facility, and every distance is known
    assert (gaps["nearest_km"] > 6.0).all()
    assert gaps.groupby("rule_id")["coord_basis"].apply(lambda b: int((b == "estimated").sum())).to_dict() \
        == {"fap_fp_100_2000": 203, "va_over_2000": 20}
    table = network_view.gaps_table(villages, gaps, "ru", views.region_names(penza.round))
    row = table.loc[table[t("col_settlement", "ru")] == "Шереметьевский сельсовет"].iloc[0]
    assert row[t("network_col_district", "ru")] == "Башмаковский район"
    assert row[t("col_population", "ru")] == 1168
    assert row[t("network_col_rule", "ru")] == "100–2000 жителей: ФАП/ФП в пределах 6 км"
    assert row[t("network_col_coord_basis", "ru")] == "оценка"
    assert row[t("network_col_nearest_km", "ru")] > 6.0
    kizh = table.loc[table[t("col_settlement", "ru")] == "Кижеватовский сельсовет"].iloc[0]
    assert kizh[t("network_col_needs", "ru")] == "врачебная амбулатория"
    english = network_view.gaps_table(villages, gaps, "en")
    assert set(english["Point"]) == {"estimated", "sourced", "village of the same name"}
    book = pd.read_excel(io.BytesIO(network_view.xlsx_bytes(table, "Нарушения")), sheet_name="Нарушения")
    assert len(book) == 245 and "Шереметьевский сельсовет" in set(book[t("col_settlement", "ru")])


def test_staffed_access_before_and_after_the_allocation(villages, penza):
    from allocator import solve

    before = network_view.staffed_access(villages, 6.0)
    tot = network_view.totals(before.comparison)
    assert not before.with_run and tot["covered_before"] == tot["covered_after"] == COVERED_6KM
    assert tot["population"] == PENZA_POPULATION and round(100 * tot["share_before"], 1) == 73.3
    solution = solve(penza.round)
    after = network_view.staffed_access(villages, 6.0, solution.assignments)
    # in the bundled round every facility graduates go to is staffed already: before = after
    # placed facilities the village network holds (the Kuznetsk polyclinic of issue 15 is not in it yet)
    in_network = solution.assignments["facility_id"].isin(set(villages.facilities["facility_id"]))
    placed = solution.assignments.loc[in_network, "facility_id"].nunique()
    assert after.with_run and after.placed_facilities == placed > 20
    assert after.newly_staffed == [] and network_view.totals(after.comparison)["covered_after"] == COVERED_6KM


def test_a_facility_staffed_only_by_the_allocation_raises_access(villages):
    fac = villages.facilities.copy()
    hospital = "bashmakovsky_hospital"
    fac.loc[fac["facility_id"] == hospital, "staffed"] = "False"
    inputs = network_view.NetworkInputs("test", False, villages.settlements, villages.roads, fac, villages.graph)
    placed = pd.DataFrame({"facility_id": [hospital, "not_in_this_network"]})
    res = network_view.staffed_access(inputs, 6.0, placed)
    tot = network_view.totals(res.comparison)
    assert res.newly_staffed == [hospital] and res.placed_facilities == 1
    assert res.staffed_before == 34 and res.staffed_after == 35
    assert tot["covered_after"] == COVERED_6KM and tot["covered_before"] < COVERED_6KM


def test_a_ten_site_plan_at_6_km_covers_1015000(villages, penza):
    result = network_view.plan(villages, max_km=6.0, k=10)
    tot = network_view.totals(result.comparison)
    assert (tot["covered_before"], tot["covered_after"]) == (COVERED_6KM, COVERED_10_SITES)
    sites = network_view.sites_table(villages, result.sites, "ru", views.region_names(penza.round))
    by_name = sites.set_index(t("col_settlement", "ru"))
    assert by_name.at["Засечный сельсовет", t("col_population", "ru")] == 27932
    assert by_name.at["Засечный сельсовет", t("col_facility_type", "ru")] == "врачебная амбулатория"
    assert by_name.at["Сулеймановский сельсовет", t("col_facility_type", "ru")] == "ФАП"
    assert by_name.at["Сулеймановский сельсовет", t("network_col_district", "ru")] == "Неверкинский район"
    assert "фельдшер" in by_name.at["Сулеймановский сельсовет", t("col_staff_roles", "ru")]
    regions = network_view.region_table(result.comparison, "ru", views.region_names(penza.round))
    assert regions["Δ"].sum() == COVERED_10_SITES - COVERED_6KM
    deck = network_view.deck(villages, "ru", access=result.access_after, sites=result.sites,
                             gaps=network_view.rule_gaps(villages))
    points = deck.layers[1].data  # records, as pydeck sends them
    assert len(points) == 291 and sum(p["colour"] == network_view.BREACH for p in points) == 245
    assert len(deck.layers[3].data) == 10


def test_a_p_median_plan_needs_a_threshold_every_unit_can_meet(villages):
    assert str(network_view.plan(villages, max_km=6.0, k=10, objective="median").summary["status"]) == "infeasible"
    result = network_view.plan(villages, max_km=30.0, k=10, objective="median")
    assert str(result.summary["status"]) == "optimal" and len(result.sites) == 10
    assert result.sites["assigned_population"].sum() > 0


def _metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def _table_with(at, column: str) -> pd.DataFrame:
    """The page's one dataframe with ``column``."""
    (frame,) = [d.value for d in at.dataframe if column in d.value.columns]
    return frame


def test_network_page_shows_the_villages_by_default():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("ui/pages/network.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="net_source").value == "villages"
    assert "Сельсоветы (291 МО, перепись 2021)" in at.radio(key="net_source").options
    metrics = _metrics(at)
    assert metrics["Не выполнен норматив"] == "245"
    assert metrics["100–2000 жителей: ФАП/ФП в пределах 6 км"] == "208"
    assert metrics["более 2000 жителей: врачебная амбулатория в пределах 6 км"] == "37"
    assert metrics["До распределения"] == "73.3 %"
    assert any("не рассчитано" in i.value for i in at.info)  # no run yet: "before" only
    gaps = _table_with(at, "Норматив")
    assert len(gaps) == 245 and "Шереметьевский сельсовет" in set(gaps["Населённый пункт"])
    at.button(key="net_run").click().run()  # the defaults: 10 sites, 6 km, coverage
    assert not at.exception, [e.value for e in at.exception]
    metrics = _metrics(at)
    assert metrics["Новых пунктов"] == "10"
    assert (metrics["Доступность сейчас"], metrics["Доступность с планом"]) == ("73.3 %", "80.2 %")
    sites = _table_with(at, "Место")
    assert "Засечный сельсовет" in set(sites["Населённый пункт"])
    assert any("928 642 → 1 015 000 чел. (+86 358)" in c.value.replace("\u00a0", " ") for c in at.caption)
    at.selectbox(key="net_objective").set_value("median").run()
    at.button(key="net_run").click().run()  # the p-median cannot reach every unit within 6 km with 10 sites
    assert not at.exception, [e.value for e in at.exception]
    assert any(w.value.startswith("План не найден (статус: несовместно)") for w in at.warning)
    at.number_input(key="net_threshold").set_value(30.0).run()
    at.button(key="net_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _metrics(at)["Новых пунктов"] == "10" and not any(w.value.startswith("План не найден") for w in at.warning)


def test_network_page_after_a_run_and_on_the_synthetic_network():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("ui/pages/run.py").run()
    at.button(key="run_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("ui/pages/network.py").run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = _metrics(at)
    assert metrics["До распределения"] == metrics["После распределения"] == "73.3 %"
    assert metrics["Укомплектованных пунктов"] == "35 → 35"
    assert any(i.value.startswith("До = после") for i in at.info)
    at.radio(key="net_source").set_value("round").run()  # the district centres still work
    assert not at.exception, [e.value for e in at.exception]
    assert _metrics(at)["более 2000 жителей: врачебная амбулатория в пределах 6 км"] == "1"
    at.radio(key="net_source").set_value("synthetic").run()
    at.number_input(key="net_k").set_value(5).run()
    at.button(key="net_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _metrics(at)["Новых пунктов"] == "5"
