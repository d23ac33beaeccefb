"""Page: the facility network. Units breaking the network rules, access to staffed facilities before
and after the session's last allocation, and a siting plan for new FAPs, on the round's village
network (``villages/``), its district centres or a generated example."""

import pandas as pd
import streamlit as st

from medstaff_core.problems import InputError
from ui import app, downloads, i18n, maps, network_view, views
from ui.i18n import t

lang = app.lang()
ss = st.session_state
st.title(t("page_network", lang))

if not network_view.AVAILABLE:
    st.warning(t("network_unavailable", lang))
    st.stop()

st.caption(t("network_intro", lang))
loaded = ss["loaded"]
region_names = views.region_names(loaded.round)


def _n(value: float) -> str:
    """A head count with the language's thousands separator."""
    text = f"{value:,.0f}"
    return text.replace(",", "\u00a0") if lang == "ru" else text


@st.cache_resource(show_spinner=False)
def _round_network(label: str, _tables, _facilities, facilities_key: str):
    return network_view.round_network_from_tables(label, _tables, _facilities)


@st.cache_resource(show_spinner=False)
def _synthetic(seed: int):
    return network_view.synthetic_network(seed)


@st.cache_resource(show_spinner=False)
def _villages(folder: str, stamp: tuple, _facilities, facilities_key: str):
    return network_view.village_network(folder, _facilities)


@st.cache_resource(show_spinner=False)
def _gaps(source_key: str, _inputs):
    return network_view.rule_gaps(_inputs)


@st.cache_resource(show_spinner=False)
def _staffed(source_key: str, km: float, run_key: str, _inputs, _assignments):
    return network_view.staffed_access(_inputs, km, _assignments)


villages, villages_dir = None, network_view.village_folder(loaded.folder)
if villages_dir is not None:
    stamp = tuple(f.stat().st_mtime_ns for f in sorted(villages_dir.glob("*.csv")))
    try:
        villages = _villages(str(villages_dir), stamp, loaded.round.facilities, loaded.round.input_hash())
    except InputError as exc:  # a bad villages/ folder leaves the other sources
        st.error(t("network_villages_error", lang, error=exc.report(lang)))

has_round = loaded.network_tables is not None  # read when the round was loaded
sources = (["villages"] if villages is not None else []) + (["round"] if has_round else []) + ["synthetic"]
if ss.get("net_source") not in sources:  # a round without villages/ after one with it
    ss.pop("net_source", None)


def _source_label(s: str) -> str:
    if s != "villages":
        return t(f"network_source_{s}", lang)
    years = villages.settlements.get("population_year", pd.Series(dtype=float)).dropna().unique()
    if len(years) == 1:
        return t("network_source_villages", lang, n=len(villages.settlements), year=int(years[0]))
    return t("network_source_villages_plain", lang, n=len(villages.settlements))


source = st.radio(t("network_source", lang), sources, key="net_source", horizontal=True, format_func=_source_label)
if not has_round and villages is None:
    st.caption(t("network_no_data", lang))
if source == "villages":
    inputs, source_key = villages, f"villages:{villages_dir}:{stamp}:{loaded.round.input_hash()}"
    basis = inputs.settlements.get("coord_basis", pd.Series(dtype=str))
    st.info(t("network_villages_note", lang, estimated=int((basis == "estimated").sum()), n=len(inputs.settlements)))
elif source == "round":
    tables_key = ":".join(str(int(pd.util.hash_pandas_object(f).sum())) for f in loaded.network_tables)
    source_key = f"round:{loaded.round.input_hash()}:{tables_key}"
    inputs = _round_network(loaded.label, loaded.network_tables, loaded.round.facilities, source_key)
    st.info(t("network_round_note", lang))
else:
    inputs, source_key = _synthetic(1), "synthetic:1"
    st.info(t("network_synthetic_note", lang, seed=1))
names = region_names if source != "synthetic" else None

ss.setdefault("net_threshold", 6.0 if villages is not None else 10.0)  # 6 km: the FAP/FP rule's radius
ss.setdefault("net_k", 10 if villages is not None else 5)
threshold = st.number_input(t("network_threshold", lang), min_value=1.0, max_value=300.0, step=1.0,
                            key="net_threshold")

# ----------------------------------------------------------------------------- rule gaps
st.subheader(t("network_gaps_header", lang))
st.caption(t("network_gaps_intro", lang))
gaps = _gaps(source_key, inputs)
counts = network_view.gap_counts(gaps)
m = st.columns(1 + len(counts))
m[0].metric(t("network_gaps_total", lang), gaps["settlement_id"].nunique(),
            help=t("network_gaps_of", lang, n=len(inputs.settlements)), border=True)
for col, (rule, n) in zip(m[1:], counts.items()):
    col.metric(network_view.rule_label(rule, lang), n, border=True)
if source != "synthetic":
    st.warning(t("network_gaps_upper_bound", lang))
if len(gaps):
    table = network_view.gaps_table(inputs, gaps, lang, names)
    st.dataframe(table, placeholder="", hide_index=True, width="stretch")
    d1, d2 = st.columns(2)
    downloads.csv_buttons(t("network_gaps_download_csv", lang), lambda shown=table: shown,
                          f"rule_gaps_{source}.csv", "net_gaps_csv", lang, d1)
    downloads.button(t("network_gaps_download_xlsx", lang),
                     lambda shown=table, sheet=t("network_gaps_sheet", lang): network_view.xlsx_bytes(shown, sheet),
                     f"rule_gaps_{source}.xlsx", "net_gaps_xlsx", downloads.XLSX_MIME, d2)
else:
    st.success(t("network_no_gaps", lang))

# ------------------------------------------------------------ staffed access and the allocation
st.subheader(t("network_staffed_header", lang))
st.caption(t("network_staffed_intro", lang))
runs = ss.get("runs") or {}
record = list(runs.values())[-1] if runs else None  # the session's last run (a re-run moves it last)
assignments = record.solution.assignments if record is not None else None
run_key = f"{record.name}:{record.created.isoformat()}" if record is not None else ""
staffed = _staffed(source_key, float(threshold), run_key, inputs, assignments)
st_tot = network_view.totals(staffed.comparison)
m = st.columns(3)
m[0].metric(t("network_staffed_before", lang), f"{100 * st_tot['share_before']:.1f} %",
            help=t("network_people", lang, n=_n(st_tot["covered_before"])), border=True)
if staffed.with_run:
    m[1].metric(t("network_staffed_after", lang), f"{100 * st_tot['share_after']:.1f} %",
                delta=t("network_delta_pp", lang,
                        delta=f"{100 * (st_tot['share_after'] - st_tot['share_before']):+.1f}"),
                help=t("network_people", lang, n=_n(st_tot["covered_after"])), border=True)
    m[2].metric(t("network_staffed_count", lang), f"{staffed.staffed_before} → {staffed.staffed_after}", border=True)
    st.caption(t("network_run_used", lang, name=record.name, placed=staffed.placed_facilities,
                 new=len(staffed.newly_staffed)))
    if not staffed.newly_staffed:
        st.info(t("network_same_note", lang))
else:
    m[1].metric(t("network_staffed_count", lang), staffed.staffed_before, border=True)
    st.info(t("network_no_run", lang))
with st.expander(t("network_by_region", lang)):
    st.dataframe(network_view.region_table(staffed.comparison, lang, names), placeholder="", hide_index=True,
                 width="stretch")

# ----------------------------------------------------------------------------- siting plan
st.subheader(t("network_plan_header", lang))
c1, c2 = st.columns(2)
k = c1.number_input(t("network_k", lang), min_value=0, max_value=50, step=1, key="net_k")
objective = c2.selectbox(t("network_objective", lang), ["coverage", "median"], key="net_objective",
                         format_func=lambda o: t("network_obj_coverage" if o == "coverage" else "network_obj_pmedian",
                                                 lang))
cands = network_view.candidate_sites(inputs)
if not len(cands):
    st.caption(t("network_no_candidates", lang))
elif inputs.candidates is not None:
    st.caption(t("network_candidates_file", lang, n=len(cands)))
else:
    st.caption(t("network_candidates", lang, n=len(cands)))

if st.button(t("network_run", lang), type="primary", key="net_run"):
    try:
        ss["net_plan"] = (source, float(threshold), int(k), objective,
                          network_view.plan(inputs, float(threshold), int(k), objective))
    except Exception as exc:  # the network package raises its own input/planning errors
        st.error(t("network_error", lang, error=exc))

stored = ss.get("net_plan")
result = stored[4] if stored and stored[0] == source else None
plan_status = result.summary.get("status") if result is not None else None  # a StrEnum; None when k = 0
if plan_status is not None and str(plan_status) not in ("optimal", "feasible"):
    st.warning(t("network_plan_failed", lang, status=i18n.status(plan_status, lang)) + " "
               + (t("network_plan_median_hint", lang, k=stored[2]) if stored[3] == "median" else ""))
if result is not None:
    tot = network_view.totals(result.comparison)
    m = st.columns(4)
    m[0].metric(t("network_before", lang), f"{100 * tot['share_before']:.1f} %", border=True)
    m[1].metric(t("network_after", lang), f"{100 * tot['share_after']:.1f} %",
                delta=t("network_delta_pp", lang,
                        delta=f"{100 * (tot['share_after'] - tot['share_before']):+.1f}"),
                border=True)
    m[2].metric(t("network_new_sites", lang), len(result.sites), border=True)
    staff = result.sites["staff_positions"].sum() if "staff_positions" in result.sites else 0
    m[3].metric(t("network_staff", lang), f"{staff:g}", border=True)
    st.caption(t("network_plan_covered", lang, before=_n(tot["covered_before"]), after=_n(tot["covered_after"]),
                 gain=_n(tot["covered_after"] - tot["covered_before"])))
    if len(result.sites):
        st.markdown(f"**{t('network_sites', lang)}**")
        st.dataframe(network_view.sites_table(inputs, result.sites, lang, names), placeholder="", hide_index=True,
                     width="stretch")
    st.markdown(f"**{t('network_by_region', lang)}**")
    st.dataframe(network_view.region_table(result.comparison, lang, names), placeholder="", hide_index=True,
                 width="stretch")

# ----------------------------------------------------------------------------------- map
st.subheader(t("network_map_header", lang))
st.caption(t("network_map_help", lang))
access = result.access_after if result is not None else staffed.access_after
ss.setdefault("map_basemap", True)
basemap = st.toggle(t("map_basemap", lang), key="map_basemap", help=t("map_basemap_help", lang))
districts = None if source == "synthetic" else loaded.round.regions  # labelled district centres
st.pydeck_chart(network_view.deck(inputs, lang, access=access, sites=None if result is None else result.sites,
                                  gaps=gaps, districts=districts, basemap=basemap), height=maps.MAP_HEIGHT)
