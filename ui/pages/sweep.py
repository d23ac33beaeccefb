"""Page: a scenario sweep of the loaded round (``allocator sweep`` in the app): set up a grid, run it
with progress, see the trade-off curve, the heat map of deficits by region, the Pareto set, download."""

import time

import streamlit as st

from allocator.sweep.runner import default_workers
from ui import app, i18n, state, sweep_view, views
from ui.i18n import t

lang = app.lang()
ss = st.session_state
st.title(t("sweep_page", lang))
st.caption(t("sweep_intro", lang, limit=sweep_view.MAX_UI_SCENARIOS))

loaded = ss["loaded"]
round_ = loaded.round
programmes = round_.programmes
has_groups = "indicator_weight" in round_.regions and not round_.regions["indicator_weight"].isna().all()

# ----------------------------------------------------------------------------- the grid
st.subheader(t("sweep_grid_header", lang))
c1, c2 = st.columns(2)
solver = c1.selectbox(t("sweep_solver", lang), list(sweep_view.SOLVERS), key="sweep_solver",
                      index=list(sweep_view.SOLVERS).index("flow"))
max_km_text = c2.text_input(t("sweep_max_km", lang), key="sweep_max_km", placeholder="100, 200, 300",
                            help=t("sweep_values_help", lang, own=round_.scenario.max_km))

budgets, quotas = {}, {}
currency = i18n.currency_of(round_)  # the round's money unit (₽, ₸, сом); None: no sign
for pid, name, budget, quota in zip(programmes["programme_id"], programmes["name"], programmes["budget"],
                                    programmes["quota"]):
    with st.expander(t("sweep_programme", lang, name=name, id=pid), expanded=True):
        own = t("sweep_own_budget", lang, budget=i18n.money(budget, lang, currency) or "—")  # in its currency
        on = st.checkbox(t("sweep_vary_budget", lang), key=f"sweep_budget_on_{pid}", help=own)
        b1, b2, b3 = st.columns(3)
        high = float(budget) if budget == budget else 0.0
        low = b1.number_input(t("sweep_budget_min", lang), min_value=0.0, value=0.0, step=1_000_000.0,
                              format="%.0f", key=f"sweep_budget_min_{pid}", disabled=not on)
        top = b2.number_input(t("sweep_budget_max", lang), min_value=0.0, value=high, step=1_000_000.0,
                              format="%.0f", key=f"sweep_budget_max_{pid}", disabled=not on)
        steps = b3.number_input(t("sweep_budget_steps", lang), min_value=1, max_value=50, value=4, step=1,
                                key=f"sweep_budget_steps_{pid}", disabled=not on)
        if on:
            budgets[pid] = sweep_view.budget_range(low, top, steps)
            st.caption(t("sweep_budget_values", lang, values=", ".join(f"{v:,}".replace(",", " ")
                                                                         for v in budgets[pid])))
        quotas[pid] = sweep_view.parse_values(st.text_input(
            t("sweep_quota", lang), key=f"sweep_quota_{pid}", placeholder=f"{quota}",
            help=t("sweep_values_help", lang, own=quota)))

groups = {}
if has_groups:
    cols = st.columns(len(sweep_view.GROUP_LABELS))
    for col, group in zip(cols, sweep_view.GROUP_LABELS):
        groups[group] = sweep_view.parse_values(col.text_input(t("sweep_group", lang, group=group),
                                                               key=f"sweep_group_{group}"))
else:
    st.caption(t("sweep_no_groups", lang))

choices = sweep_view.Choices(solver=solver, max_km=sweep_view.parse_values(max_km_text), budgets=budgets,
                             quotas=quotas, weight_groups=groups)
mapping = sweep_view.grid_mapping(choices)
count = sweep_view.scenario_count(mapping)
specs, problems = sweep_view.check_grid(mapping, round_)
st.metric(t("sweep_count", lang), count, border=True)
if problems:
    st.error(t("sweep_problems", lang, n=len(problems)))
    st.dataframe(state.problems_frame(problems, lang), placeholder="", hide_index=True, width="stretch")

c1, c2, c3 = st.columns([1, 1, 2])
cores = default_workers()
workers = c1.number_input(t("sweep_workers", lang), min_value=1, max_value=max(1, cores), value=min(2, cores),
                          step=1, key="sweep_workers", help=t("sweep_workers_help", lang))
c3.download_button(t("sweep_grid_download", lang), sweep_view.grid_toml(mapping).encode("utf-8"),
                   file_name="sweep.toml", mime="application/toml", key="sweep_grid_toml")
if c2.button(t("sweep_run", lang), key="sweep_run", type="primary", disabled=bool(problems) or not specs):
    bar = st.progress(0.0, text=t("sweep_progress_start", lang, total=len(specs)))

    def _progress(done: int, total: int, elapsed: float) -> None:
        eta = sweep_view.eta_seconds(done, total, elapsed)
        bar.progress(done / total, text=t("sweep_progress", lang, done=done, total=total,
                                          eta=f"{eta:.0f}" if eta is not None else "?"))

    started = time.perf_counter()
    result = sweep_view.run(round_, specs, workers=int(workers), on_done=_progress)
    bar.progress(1.0, text=t("sweep_progress_done", lang, total=len(specs), s=f"{time.perf_counter() - started:.1f}"))
    ss["sweep_result"] = (round_.input_hash(), result)

# ----------------------------------------------------------------------------- results
kept = ss.get("sweep_result")
if kept is None or kept[0] != round_.input_hash():
    st.info(t("sweep_none_yet", lang))
    st.stop()
result = kept[1]
frame = sweep_view.scenarios_frame(result)
keys = sweep_view.varied_keys(result.specs)
failed = int((frame["status"] == "error").sum())
if failed:
    st.warning(t("sweep_failed", lang, n=failed))
names = views.region_names(round_)

st.subheader(t("sweep_curve_header", lang))
numeric = [k for k in keys if frame[k].notna().all() and k not in ("solver",)]
budget_keys = [k for k in numeric if k.endswith(".budget")]
if not numeric:
    st.info(t("sweep_curve_need_key", lang))
else:
    x_key = st.selectbox(t("sweep_curve_x", lang), budget_keys + [k for k in numeric if k not in budget_keys],
                         key="sweep_curve_x")
    st.plotly_chart(sweep_view.trade_off_figure(frame, x_key, keys, lang), width="stretch", key="sweep_curve")

st.subheader(t("sweep_heatmap_header", lang))
st.plotly_chart(sweep_view.heatmap_figure(result.regions, names, lang), width="stretch", key="sweep_heatmap")

st.subheader(t("sweep_pareto_header", lang))
pareto = sweep_view.pareto_table(frame, keys, lang)
on_front = int(pareto[t("sweep_col_pareto", lang)].sum())
st.caption(t("sweep_pareto_caption", lang, n=on_front, total=len(pareto)))
st.dataframe(pareto, placeholder="", hide_index=True, width="stretch", key="sweep_pareto")

st.download_button(t("sweep_download_xlsx", lang), sweep_view.xlsx_bytes(frame, result.regions, lang, names),
                   file_name="scenarios.xlsx", key="sweep_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
