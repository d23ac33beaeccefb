"""Page: load a round (bundled, upload, template) and edit its inputs."""

import math

import pandas as pd
import streamlit as st

from allocator import InputError
from allocator.archive import Limits
from allocator.output import benefits_text
from allocator.scaling import money_decimals
from allocator.template import template_workbook
from ui import app, downloads, i18n, state
from ui.i18n import count, t
from ui.views import column_labels, weight_caveats

lang = app.lang()
ss = st.session_state


@st.cache_data(show_spinner=False)
def _template() -> bytes:
    return template_workbook()


def edit_problems(loaded, views) -> list:
    """The problems :func:`ui.state.build_round` finds in the edited views (none: they pass),
    checked once per content of the editable columns, not on every rerun."""
    sig = tuple(int(pd.util.hash_pandas_object(views[n][state.EDITABLE[n]], index=False).sum())
                for n in state.EDITABLE) + (id(loaded),)
    if ss.get("edit_check", (None,))[0] != sig:
        try:
            state.build_round(loaded, views, state.options_of(loaded.round))
            found = []
        except InputError as exc:
            found = exc.problems
        ss["edit_check"] = (sig, found)
    return ss["edit_check"][1]


def edit_problems_frame(problems) -> pd.DataFrame:
    """Problems of the edits as the grids show them: the tab's name and the grid's row (1 = first)."""
    frame = state.problems_frame(problems, lang)
    file, row = t("col_file", lang), t("col_row", lang)
    tabs_by_table = {n: t(f"tab_{n}", lang) for n in state.EDITABLE}
    in_grid = frame[file].isin(list(tabs_by_table))
    frame.loc[in_grid, row] = frame.loc[in_grid, row] - 1  # the validator counts the header as row 1
    frame[file] = frame[file].map(lambda f: tabs_by_table.get(f, f))
    return frame


def blank_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with missing cells as empty text, for st.table (which has no placeholder)."""
    return frame.astype(object).where(frame.notna(), "")


st.title(t("app_title", lang))

# ------------------------------------------------------------------ source
st.header(t("source_header", lang))
left, right = st.columns([3, 2])
with left:
    try:
        limits, limit_problems = Limits.from_env(), None
    except InputError as exc:  # a bad ALLOCATOR_MAX_* setting: shown as problems, defaults apply
        limits, limit_problems = Limits(), exc.problems
    # The browser refuses a larger file before it is sent; load_upload checks again.
    # Another file chosen (or the file removed): the last upload's problems no longer apply.
    upload = st.file_uploader(t("upload_label", lang), type=["zip", "xlsx"], key="upload_file",
                              max_upload_size=max(1, math.ceil(limits.upload_mb)),
                              on_change=lambda: ss.update(upload_problems=None), help=t("upload_help", lang))
    st.caption(t("upload_limits", lang, upload=f"{limits.upload_mb:g}", unpacked=f"{limits.unpacked_mb:g}",
                 members=limits.members))
    if st.button(t("upload_button", lang), key="upload_button", disabled=upload is None):
        try:
            if limit_problems:
                raise InputError(limit_problems)
            app.set_loaded(state.load_upload(upload.name, upload.getvalue(), limits=limits))
            ss["upload_problems"] = None
            ss["upload_done"] = upload.name
            st.rerun()  # the sidebar, drawn before this page, names the new round at once
        except InputError as exc:  # every bad upload, damaged and unsafe archives included
            ss["upload_problems"] = (upload.name, exc.problems)
    if ss.get("upload_done"):
        st.success(t("upload_ok", lang, name=ss.pop("upload_done")))
with right:
    if st.button(t("use_bundled", lang), key="use_bundled"):
        app.set_loaded(app.bundled())
        ss["upload_problems"] = None
        st.rerun()
    st.download_button(t("template_download", lang), _template(),
                       file_name="medstaff_template.xlsx", help=t("template_help", lang),
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="template_download")
    downloads.button(t("template_download_ru", lang), lambda: template_workbook(headers="ru"),
                     "medstaff_template_ru.xlsx", "template_download_ru", downloads.XLSX_MIME)

if ss.get("upload_problems"):
    name, problems = ss["upload_problems"]
    st.error(t("upload_failed", lang, name=name, problems=count(len(problems), "problem", lang)))
    st.subheader(t("problems_header", lang))
    # st.table wraps long messages and shows each received value in full
    st.table(blank_missing(state.problems_frame(problems, lang)), hide_index=True)

loaded = ss["loaded"]
st.info(t("round_loaded", lang, name=app.round_label(loaded)))

next_step = st.container()  # filled after the editors: whether the edits pass the checks

# ------------------------------------------------------------------- edit
st.header(t("edit_header", lang))
st.caption(t("edit_help", lang))
pending = st.container()  # filled after the editors, so it reflects this run's edits

r = loaded.round
region_name = dict(zip(r.regions["region_id"], r.regions["name"]))
NUMBER = "localized" if lang == "ru" else None  # decimal comma in a Russian browser; printf has none


def number_column(col, printf, currency=None, **kwargs):
    """A number column headed in the UI language (a money column's header with the round's
    ``currency``: "Выплата, ₸"); no lower bound here, so a typed -1 stays -1 and
    the validator refuses it visibly (a bound in the grid would drop the sign silently)."""
    return st.column_config.NumberColumn(column_labels([col], lang, currency).get(col, col), format=NUMBER or printf,
                                         **kwargs)


def words(col, values, word, **kwargs):
    """A column of codes shown as words (``word(code)``); the data stays the code, so the
    validator reads what it always reads."""
    options = sorted({v for v in values if isinstance(v, str) and v})
    return st.column_config.SelectboxColumn(column_labels([col], lang).get(col, col), options=options,
                                            format_func=word, **kwargs)


def config(frame, editable, formats=None):
    """Column configs for a data editor over ``frame`` (headers in the UI language, number
    ``formats`` by column, region ids as names) and the columns not in ``editable``, to disable."""
    formats = formats or {}
    labels = column_labels(frame.columns, lang)
    out = {}
    for col in frame.columns:
        label = labels.get(col, col)
        if col in formats:
            out[col] = number_column(col, formats[col])
        elif col in ("region_id", "home_region_id", "sponsor_region_id") and col not in editable \
                and "name" not in frame.columns:  # the regions table has its names beside the ids
            out[col] = words(col, frame[col], lambda v: region_name.get(v, v))
        else:
            out[col] = st.column_config.Column(label)
    disabled = [c for c in frame.columns if c not in editable]
    return out, disabled


def specialties_text(value: str) -> str:
    """A ';'-list of specialty codes as words."""
    return "; ".join(i18n.specialty(v, lang) for v in str(value).split(";") if v)


known_specialties = set(r.vacancies["specialty"]) | set(r.graduates["specialty"]) | {
    k.removeprefix("spec_") for k in i18n.TEXT if k.startswith("spec_")}
tabs = st.tabs([t("tab_regions", lang), t("tab_vacancies", lang), t("tab_programmes", lang),
                t("tab_graduates", lang)])
with tabs[0]:
    st.caption(t("regions_help", lang))
    if loaded.indicators is None:
        st.caption(t("no_indicators", lang))
    frame = ss["views"]["regions"]
    cfg, disabled = config(frame, state.EDITABLE["regions"],
                           {"population": "%d", "provision": "%.1f", "staffing": "%.1f", "provision_mid": "%.1f",
                            "staffing_mid": "%.1f", "komk": "%.1f", "weight": "%.2f"})
    cfg["weight"] = number_column("weight", "%.2f", step=0.1)
    cfg["weight_basis"] = words("weight_basis", frame["weight_basis"], lambda v: i18n.weight_basis(v, lang))
    app.editor("regions", cfg, disabled, num_rows="fixed", placeholder="")
    caveats = weight_caveats(r, lang)  # what the weight rests on, shown beside the weights
    weights = dict(zip(r.regions["region_id"], r.regions["weight"]))
    for rid, caveat in caveats.items():
        st.warning(t("weight_caveat_note", lang, region=region_name.get(rid, rid),
                     weight=i18n.number(weights.get(rid), lang), caveat=caveat))
with tabs[1]:
    frame = ss["views"]["vacancies"]
    cfg, disabled = config(frame, state.EDITABLE["vacancies"])
    cfg["facility_id"] = words("facility_id", r.facilities["facility_id"], str, required=True)
    cfg["specialty"] = words("specialty", known_specialties, lambda v: i18n.specialty(v, lang), required=True)
    cfg["vacancies"] = number_column("vacancies", "%d", step=1, required=True)
    app.editor("vacancies", cfg, disabled, num_rows="dynamic", placeholder="")
with tabs[2]:
    frame = ss["views"]["programmes"]
    cfg, disabled = config(frame, state.EDITABLE["programmes"], {"max_settlement_population": "%d"})
    for col in ("payment", "payment_remote", "budget"):
        if col in frame:  # money in the round's currency (scenario.toml's currency), kopecks kept
            digits = money_decimals(pd.to_numeric(frame[col], errors="coerce").tolist())
            cfg[col] = number_column(col, f"%.{digits}f", i18n.currency_of(r), step=10000.0)
    cfg["quota"] = number_column("quota", "%d", step=1)
    cfg["specialties"] = words("specialties", frame["specialties"], specialties_text)
    app.editor("programmes", cfg, disabled, num_rows="fixed", placeholder="")
    if "benefits" in r.programmes:  # a programme's other benefits (housing loan, salary supplement), as read
        for name, benefits in zip(r.programmes["name"], r.programmes["benefits"]):
            if benefits_text(benefits):
                st.caption(t("programme_benefits_note", lang, name=name, benefits=benefits_text(benefits)))
with tabs[3]:
    st.caption(t("graduates_help", lang))
    frame = ss["views"]["graduates"]
    cfg, disabled = config(frame, state.EDITABLE["graduates"])
    cfg["max_km"] = number_column("max_km", "%.0f", step=5.0)
    cfg["specialty"] = words("specialty", frame["specialty"], lambda v: i18n.specialty(v, lang))
    cfg["funding"] = words("funding", frame["funding"], lambda v: i18n.funding(v, lang))
    app.editor("graduates", cfg, disabled, num_rows="fixed", placeholder="")

changed = state.changed_tables(loaded, ss["views"])
if changed:
    with pending:
        names = ", ".join(t(f"tab_{n}", lang) for n in changed)
        st.warning(t("edits_pending", lang, tables=names))
        if st.button(t("reset_edits", lang), key="reset_edits"):
            app.reset_edits()
            ss["upload_problems"] = None
            st.rerun()
refused = edit_problems(loaded, ss["views"]) if changed else []
with next_step:
    if refused:
        st.error(t("edits_invalid", lang, problems=count(len(refused), "problem", lang)))
        st.table(blank_missing(edit_problems_frame(refused)), hide_index=True)
    else:
        st.success(t("next_step", lang))
        st.page_link("ui/pages/run.py", label=t("next_step_link", lang), icon="▶️")
