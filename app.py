"""AND-learning optimizer lab: the Streamlit entry point. Page setup, the language switch and the navigation.

The pages live in pages/<name>_page.py, served at /<name>: a fresh server answers a link /<stem> that names a
file of pages/ by running that file bare, without this frame, so no URL path equals a file's stem.

A page that fails shows visitors one short line and logs its traceback for the server's log (with
`client.showErrorDetails = "none"` in .streamlit/config.toml, Streamlit shows no traceback either).

Streamlit runs this file as `__main__`. The server's worker processes are spawned, and a spawned process imports its
parent's main module under the name `__mp_main__`: so everything happens in `main()`, run only as `__main__`, and a
worker imports nothing of the app (no Streamlit, no pages) and runs no page."""

import logging


def main() -> None:
    import streamlit as st
    from streamlit.runtime.scriptrunner import RerunException, StopException

    from lab.dashboard import interpreter, selfwarm, shell, work

    interpreter.share_the_interpreter()
    shell.setup_language()
    st.set_page_config(page_title=shell.tr("app.title"), page_icon=":material/neurology:", layout="wide")
    # the lecture's order: neurons, experiment, class run, optimizers, depth, data, tuning, landscape, papers, results
    page = st.navigation([
        st.Page("pages/neurons_page.py", title=shell.tr("nav.neurons"), icon=":material/psychology:",
                url_path="neurons"),
        st.Page("pages/lecture_page.py", title=shell.tr("nav.lecture"), icon=":material/school:", default=True),
        st.Page("pages/classrun_page.py", title=shell.tr("nav.classrun"), icon=":material/groups:", url_path="class"),
        st.Page("pages/optimizers_page.py", title=shell.tr("nav.optimizers"), icon=":material/compare_arrows:",
                url_path="optimizers"),
        st.Page("pages/depth_page.py", title=shell.tr("nav.depth"), icon=":material/stacked_line_chart:",
                url_path="depth"),
        st.Page("pages/generalization_page.py", title=shell.tr("nav.generalization"),
                icon=":material/model_training:", url_path="generalization"),
        st.Page("pages/tuning_page.py", title=shell.tr("nav.tuning"), icon=":material/tune:", url_path="tuning"),
        st.Page("pages/landscape_page.py", title=shell.tr("nav.landscape"), icon=":material/landscape:",
                url_path="landscape"),
        st.Page("pages/papers_page.py", title=shell.tr("nav.papers"), icon=":material/science:", url_path="papers"),
        st.Page("pages/results_page.py", title=shell.tr("nav.results"), icon=":material/inventory_2:",
                url_path="results"),
    ])
    shell.language_switch()
    work.bound_caches()  # every visitor's cached results within the server's memory setting
    selfwarm.start_once()  # the server's first run: its store and caches filled in the background (once per server)
    selfwarm.show_progress()  # one line while that runs
    try:
        page.run()
    except (StopException, RerunException):  # st.stop() and st.rerun(): Streamlit's own control flow
        raise
    except Exception:
        logging.getLogger("lab.dashboard.app").exception("page %r failed", page.url_path or "lecture")
        st.error(shell.tr("app.error"), icon=":material/error:")


if __name__ == "__main__":
    main()
