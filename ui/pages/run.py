"""Page: scenario options, the run button, progress, solver log and results."""

import tempfile
import threading
import time
from pathlib import Path

import streamlit as st

from allocator import InputError, solve
from allocator.problem import SOLVERS
from ui import app, downloads, exports, i18n, maps, run_view, state, stored, views
from ui.i18n import t


@st.cache_resource(show_spinner=False)
def _warm_up() -> threading.Thread:
    """Once per process, in the background: the imports and the store the first run needs."""
    thread = threading.Thread(target=run_view.warm_up, name="medstaff-run-warm-up", daemon=True)
    thread.start()
    return thread


_warm_up()
lang = app.lang()
ss = st.session_state
loaded = ss["loaded"]
runs: dict = ss["runs"]
st.title(t("page_run", lang))

# ----------------------------------------------------------------- options
base = loaded.round.scenario
if ss.pop("_reset_name", False) or "opt_name" not in ss:
    ss["opt_name"] = t("scenario_default_name", lang, n=len(runs) + 1)
ss.setdefault("opt_solver", base.solver)
ss.setdefault("opt_time", float(base.time_limit or 60))
ss.setdefault("opt_unlimited", base.max_km is None)
ss.setdefault("opt_maxkm", float(base.max_km or 200))
ss.setdefault("opt_dr", bool(base.diminishing_returns))

st.subheader(t("scenario_header", lang))
c1, c2, c3 = st.columns(3)
with c1:
    st.text_input(t("scenario_name", lang), key="opt_name")
    st.selectbox(t("solver", lang), SOLVERS, key="opt_solver")
with c2:
    st.number_input(t("time_limit", lang), min_value=1.0, max_value=3600.0, step=10.0, key="opt_time")
    st.checkbox(t("diminishing_returns", lang), key="opt_dr")
with c3:
    st.number_input(t("max_km", lang), min_value=0.0, max_value=5000.0, step=10.0, key="opt_maxkm",
                    disabled=ss["opt_unlimited"])
    st.checkbox(t("max_km_unlimited", lang), key="opt_unlimited")

TABLE_NAMES = {"regions": "tab_regions", "vacancies": "tab_vacancies", "programmes": "tab_programmes",
               "graduates": "tab_graduates"}
# What the views are compared with: the last run's inputs (``_run_inputs``) when it ran on the round
# loaded now, else the round as loaded (``_loaded_inputs``, taken once per loaded round).
before = ss.get("_run_inputs")
first = before is None or before["loaded"] is not loaded
if first:
    before = ss.get("_loaded_inputs")
    if before is None or before["loaded"] is not loaded:
        before = ss["_loaded_inputs"] = {"loaded": loaded,
                                         "views": run_view.snapshot(state.editable_views(loaded))}
if pending := state.differing_tables(ss["views"], before["views"]):
    tables = ", ".join(t(TABLE_NAMES[n], lang) for n in pending)
    st.info(t("run_pending_edits_first" if first else "run_pending_edits", lang, tables=tables))

if st.button(t("run_button", lang), type="primary", key="run_button"):
    options = {"solver": ss["opt_solver"], "time_limit": float(ss["opt_time"]),
               "max_km": None if ss["opt_unlimited"] else float(ss["opt_maxkm"]),
               "diminishing_returns": bool(ss["opt_dr"])}
    _warm_up().join()  # the imports of the first run, begun when the page was opened
    try:
        round_ = state.build_round(loaded, ss["views"], options)
    except InputError as exc:
        st.error(t("run_invalid", lang))
        st.dataframe(state.problems_frame(exc.problems, lang), placeholder="", hide_index=True, width="stretch")
        st.stop()
    ss["_run_inputs"] = {"loaded": loaded, "views": run_view.snapshot(ss["views"])}
    bar = st.progress(0.0, text=t("running", lang))

    def progress(event):  # an allocator.status.Progress, in the UI's language
        """Move the progress bar to the event's fraction, with its stage in the UI's language."""
        bar.progress(min(max(float(event.fraction), 0.0), 1.0), text=i18n.progress_text(event, lang))

    with tempfile.TemporaryDirectory(prefix="medstaff-log-") as tmp:
        log_path = Path(tmp) / "solver.log"
        started = time.perf_counter()
        try:
            solution = solve(round_, log_path=log_path, progress=progress)
        except Exception as exc:  # a solver failure is shown, not raised into the page
            stored.record_failed(round_, exc, round_hash=loaded.round_hash)  # and kept in the run store as failed
            st.error(t("run_failed", lang, error=exc))
            st.stop()
        log_text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    bar.progress(1.0, text=t("progress_done", lang))
    name = ss["opt_name"].strip() or t("scenario_default_name", lang, n=len(runs) + 1)
    runs.pop(name, None)  # a re-run under the same name replaces it (and moves it last)
    store_id = stored.record(round_, solution, round_hash=loaded.round_hash)  # kept in the run store too
    runs[name] = state.RunRecord(name=name, round=round_, solution=solution, log_text=log_text,
                                 options=options, edited_weights=dict(round_.scenario.weights),
                                 store_id=store_id, round_hash=loaded.round_hash)
    ss["show_scenario"] = name
    ss["_reset_name"] = True
    ss["_flash"] = t("run_done", lang, name=name, seconds=time.perf_counter() - started,
                     status=i18n.status(solution.status, lang)) + " " + (
        t("run_stored", lang, id=store_id) if store_id is not None else t("run_not_stored", lang))
    st.rerun()

if msg := ss.pop("_flash", None):
    st.success(msg)

# ----------------------------------------------------------------- results
if not runs:
    st.info(t("no_results", lang))
    st.stop()

names = list(runs)
current = {n for n in names if runs[n].round_hash == loaded.round_hash}  # of the round loaded now
if ss.get("show_scenario") not in names:  # by default the latest scenario of the round loaded now
    ss["show_scenario"] = ([n for n in names if n in current] or names)[-1]
st.selectbox(t("show_scenario", lang), names, key="show_scenario",
             format_func=lambda n: n if n in current else t("scenario_other_round", lang, name=n))
record = runs[ss["show_scenario"]]
round_, solution = record.round, record.solution
s = solution  # the typed figures (allocator.solution.Solution)

st.header(t("results_header", lang, name=record.name))
if record.name not in current:
    st.warning(t("run_other_round", lang, name=round_.name, loaded=app.round_label(loaded)))
st.caption(f"{t('status', lang)}: {i18n.status(s.status, lang)} · {i18n.solver(s.solver, lang)} · "
           f"{i18n.seconds(s.timings.get('total', 0), lang)}")
for warning in s.warnings:  # what the run went on despite (allocator.solution.run_warnings)
    st.warning(warning.text(lang))
m = st.columns(4)
m[0].metric(f"{t('m_obligated_placed', lang)} ({t('m_of_total', lang, n=s.obligated_total)})",
            s.obligated_placed, border=True)
m[1].metric(t("m_deficit_before", lang), i18n.number(s.weighted_deficit_before, lang, 1), border=True)
m[2].metric(t("m_deficit_after", lang), i18n.number(s.weighted_deficit, lang, 1),
            delta=i18n.number(s.weighted_deficit - s.weighted_deficit_before, lang, 1),
            delta_color="inverse", border=True)
m[3].metric(f"{t('m_placed_total', lang)} ({t('m_of_total', lang, n=s.graduates_total)})",
            s.placed_total, border=True)

st.subheader(t("programmes_used", lang))
currency = i18n.currency_of(s)  # the round's money unit (₽, ₸, сом), None: no sign as before
for prog in s.programmes:
    p1, p2 = st.columns(2)
    quota = "—" if prog.quota is None else prog.quota
    budget = "—" if prog.budget is None else i18n.money(prog.budget, lang, currency)
    p1.metric(t("m_programme_places", lang, name=prog.name), prog.placed, border=True,
              delta=t("m_of_quota", lang, n=quota), delta_color="off", delta_arrow="off")
    p2.metric(t("m_programme_money", lang, name=prog.name), i18n.money(prog.spend, lang, currency),
              border=True, delta=t("m_of_budget", lang, n=budget), delta_color="off", delta_arrow="off")

st.subheader(t("unplaced_reasons", lang))
reasons = views.unplaced_reasons_table(solution, lang)
if reasons.empty:
    st.success(t("all_placed", lang))
else:
    st.dataframe(views.localise(reasons, lang), placeholder="", hide_index=True, width="stretch")

with st.expander(t("solver_log", lang)):
    st.code(record.log_text or t("log_empty", lang), language=None)

st.subheader(t("map_header", lang))
st.caption(t("map_help", lang))
ss.setdefault("map_lines", True)
ss.setdefault("map_basemap", True)
t1, t2 = st.columns(2)
lines = t1.toggle(t("map_lines", lang), key="map_lines")
basemap = t2.toggle(t("map_basemap", lang), key="map_basemap", help=t("map_basemap_help", lang))
st.pydeck_chart(views.map_deck(round_, solution, lang, lines=lines, basemap=basemap), height=maps.MAP_HEIGHT)

st.subheader(t("chart_header", lang))
ss.setdefault("chart_weighted", False)
weighted = st.toggle(t("chart_weighted", lang), key="chart_weighted")
st.plotly_chart(views.before_after_chart(round_, solution, lang, weighted=weighted), width="stretch")

# ------------------------------------------------------------ tables
tab_a, tab_u, tab_d = st.tabs([t("assignments_header", lang), t("unplaced_header", lang),
                               t("deficits_header", lang)])
with tab_a:
    table = views.assignments_table(round_, solution, lang)
    names_by_id = views.region_names(round_)
    f1, f2, f3, f4 = st.columns(4)
    regions_pick = f1.multiselect(t("filter_region", lang), sorted(table["_region_id"].unique()),
                                  format_func=lambda r: names_by_id.get(r, r), key="flt_region")
    spec_pick = f2.multiselect(t("filter_specialty", lang), sorted(table["specialty"].unique()),
                               format_func=lambda s: i18n.specialty(s, lang), key="flt_specialty")
    fund_pick = f3.multiselect(t("filter_funding", lang), ["grant", "targeted", "paid"],
                               format_func=lambda s: i18n.funding(s, lang), key="flt_funding")
    prog_ids = sorted(table["_programme_id"].dropna().unique()) + ["-"]
    prog_pick = f4.multiselect(t("filter_programme", lang), prog_ids,
                               format_func=lambda p: t("no_programme", lang) if p == "-" else p,
                               key="flt_programme")
    shown = table
    if regions_pick:
        shown = shown[shown["_region_id"].isin(regions_pick)]
    if spec_pick:
        shown = shown[shown["specialty"].isin(spec_pick)]
    if fund_pick:
        shown = shown[shown["funding"].isin(fund_pick)]
    if prog_pick:
        shown = shown[shown["_programme_id"].fillna("-").isin(prog_pick)]
    st.caption(t("rows_shown", lang, n=len(shown), total=len(table)))
    display = views.display_assignments(shown, lang)
    st.dataframe(display, placeholder="", hide_index=True, width="stretch", key="assignments_table")
with tab_u:
    st.dataframe(views.unplaced_table(round_, solution, lang), placeholder="", hide_index=True, width="stretch")
with tab_d:
    st.dataframe(views.deficits_table(round_, solution, lang), placeholder="", hide_index=True, width="stretch")

# ---------------------------------------------------------- downloads
# Every file is built when its button is clicked (and kept on the record), not on each rerun.
st.subheader(t("downloads_header", lang))
d1, d2, d3 = st.columns(3)
slug = exports.file_slug(record.name)
downloads.csv_buttons(t("download_csv", lang), lambda shown=display: shown, f"assignments_{slug}.csv", "dl_csv",
                      lang, d1)
downloads.button(t("download_xlsx", lang),
                 lambda r=record, lg=lang: r.download("xlsx", lg, lambda: exports.result_workbook(r, lg)),
                 f"allocation_{slug}.xlsx", "dl_xlsx", downloads.XLSX_MIME, d2)
downloads.button(t("download_zip", lang),
                 lambda r=record: r.download("zip", "", lambda: exports.solution_zip(r.solution, r.round)),
                 f"result_{slug}.zip", "dl_zip", "application/zip", d3)
