"""AND-learning optimizer lab: the Streamlit entry point. Page setup, the language switch and the navigation.

The pages live in app_pages/, not pages/: with a folder named pages/, a fresh server answers a link to a sub-page
(say /depth) by running that file bare, without this frame (no navigation titles, no language switch)."""

import streamlit as st

from lab import ui

ui.setup_language()
st.set_page_config(page_title=ui.tr("app.title"), page_icon=":material/neurology:", layout="wide")
page = st.navigation([
    st.Page("app_pages/lecture.py", title=ui.tr("nav.lecture"), icon=":material/school:", default=True),
    st.Page("app_pages/optimizers.py", title=ui.tr("nav.optimizers"), icon=":material/compare_arrows:",
            url_path="optimizers"),
    st.Page("app_pages/depth.py", title=ui.tr("nav.depth"), icon=":material/stacked_line_chart:",
            url_path="depth"),
    st.Page("app_pages/generalization.py", title=ui.tr("nav.generalization"), icon=":material/model_training:",
            url_path="generalization"),
    st.Page("app_pages/tuning.py", title=ui.tr("nav.tuning"), icon=":material/tune:", url_path="tuning"),
    st.Page("app_pages/neurons.py", title=ui.tr("nav.neurons"), icon=":material/psychology:", url_path="neurons"),
    st.Page("app_pages/results.py", title=ui.tr("nav.results"), icon=":material/inventory_2:", url_path="results"),
])
ui.language_switch()
page.run()
