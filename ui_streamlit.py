"""Streamlit app of the medical graduate allocation planner.

Run with ``streamlit run ui_streamlit.py``. This file only sets up the page,
the language switch and navigation; the pages are in ``ui/pages/`` and the
logic they share in the ``ui`` package (see docs/ui.md).
"""

import streamlit as st

from ui import app
from ui.i18n import t

st.set_page_config(page_title="Medstaff planner", page_icon="🩺", layout="wide")
app.init_session()
lang = app.language_switch()
app.sidebar_status()

pages = [
    st.Page("ui/pages/inputs.py", title=t("page_inputs", lang), icon="📋", default=True),
    st.Page("ui/pages/run.py", title=t("page_run", lang), icon="▶️"),
    st.Page("ui/pages/compare.py", title=t("page_compare", lang), icon="⚖️"),
    st.Page("ui/pages/sweep.py", title=t("sweep_page", lang), icon="🧮"),
    st.Page("ui/pages/forecast.py", title=t("forecast_page", lang), icon="📈"),
    st.Page("ui/pages/mechanisms.py", title=t("mechanisms_page", lang), icon="🎓"),
    st.Page("ui/pages/stored.py", title=t("page_stored", lang), icon="🗄️"),
    st.Page("ui/pages/network.py", title=t("page_network", lang), icon="🗺️"),
]
st.navigation(pages).run()
