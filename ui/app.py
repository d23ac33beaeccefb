"""Streamlit glue shared by the entrypoint and the pages: session state,
language, cached loading, the edit-preserving data editors, the comparison tables.

Session state (``st.session_state``):

* ``lang`` -- "ru" | "en" (the sidebar switch);
* ``loaded`` -- :class:`ui.state.LoadedRound` being edited and run;
* ``views`` -- the editable views (table -> DataFrame) with the planner's edits;
* ``editor_base`` / ``editor_epoch`` -- what the data editors were mounted with;
* ``upload_problems`` -- problems of the last rejected upload (file name, list);
* ``runs`` -- scenario name -> :class:`ui.state.RunRecord`, in run order;
* ``session_id`` -- the session's id, also in the page's URL (``?session=...``): a reload
  (a new Streamlit session with that URL) reopens the round and the scenarios the run store
  keeps for it (:func:`sync_session`, ``ui.stored.restore_session``);
* ``loaded_token`` -- changes whenever another round is loaded (what :func:`sync_session` kept).
"""

from __future__ import annotations

import logging
import re
import uuid

import streamlit as st

from . import state, stored, views
from .i18n import DEFAULT_LANGUAGE, LANGUAGES, count, t

LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}
SESSION_PARAM = "session"  # the URL query parameter that names the session
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
log = logging.getLogger(__name__)

# Widget keys whose values survive switching pages (Streamlit drops the state
# of widgets a run does not draw; re-assigning keeps it).
PERSISTENT_KEYS = ("opt_name", "opt_solver", "opt_time", "opt_maxkm", "opt_unlimited", "opt_dr",
                   "show_scenario", "compare_round", "compare_pick", "chart_weighted", "map_lines", "map_basemap",
                   "net_source", "net_threshold", "net_k", "net_objective")


def init_session() -> None:
    """Set the session defaults (language, runs, editors), keep the persistent widget values and
    load the round: on the first visit the one the run store keeps for the URL's session id
    (a reload), else the bundled round. Then keep in the store what changed (:func:`sync_session`)."""
    ss = st.session_state
    fresh = "session_id" not in ss
    given = st.query_params.get(SESSION_PARAM)
    if fresh:
        ss["session_id"] = given if given and _SESSION_ID.fullmatch(given) else uuid.uuid4().hex
    if given != ss["session_id"]:
        st.query_params[SESSION_PARAM] = ss["session_id"]  # a page switch drops it from the URL
    ss.setdefault("lang", DEFAULT_LANGUAGE)
    ss.setdefault("runs", {})
    ss.setdefault("editor_epoch", 0)
    ss.setdefault("upload_problems", None)
    for key in PERSISTENT_KEYS:
        if key in ss:
            ss[key] = ss[key]
    if "loaded" not in ss:
        restored = _restore(ss["session_id"]) if fresh and given == ss["session_id"] else None
        if restored is None:
            set_loaded(bundled())
        else:
            set_loaded(restored[0])
            ss["runs"] = restored[1]
            ss["_kept"] = {"round": ss["loaded_token"], "runs": _runs_to_keep()}  # as the store has them
    sync_session()


def _restore(session: str):
    """The round and scenarios the store keeps for ``session``, or None (none kept, or no store)."""
    try:
        return stored.restore_session(session, lang(), bundled)
    except Exception as exc:  # noqa: BLE001 - no store: a fresh session, said in the log
        log.warning("session not restored: %s", type(exc).__name__)
        return None


def _runs_to_keep() -> list[tuple[str, int]]:
    return [(name, rec.store_id) for name, rec in st.session_state["runs"].items() if rec.store_id is not None]


def sync_session() -> None:
    """Keep in the run store what a reload needs: the loaded round (only a marker for the
    bundled one) and the session's scenarios, each a stored run. Written only when they changed
    and only once there is something to keep (a scenario, or a round that is not the bundled one);
    a store that fails is logged and tried again only after the next change."""
    ss = st.session_state
    kept = ss.setdefault("_kept", {"round": None, "runs": []})
    runs = _runs_to_keep()
    is_bundled = ss["loaded"] is bundled()
    if kept["round"] is None and not runs and is_bundled:
        return
    try:
        if kept["round"] != ss["loaded_token"]:
            kept.update(round=ss["loaded_token"], runs=[])
            stored.save_session_round(ss["session_id"], ss["loaded"], is_bundled)
        if kept["runs"] != runs:
            kept["runs"] = runs
            stored.save_session_runs(ss["session_id"], runs)
    except Exception as exc:  # noqa: BLE001 - no store: the session still works, a reload loses it
        log.warning("session not kept in the run store: %s", type(exc).__name__)


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
    ss["loaded_token"] = uuid.uuid4().hex
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
    counts = {"region": len(r.regions), "facility": len(r.facilities), "vacancy": int(r.vacancies["vacancies"].sum()),
              "graduate": len(r.graduates), "programme": len(r.programmes)}
    st.sidebar.caption(", ".join(count(n, noun, lang()) for noun, n in counts.items()))  # CLDR plurals


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
    """Per-region deficit changes and changed posts of two or more runs (scenario or stored) of
    one round; for runs of different rounds an error naming each run's round instead."""
    try:
        views.check_one_round(records, lang)
    except views.MixedRounds as exc:
        st.error(str(exc))
        return
    heading(t("compare_regions", lang))
    regions = views.compare_regions(records, lang)
    if regions.empty:
        st.success(t("compare_no_region_diff", lang))
    else:
        st.dataframe(regions, placeholder="", hide_index=True, width="stretch")
    heading(t("compare_changed", lang))
    changed = views.changed_posts(records, lang)
    if changed.empty:
        st.success(t("compare_no_change", lang))
    else:
        st.caption(t("rows_shown", lang, n=len(changed), total=len(records[0].round.graduates)))
        st.dataframe(changed, placeholder="", hide_index=True, width="stretch")
