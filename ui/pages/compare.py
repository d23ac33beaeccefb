"""Page: compare two or more scenarios of the session side by side."""

import streamlit as st

from ui import app, views
from ui.i18n import t

lang = app.lang()
ss = st.session_state
runs: dict = ss["runs"]
st.title(t("page_compare", lang))

if len(runs) < 2:
    st.info(t("compare_need_two", lang))
    st.stop()

names = list(runs)
if "compare_pick" not in ss or not set(ss["compare_pick"]) <= set(names):
    ss["compare_pick"] = names[-2:] if len(names) > 1 else names
picked = st.multiselect(t("compare_pick", lang), names, key="compare_pick")
if len(picked) < 2:
    st.info(t("compare_need_two", lang))
    st.stop()
records = [runs[n] for n in picked]

st.subheader(t("compare_figures", lang))
figures = views.compare_figures(records, lang)
st.dataframe(figures, width="stretch", height=35 * (len(figures) + 1) + 3)

app.comparison_tables(records, lang)

with st.expander(t("delete_scenario", lang)):
    victim = st.selectbox(t("show_scenario", lang), names, key="delete_pick")
    if st.button(t("delete_scenario", lang), key="delete_button"):
        runs.pop(victim, None)
        ss.pop("compare_pick", None)
        st.rerun()
