"""Streamlit glue shared by the entrypoint and the pages: session state,
language, cached loading, the edit-preserving data editors, the comparison tables.

Session state (``st.session_state``):

* ``lang`` -- "ru" | "en" (the sidebar switch);
* ``loaded`` -- :class:`ui.state.LoadedRound` being edited and run;
* ``views`` -- the editable views (table -> DataFrame) with the planner's edits;
* ``editor_base`` / ``editor_epoch`` -- what the data editors were mounted with;
* ``upload_problems`` -- problems of the last rejected upload (file name, list);
* ``runs`` -- scenario name -> :class:`ui.state.RunRecord`, in run order.
"""

from __future__ import annotations

import streamlit as st

from . import state, views
from .i18n import DEFAULT_LANGUAGE, LANGUAGES, t

LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}

# Widget keys whose values survive switching pages (Streamlit drops the state
# of widgets a run does not draw; re-assigning keeps it).
PERSISTENT_KEYS = ("opt_name", "opt_solver", "opt_time", "opt_maxkm", "opt_unlimited", "opt_dr",
                   "show_scenario", "compare_pick", "chart_weighted", "map_lines",
                   "net_source", "net_threshold", "net_k", "net_objective")


def init_session() -> None:
    """Set the session defaults (language, runs, editors), keep the persistent widget values and
    load the bundled round on the first visit."""
    ss = st.session_state
    ss.setdefault("lang", DEFAULT_LANGUAGE)
    ss.setdefault("runs", {})
    ss.setdefault("editor_epoch", 0)
    ss.setdefault("upload_problems", None)
    for key in PERSISTENT_KEYS:
        if key in ss:
            ss[key] = ss[key]
    if "loaded" not in ss:
        set_loaded(bundled())


def lang() -> str:
    """The session's language code ("ru" or "en")."""
    return st.session_state.get("lang", DEFAULT_LANGUAGE)


def language_switch() -> str:
    """Draw the sidebar language switch; returns the language chosen."""
    st.sidebar.radio(t("language", lang()), LANGUAGES, key="lang", horizontal=True,
                     format_func=LANGUAGE_NAMES.get)
    return lang()


@st.cache_resource(show_spinner=False)
def _bundled() -> state.LoadedRound:
    # cache_resource: a Round holds a read-only mapping that cannot be pickled;
    # the object is shared between sessions and never modified (views are copies).
    return state.load_folder(state.BUNDLED_DIR, "penza")


def bundled() -> state.LoadedRound:
    """The bundled Penza round, loaded once per process and shared by the sessions (read only)."""
    return _bundled()


def set_loaded(loaded: state.LoadedRound) -> None:
    """Make ``loaded`` the round being edited; drop edits and run options."""
    ss = st.session_state
    ss["loaded"] = loaded
    ss["views"] = state.editable_views(loaded)
    ss["editor_base"] = {}
    ss["editor_epoch"] = ss.get("editor_epoch", 0) + 1
    for key in ("opt_solver", "opt_time", "opt_maxkm", "opt_unlimited", "opt_dr"):
        ss.pop(key, None)


def round_label(loaded: state.LoadedRound) -> str:
    """The round's name to show: the translated name for the bundled Penza round, else its label."""
    return t("bundled_name", lang()) if loaded.label == "penza" and loaded.folder == state.BUNDLED_DIR \
        else loaded.label


def sidebar_status() -> None:
    """Show in the sidebar which round is loaded and how many regions, facilities, vacancies,
    graduates and programmes it has."""
    loaded = st.session_state["loaded"]
    r = loaded.round
    st.sidebar.caption(t("round_loaded", lang(), name=round_label(loaded)))
    st.sidebar.caption(t("round_counts", lang(), regions=len(r.regions), facilities=len(r.facilities),
                         vacancies=int(r.vacancies["vacancies"].sum()), graduates=len(r.graduates),
                         programmes=len(r.programmes)))


def editor(table: str, column_config: dict, disabled: list[str], **kwargs):
    """A data editor whose edits survive page switches.

    The editor is mounted on ``editor_base[table]``; while it stays on screen
    its own state accumulates the edits. When it is mounted afresh (after
    visiting another page), the edited view becomes its new base.
    """
    ss = st.session_state
    key = f"editor_{table}_{ss['editor_epoch']}"
    if key not in ss or table not in ss["editor_base"]:
        ss["editor_base"][table] = ss["views"][table]
    edited = st.data_editor(ss["editor_base"][table], key=key, column_config=column_config,
                            disabled=disabled, hide_index=True, width="stretch", **kwargs)
    ss["views"][table] = edited
    return edited


def reset_edits() -> None:
    """Drop the planner's edits and run options: the loaded round's tables as loaded."""
    set_loaded(st.session_state["loaded"])


def comparison_tables(records, lang: str, heading=st.subheader) -> None:
    """Per-region deficit changes and changed posts of two or more runs (scenario or stored)."""
    heading(t("compare_regions", lang))
    regions = views.compare_regions(records, lang)
    if regions.empty:
        st.success(t("compare_no_region_diff", lang))
    else:
        st.dataframe(regions, hide_index=True, width="stretch")
    heading(t("compare_changed", lang))
    changed = views.changed_posts(records, lang)
    if changed.empty:
        st.success(t("compare_no_change", lang))
    else:
        st.caption(t("rows_shown", lang, n=len(changed), total=len(records[0].round.graduates)))
        st.dataframe(changed, hide_index=True, width="stretch")
