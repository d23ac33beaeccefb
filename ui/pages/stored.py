"""Page: runs kept in the run store - list them, reopen one, compare any two."""

import pandas as pd
import streamlit as st

from allocator.store import StoreError
from allocator.store.db import public_url
from allocator.store.diff import diff_runs
from ui import app, stored, views
from ui.i18n import t

lang = app.lang()
ss = st.session_state
st.title(t("page_stored", lang))

try:
    store = stored.store()
    table = stored.runs_table(lang)
except StoreError as exc:
    st.error(t("st_unavailable", lang, error=exc))
    st.stop()
st.caption(t("st_location", lang, url=public_url(store.url)))
if table.empty:
    st.info(t("st_none", lang))
    st.stop()
st.dataframe(table, placeholder="", hide_index=True, width="stretch", key="stored_table")

status_col = t("status", lang)
ok_ids = [int(i) for i, s in zip(table["id"], table[status_col]) if s != "failed"]
rows = table.set_index("id")


def label(run_id: int) -> str:
    """The choice label of stored run ``run_id``: id, round, time and status."""
    r = rows.loc[run_id]
    return f"#{run_id} · {r[t('st_round', lang)]} · {r[t('st_when', lang)]} · {r[status_col]}"


def session_record(run_id: int):
    """The stored run as a session scenario (rebuilt once per session)."""
    cache = ss.setdefault("_stored_records", {})
    if run_id not in cache:
        cache[run_id] = stored.reopen(run_id, lang)
    return cache[run_id]


# ----------------------------------------------------------------- reopen
st.subheader(t("st_open_header", lang))
pick = st.selectbox(t("st_pick", lang), [int(i) for i in table["id"]], format_func=label, key="stored_pick")
if st.button(t("st_open", lang), key="stored_open"):
    try:
        rec = session_record(pick)
    except StoreError:
        from allocator.store.query import get_run

        st.error(t("st_failed_run", lang, id=pick, error=get_run(store, pick)["error"]))
    else:
        ss["runs"].pop(rec.name, None)
        ss["runs"][rec.name] = rec
        ss["show_scenario"] = rec.name
        app.sync_session()  # a reload finds it among the session's scenarios
        st.success(t("st_opened", lang, name=rec.name))
        st.page_link("ui/pages/run.py", label=t("page_run", lang), icon="▶️")

# ----------------------------------------------------------------- compare
st.subheader(t("st_compare_header", lang))
if len(ok_ids) < 2:
    st.info(t("compare_need_two", lang))
    st.stop()
ss.setdefault("stored_compare", ok_ids[:2][::-1])
picked = st.multiselect(t("st_compare_pick", lang), ok_ids, format_func=label, key="stored_compare",
                        max_selections=2)
if len(picked) < 2:
    st.info(t("compare_need_two", lang))
    st.stop()
a, b = picked
records = [session_record(a), session_record(b)]
d = diff_runs(store, a, b)
if d.options:
    st.markdown(f"**{t('st_options_changed', lang)}**")
    st.dataframe(pd.DataFrame([(k, str(x), str(y)) for k, (x, y) in d.options.items()],
                              columns=[t("st_option", lang), records[0].name, records[1].name]), placeholder="",
                 hide_index=True)
else:
    st.caption(t("st_options_same", lang))
if d.inputs:
    st.caption(t("st_inputs_changed", lang, tables=", ".join(d.inputs)))

# the same views as the session comparison page (ui/pages/compare.py)
st.markdown(f"**{t('compare_figures', lang)}**")
figures = views.compare_figures(records, lang)
st.dataframe(figures, placeholder="", width="stretch", height=35 * (len(figures) + 1) + 3)
app.comparison_tables(records, lang, heading=lambda text: st.markdown(f"**{text}**"))
