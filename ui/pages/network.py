"""Page: facility network (placeholder until wired to the network package)."""

import streamlit as st

from ui import app
from ui.i18n import t

lang = app.lang()
st.title(t("page_network", lang))
st.warning(t("network_unavailable", lang))
