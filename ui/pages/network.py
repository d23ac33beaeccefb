"""Page: access to care over the road network, before and after a plan of new posts."""

import pandas as pd
import streamlit as st

from ui import app, network_view
from ui.i18n import t

lang = app.lang()
ss = st.session_state
st.title(t("page_network", lang))

if not network_view.AVAILABLE:
    st.warning(t("network_unavailable", lang))
    st.stop()

st.caption(t("network_intro", lang))
loaded = ss["loaded"]


@st.cache_resource(show_spinner=False)
def _round_network(label: str, _tables, _facilities, facilities_key: str):
    return network_view.round_network_from_tables(label, _tables, _facilities)


@st.cache_resource(show_spinner=False)
def _synthetic(seed: int):
    return network_view.synthetic_network(seed)


has_round = loaded.network_tables is not None  # read when the round was loaded
sources = (["round"] if has_round else []) + ["synthetic"]
source = st.radio(t("network_source", lang), sources, key="net_source", horizontal=True,
                  format_func=lambda s: t(f"network_source_{s}", lang))
if not has_round:
    st.caption(t("network_no_data", lang))
if source == "round":
    tables_key = ":".join(str(int(pd.util.hash_pandas_object(f).sum())) for f in loaded.network_tables)
    inputs = _round_network(loaded.label, loaded.network_tables, loaded.round.facilities,
                            f"{loaded.round.input_hash()}:{tables_key}")
    st.info(t("network_round_note", lang))
else:
    inputs = _synthetic(1)
    st.info(t("network_synthetic_note", lang, seed=1))

ss.setdefault("net_threshold", 10.0)
ss.setdefault("net_k", 5)
c1, c2, c3 = st.columns(3)
threshold = c1.number_input(t("network_threshold", lang), min_value=1.0, max_value=300.0, step=1.0,
                            key="net_threshold")
k = c2.number_input(t("network_k", lang), min_value=0, max_value=50, step=1, key="net_k")
objective = c3.selectbox(t("network_objective", lang), ["coverage", "median"], key="net_objective",
                         format_func=lambda o: t("network_obj_coverage" if o == "coverage" else "network_obj_pmedian",
                                                 lang))
cands = network_view.candidate_sites(inputs)
st.caption(t("network_candidates", lang, n=len(cands)) if len(cands) else t("network_no_candidates", lang))

if st.button(t("network_run", lang), type="primary", key="net_run"):
    try:
        ss["net_plan"] = (source, float(threshold), int(k), objective,
                          network_view.plan(inputs, float(threshold), int(k), objective))
    except Exception as exc:  # the network package raises its own input/planning errors
        st.error(t("network_error", lang, error=exc))

stored = ss.get("net_plan")
if not stored or stored[0] != source:
    st.stop()
_, used_km, used_k, used_obj, result = stored
tot = network_view.totals(result.comparison)
m = st.columns(4)
m[0].metric(t("network_before", lang), f"{100 * tot['share_before']:.1f} %", border=True)
m[1].metric(t("network_after", lang), f"{100 * tot['share_after']:.1f} %",
            delta=t("network_delta_pp", lang, delta=f"{100 * (tot['share_after'] - tot['share_before']):+.1f}"),
            border=True)
m[2].metric(t("network_new_sites", lang), len(result.sites), border=True)
staff = result.sites["staff_positions"].sum() if "staff_positions" in result.sites else 0
m[3].metric(t("network_staff", lang), f"{staff:g}", border=True)

st.subheader(t("network_by_region", lang))
comp = result.comparison.copy()
comp["share_before"] = (100 * comp["share_before"]).round(1)
comp["share_after"] = (100 * comp["share_after"]).round(1)
st.dataframe(comp.rename(columns={
    "region_id": t("col_region_id", lang), "population": t("col_population", lang),
    "covered_before": t("col_before", lang) + ", " + t("network_pop_covered", lang).lower(),
    "covered_after": t("col_after", lang) + ", " + t("network_pop_covered", lang).lower(),
    "gain": "Δ", "share_before": t("col_before", lang) + ", %", "share_after": t("col_after", lang) + ", %"}),
    hide_index=True, width="stretch")

if len(result.sites):
    st.subheader(t("network_sites", lang))
    st.dataframe(network_view.sites_table(inputs, result.sites, lang), hide_index=True, width="stretch")

st.caption(t("network_map_help", lang))
st.pydeck_chart(network_view.deck(inputs, result, lang), height=520)
