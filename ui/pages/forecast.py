"""Page: need forecast and admissions plan (``allocator forecast`` in the app): choose a plan folder or
upload one, change caps and exit rates, make the three plans, see the deficit by year, the proof, the
admissions, the closing years, download."""

import math
import zlib

import streamlit as st

from allocator import InputError
from allocator.archive import Limits
from allocator.scaling import money_text
from ui import app, downloads, forecast_view, state
from ui.i18n import t

lang = app.lang()
ss = st.session_state
UPLOAD = "/upload"  # the choice of the uploaded plan (the others are folder names, which hold no "/")
st.title(t("forecast_page", lang))
st.caption(t("forecast_intro", lang))

# ----------------------------------------------------------------------------- the plan
st.subheader(t("forecast_source_header", lang))
folders = forecast_view.plan_folders()
sources = {name: forecast_view.Source(name, path=path) for name, path in folders.items()}
uploaded = ss.get("forecast_upload")
if uploaded is not None:
    sources[UPLOAD] = uploaded
left, right = st.columns([2, 3])
with right:
    try:
        limits, limit_problems = Limits.from_env(), None
    except InputError as exc:
        limits, limit_problems = Limits(), exc.problems
    upload = st.file_uploader(t("forecast_upload_label", lang), type=["zip", "xlsx"], key="forecast_upload_file",
                              max_upload_size=max(1, math.ceil(limits.upload_mb)))
    st.caption(t("upload_limits", lang, upload=f"{limits.upload_mb:g}", unpacked=f"{limits.unpacked_mb:g}",
                 members=limits.members))
    if st.button(t("forecast_upload_button", lang), key="forecast_upload_button", disabled=upload is None):
        source = forecast_view.Source(upload.name, name=upload.name, data=upload.getvalue())
        try:
            if limit_problems:
                raise InputError(limit_problems)
            forecast_view.load_source(source, limits=limits)
        except InputError as exc:
            ss["forecast_load_problems"] = (upload.name, exc.problems)
        else:
            ss["forecast_upload"] = source
            ss["forecast_load_problems"] = None
            sources[UPLOAD] = source
            ss["forecast_source"] = UPLOAD
            st.success(t("forecast_upload_ok", lang, name=upload.name))
with left:
    if not sources:
        st.info(t("forecast_no_plans", lang))
    if ss.get("forecast_source") not in sources:
        ss.pop("forecast_source", None)
    choice = st.selectbox(t("forecast_source", lang), list(sources), key="forecast_source",
                          format_func=lambda k: t("forecast_uploaded", lang, name=sources[k].name) if k == UPLOAD
                          else k) if sources else None

if ss.get("forecast_load_problems"):
    name, problems = ss["forecast_load_problems"]
    st.error(t("forecast_load_failed", lang, name=name, n=len(problems)))
    st.dataframe(state.problems_frame(problems, lang), placeholder="", hide_index=True, width="stretch",
                 key="forecast_problems")
if choice is None:
    st.stop()
source = sources[choice]


def _load(horizon=None):
    """The chosen plan with ``horizon``; its problems shown (every one, in the page's language) and the
    page stopped when it does not load. An upload is read once per horizon (kept in the session); a
    folder is read again on every run, so edits to its files show."""
    memo = ss.setdefault("forecast_read", {})
    key = (source.key, horizon)
    if source.path is not None or key not in memo:
        try:
            got = forecast_view.load_source(source, horizon=horizon, limits=limits)
        except InputError as exc:
            got = exc
        if source.path is None:
            if len(memo) >= 4:
                memo.clear()
            memo[key] = got
    else:
        got = memo[key]
    if isinstance(got, InputError):
        st.error(t("forecast_load_failed", lang, name=source.label, n=len(got.problems)))
        st.dataframe(state.problems_frame(got.problems, lang), placeholder="", hide_index=True, width="stretch",
                     key="forecast_plan_problems")
        st.stop()
    return got


own = _load()
for warning in own.warnings:  # the plan loads; these are worth a look (a hidden sheet used, rows not used)
    st.warning(warning.line(lang))
own_knobs = forecast_view.knobs(own)

# ----------------------------------------------------------------------------- what if
st.subheader(t("forecast_whatif_header", lang))
st.caption(t("forecast_whatif_help", lang))
tag = zlib.crc32(source.key.encode("utf-8"))  # widgets start from each plan's own values
c1, c2 = st.columns(2)
horizon = int(c1.number_input(t("forecast_horizon", lang), min_value=1, max_value=100, step=1,
                              value=int(own.options.horizon), key=f"forecast_horizon_{tag}"))
time_limit = float(c2.number_input(t("forecast_time_limit", lang), min_value=1.0, max_value=3600.0, step=5.0,
                                   value=forecast_view.DEFAULT_TIME_LIMIT, key="forecast_time_limit",
                                   help=t("forecast_time_limit_help", lang)))
caps, exit_rates = {}, {}
for i, row in own_knobs.iterrows():
    spec = row["specialty"]
    c1, c2 = st.columns(2)
    own_cap = None if math.isnan(row["max_admissions"]) else int(row["max_admissions"])
    word = forecast_view.specialty_name(spec, lang)
    caps[spec] = c1.number_input(t("forecast_cap", lang, specialty=word), min_value=0, step=1, value=own_cap,
                                 key=f"forecast_cap_{tag}_{i}")
    # a step of four decimals: a coarser one would round a rate such as 0.1006 on the first click
    exit_rates[spec] = c2.number_input(t("forecast_exit_rate", lang, specialty=word), min_value=0.0,
                                       max_value=1.0, step=0.0005, format="%.4f", value=float(row["exit_rate"]),
                                       key=f"forecast_exit_{tag}_{i}")
changed = forecast_view.changes(own, horizon, caps, exit_rates, lang)
if changed:
    st.caption(t("forecast_changed", lang, what=", ".join(changed)))

settings = (source.key, horizon, time_limit, tuple(sorted(caps.items())), tuple(sorted(exit_rates.items())))
if st.button(t("forecast_run", lang), key="forecast_run", type="primary"):
    plan = own if horizon == own.options.horizon else _load(horizon)
    with st.spinner(t("forecast_running", lang, s=f"{time_limit:g}")):
        results = forecast_view.run_all(forecast_view.what_if(plan, caps, exit_rates), time_limit)
    ss["forecast_result"] = (settings, results)

# ----------------------------------------------------------------------------- results
kept = ss.get("forecast_result")
if kept is None or kept[0][0] != source.key:
    st.info(t("forecast_none_yet", lang))
    st.stop()
if kept[0] != settings:
    st.warning(t("forecast_stale", lang))
results = kept[1]
plan = results["optimal"].plan
names = forecast_view.region_names(plan)
opts = plan.options
st.caption(t("forecast_loaded", lang, name=plan.name, regions=len(plan.regions),
             specialties=len(plan.training), base=opts.base_year, horizon=opts.horizon,
             last=opts.base_year + opts.horizon))

st.subheader(t("forecast_headline_header", lang))
cols = st.columns(len(results))
for col, (rule, r) in zip(cols, results.items()):
    col.metric(t("forecast_metric_deficit", lang, plan=forecast_view.plan_name(rule, lang)),
               forecast_view.number(r.weighted_deficit, lang), border=True)
    col.caption(t("forecast_metric_cost", lang, cost=money_text(r.cost, lang, r.plan.options.currency)))
st.dataframe(forecast_view.headline_table(results, lang), placeholder="", hide_index=True, width="stretch",
             key="forecast_headline")

st.subheader(t("forecast_proof_header", lang))
optimal = results["optimal"]
proof = forecast_view.proof_table(optimal, lang)
if proof.empty:
    st.info(t("forecast_proof_none", lang))
else:
    from ui.i18n import status as status_text

    st.caption(t("forecast_proof_caption", lang, status=status_text(str(optimal.status), lang)))
    st.dataframe(proof, placeholder="", hide_index=True, width="stretch", key="forecast_proof")

st.subheader(t("forecast_chart_header", lang))
cells = optimal.closes()[["region_id", "specialty"]]
c1, c2 = st.columns(2)
regions = list(dict.fromkeys(cells["region_id"]))
region = c1.selectbox(t("forecast_region", lang), regions, key="forecast_chart_region",
                      format_func=lambda r: names.get(r, r))
specialties = list(cells.loc[cells["region_id"] == region, "specialty"])
specialty = c2.selectbox(t("forecast_specialty", lang), specialties, key="forecast_chart_specialty",
                         format_func=lambda s: forecast_view.specialty_name(s, lang))
st.plotly_chart(forecast_view.deficit_figure(results, region, specialty, lang, names), width="stretch",
                key="forecast_chart")

st.subheader(t("forecast_closes_header", lang))
closed = int(optimal.closes()["closes"].notna().sum())
st.caption(t("forecast_closes_caption", lang, n=closed, total=len(cells)))
st.dataframe(forecast_view.closes_table(results, lang, names), placeholder="", hide_index=True, width="stretch",
             key="forecast_closes")

st.subheader(t("forecast_admissions_header", lang))
st.caption(t("forecast_admissions_caption", lang))
st.dataframe(forecast_view.admissions_table(optimal, lang, names), placeholder="", hide_index=True, width="stretch",
             key="forecast_admissions")
c1, c2 = st.columns(2)
downloads.csv_buttons(t("forecast_download_csv", lang), lambda: forecast_view.admissions_wide(optimal),
                      "admissions.csv", "forecast_csv", lang, c1)
c2.download_button(t("forecast_download_xlsx", lang), forecast_view.projection_xlsx(results, lang),
                   file_name="forecast.xlsx", key="forecast_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
