"""Page: the loaded round under assign, choice and menu (``allocator mechanisms`` in the app): the
comparison table, a chart of the deficit and of the choices respected, the regions graduates came to
because of the menu, and the menu's offered posts as an xlsx list to publish."""

import pandas as pd
import streamlit as st

from allocator.catalogue import text
from allocator.mechanisms.compare import MECHANISMS, compare_mechanisms, solve_all
from allocator.mechanisms.compare_cli import comparison_rows, offered_table
from ui import app, downloads, exports, i18n
from ui.i18n import t

lang = app.lang()
ss = st.session_state
loaded = ss["loaded"]
round_ = loaded.round
st.title(t("mechanisms_page", lang))
st.caption(t("mechanisms_intro", lang))

if round_.preferences is None or round_.preferences.empty:
    st.info(t("mechanisms_no_preferences", lang))
    st.stop()


def name(mechanism: str) -> str:
    """A mechanism's name in the page's language."""
    return text(f"mech_name_{mechanism}", lang)


if st.button(t("mechanisms_run", lang), type="primary", key="mechanisms_run", help=t("mechanisms_run_help", lang)):
    bar = st.progress(0.0, text=t("mechanisms_running", lang, mechanism=name(MECHANISMS[0])))

    def progress(mechanism, event) -> None:
        """Move the bar through the three mechanisms, each a third, with its stage in the page's language."""
        i = MECHANISMS.index(mechanism)
        fraction = 0.0 if event is None else min(max(float(event.fraction), 0.0), 1.0)
        label = t("mechanisms_running", lang, mechanism=name(mechanism))
        if event is not None:
            label += ": " + i18n.progress_text(event, lang)
        bar.progress((i + fraction) / len(MECHANISMS), text=label)

    refused: dict[str, str] = {}
    try:
        with st.spinner(t("mechanisms_run", lang)):
            solutions = solve_all(round_, progress=progress, refused=refused)
    except Exception as exc:  # a solver failure is shown, not raised
        st.error(t("mechanisms_failed", lang, error=exc))
        st.stop()
    bar.progress(1.0, text=t("progress_done", lang))
    ss["mechanisms_result"] = {"round_hash": loaded.round_hash, "solutions": solutions,
                               "report": compare_mechanisms(round_, solutions, refused)}

result = ss.get("mechanisms_result")
if result is None or result["round_hash"] != loaded.round_hash:
    st.stop()
report, solutions = result["report"], result["solutions"]
for mechanism, code in report.get("refused", {}).items():  # e.g. the menu on a round with couples
    st.warning(text(f"mech_cmp_refused_{code}", lang, mechanism=name(mechanism)))

st.subheader(t("mechanisms_table", lang))
rows = comparison_rows(report, lang)
st.dataframe(pd.DataFrame(rows[1:], columns=rows[0]), hide_index=True, width="stretch", key="mechanisms_figures")
left, right = st.columns(2)
left.metric(t("mechanisms_choice_cost", lang), i18n.number(report["choice_cost"], lang, 1),
            help=t("mechanisms_delta_help", lang))
right.metric(t("mechanisms_menu_gain", lang), i18n.number(report["menu_gain"], lang, 1),
             help=t("mechanisms_delta_help", lang))


def charts():
    """Two Plotly bar charts: the weighted deficit by mechanism, and the first and top-3 choice shares."""
    import plotly.graph_objects as go

    shown = [m for m in MECHANISMS if m in report["mechanisms"]]
    names = [name(m) for m in shown]
    figures = report["mechanisms"]
    deficit = go.Figure(go.Bar(x=names, y=[figures[m]["weighted_deficit"] for m in shown],
                               hovertemplate="%{x}: %{y:.1f}<extra></extra>"))
    deficit.update_layout(title=t("mechanisms_chart_deficit", lang), yaxis_title=text("mech_col_deficit", lang),
                          height=380, margin=dict(l=10, r=10, t=50, b=10))
    choices = go.Figure([go.Bar(name=text(f"mech_col_{key}", lang), x=names,
                                y=[100 * (figures[m][f"{share}_share"] or 0.0) for m in shown],
                                hovertemplate="%{x}: %{y:.1f} %<extra></extra>")
                         for key, share in (("first", "first_choice"), ("top3", "top3"))])
    choices.update_layout(title=t("mechanisms_chart_choices", lang), yaxis_title=t("mechanisms_share_axis", lang),
                          barmode="group", height=380, margin=dict(l=10, r=10, t=50, b=10))
    return deficit, choices


deficit_chart, choices_chart = charts()
left, right = st.columns(2)
left.plotly_chart(deficit_chart, width="stretch", key="mechanisms_deficit_chart")
right.plotly_chart(choices_chart, width="stretch", key="mechanisms_choices_chart")

st.subheader(t("mechanisms_regions", lang))
regions = pd.DataFrame(report["regions"])
columns = {"name": text("mech_col_region", lang),
           **{f"placed_{m}": text("mech_col_placed", lang, mechanism=name(m)) for m in MECHANISMS},
           "came_because_of_menu": text("mech_col_came", lang), "left_because_of_menu": text("mech_col_left", lang)}
if "came_because_of_menu" in regions:  # absent when the menu refused the round
    regions = regions.sort_values(["came_because_of_menu", "name"], ascending=[False, True], kind="mergesort")
st.dataframe(regions[[c for c in columns if c in regions]].rename(columns=columns), hide_index=True,
             width="stretch", key="mechanisms_regions")

st.subheader(t("mechanisms_offered", lang))
offered = offered_table(round_, solutions.get("menu"), lang)
if offered.empty:
    st.info(t("mechanisms_offered_none", lang))
else:
    st.dataframe(offered, hide_index=True, width="stretch", key="mechanisms_offered")
    downloads.button(t("mechanisms_offered_download", lang),
                     lambda: exports.tables_xlsx({text("mech_offered_sheet", lang): offered}),
                     "offered_menu.xlsx", "mechanisms_offered_download", downloads.XLSX_MIME)
