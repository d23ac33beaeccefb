"""Page: load a round (bundled, upload, template) and edit its inputs."""

import math

import streamlit as st

from allocator import InputError
from allocator.archive import Limits
from allocator.template import template_workbook
from ui import app, downloads, state
from ui.i18n import t
from ui.views import column_labels

lang = app.lang()
ss = st.session_state


@st.cache_data(show_spinner=False)
def _template() -> bytes:
    return template_workbook()


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
    upload = st.file_uploader(t("upload_label", lang), type=["zip", "xlsx"], key="upload_file",
                              max_upload_size=max(1, math.ceil(limits.upload_mb)))
    st.caption(t("upload_limits", lang, upload=f"{limits.upload_mb:g}", unpacked=f"{limits.unpacked_mb:g}",
                 members=limits.members))
    if st.button(t("upload_button", lang), key="upload_button", disabled=upload is None):
        try:
            if limit_problems:
                raise InputError(limit_problems)
            app.set_loaded(state.load_upload(upload.name, upload.getvalue(), limits=limits))
            ss["upload_problems"] = None
            st.success(t("upload_ok", lang, name=upload.name))
        except InputError as exc:  # every bad upload, damaged and unsafe archives included
            ss["upload_problems"] = (upload.name, exc.problems)
with right:
    if st.button(t("use_bundled", lang), key="use_bundled"):
        app.set_loaded(app.bundled())
        ss["upload_problems"] = None
    st.download_button(t("template_download", lang), _template(),
                       file_name="medstaff_template.xlsx", help=t("template_help", lang),
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="template_download")
    downloads.button(t("template_download_ru", lang), lambda: template_workbook(headers="ru"),
                     "medstaff_template_ru.xlsx", "template_download_ru", downloads.XLSX_MIME)

if ss.get("upload_problems"):
    name, problems = ss["upload_problems"]
    st.error(t("upload_failed", lang, name=name, n=len(problems)))
    st.subheader(t("problems_header", lang))
    st.dataframe(state.problems_frame(problems, lang), hide_index=True, width="stretch", key="problems_table")

loaded = ss["loaded"]
st.info(t("round_loaded", lang, name=app.round_label(loaded)))

# ------------------------------------------------------------------- edit
st.header(t("edit_header", lang))
st.caption(t("edit_help", lang))
pending = st.container()  # filled after the editors, so it reflects this run's edits


def config(frame, editable, formats=None):
    """Column configs for a data editor over ``frame`` (headers in the UI language, number
    ``formats`` by column) and the columns not in ``editable``, to disable."""
    formats = formats or {}
    labels = column_labels(frame.columns, lang)
    out = {}
    for col in frame.columns:
        label = labels.get(col, col)
        if col in formats:
            out[col] = st.column_config.NumberColumn(label, format=formats[col])
        else:
            out[col] = st.column_config.Column(label)
    disabled = [c for c in frame.columns if c not in editable]
    return out, disabled


tabs = st.tabs([t("tab_regions", lang), t("tab_vacancies", lang), t("tab_programmes", lang),
                t("tab_graduates", lang)])
with tabs[0]:
    st.caption(t("regions_help", lang))
    if loaded.indicators is None:
        st.caption(t("no_indicators", lang))
    frame = ss["views"]["regions"]
    cfg, disabled = config(frame, state.EDITABLE["regions"],
                           {"provision": "%.1f", "staffing": "%.1f", "provision_mid": "%.1f",
                            "staffing_mid": "%.1f", "komk": "%.1f", "weight": "%.2f"})
    cfg["weight"] = st.column_config.NumberColumn(column_labels(["weight"], lang)["weight"],
                                                  min_value=0.0, step=0.1, format="%.2f")
    app.editor("regions", cfg, disabled, num_rows="fixed")
with tabs[1]:
    frame = ss["views"]["vacancies"]
    cfg, disabled = config(frame, state.EDITABLE["vacancies"])
    cfg["vacancies"] = st.column_config.NumberColumn(column_labels(["vacancies"], lang)["vacancies"],
                                                     min_value=0, step=1, format="%d")
    app.editor("vacancies", cfg, disabled, num_rows="dynamic")
with tabs[2]:
    frame = ss["views"]["programmes"]
    cfg, disabled = config(frame, state.EDITABLE["programmes"])
    for col in ("payment", "budget"):
        cfg[col] = st.column_config.NumberColumn(column_labels([col], lang)[col], min_value=0.0,
                                                 step=10000.0, format="%.0f")
    cfg["quota"] = st.column_config.NumberColumn(column_labels(["quota"], lang)["quota"], min_value=0,
                                                 step=1, format="%d")
    app.editor("programmes", cfg, disabled, num_rows="fixed")
with tabs[3]:
    st.caption(t("graduates_help", lang))
    frame = ss["views"]["graduates"]
    cfg, disabled = config(frame, state.EDITABLE["graduates"])
    cfg["max_km"] = st.column_config.NumberColumn(column_labels(["max_km"], lang)["max_km"], min_value=0.0,
                                                  step=5.0, format="%.0f")
    app.editor("graduates", cfg, disabled, num_rows="fixed")

changed = state.changed_tables(loaded, ss["views"])
if changed:
    with pending:
        names = ", ".join(t(f"tab_{n}", lang) for n in changed)
        st.warning(t("edits_pending", lang, tables=names))
        if st.button(t("reset_edits", lang), key="reset_edits"):
            app.reset_edits()
            st.rerun()
