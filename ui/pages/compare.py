"""Page: compare two or more scenarios of one round side by side.

Scenarios are grouped by the round they were made from (``RunRecord.round_hash``: the loaded
round before edits); the page compares within one round, by default the round loaded now."""

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

groups: dict[str, list[str]] = {}  # round hash -> its scenarios, in run order
for name, rec in runs.items():
    groups.setdefault(rec.round_hash, []).append(name)
current = ss["loaded"].round_hash
if ss.get("compare_round") not in groups:
    ss["compare_round"] = current if current in groups else runs[list(runs)[-1]].round_hash


def round_choice(round_hash: str) -> str:
    """A round in the choice: its name and hash start, marked when it is the one loaded now."""
    label = views.round_label(runs[groups[round_hash][0]])
    return t("compare_round_current", lang, round=label) if round_hash == current else label


if len(groups) > 1:
    st.selectbox(t("compare_round", lang), list(groups), format_func=round_choice, key="compare_round")
names = groups[ss["compare_round"]]
if len(names) < 2:
    st.info(t("compare_need_two_round", lang))
    st.stop()
if "compare_pick" not in ss or not set(ss["compare_pick"]) <= set(names):
    ss["compare_pick"] = names[-2:]
picked = st.multiselect(t("compare_pick", lang), names, key="compare_pick")
if len(picked) < 2:
    st.info(t("compare_need_two", lang))
    st.stop()
records = [runs[n] for n in picked]

st.subheader(t("compare_figures", lang))
figures = views.compare_figures(records, lang)
st.dataframe(figures, placeholder="", width="stretch", height=35 * (len(figures) + 1) + 3)

app.comparison_tables(records, lang)

with st.expander(t("delete_scenario", lang)):
    victim = st.selectbox(t("show_scenario", lang), list(runs), key="delete_pick")
    if st.button(t("delete_scenario", lang), key="delete_button"):
        runs.pop(victim, None)
        ss.pop("compare_pick", None)
        st.rerun()
