"""AND-learning optimizer lab: the Streamlit entry point. Page setup, the language switch and the navigation.

The pages live in pages/<name>_page.py, served at /<name>: a fresh server answers a link /<stem> that names a
file of pages/ by running that file bare, without this frame, so no URL path equals a file's stem."""

import streamlit as st

from lab.dashboard import shell

shell.setup_language()
st.set_page_config(page_title=shell.tr("app.title"), page_icon=":material/neurology:", layout="wide")
page = st.navigation([
    st.Page("pages/lecture_page.py", title=shell.tr("nav.lecture"), icon=":material/school:", default=True),
    st.Page("pages/optimizers_page.py", title=shell.tr("nav.optimizers"), icon=":material/compare_arrows:",
            url_path="optimizers"),
    st.Page("pages/depth_page.py", title=shell.tr("nav.depth"), icon=":material/stacked_line_chart:",
            url_path="depth"),
    st.Page("pages/generalization_page.py", title=shell.tr("nav.generalization"), icon=":material/model_training:",
            url_path="generalization"),
    st.Page("pages/tuning_page.py", title=shell.tr("nav.tuning"), icon=":material/tune:", url_path="tuning"),
    st.Page("pages/neurons_page.py", title=shell.tr("nav.neurons"), icon=":material/psychology:", url_path="neurons"),
    st.Page("pages/results_page.py", title=shell.tr("nav.results"), icon=":material/inventory_2:", url_path="results"),
])
shell.language_switch()
page.run()
