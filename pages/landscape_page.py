"""Loss landscape: the truth-table loss on the plane of several optimizers' paths from the same initial weights, the
paths on it, the straight lines from the start to each end, and what such a slice can and cannot show."""

import streamlit as st

from lab.compute import jobs
from lab.core.config import ACTIVATIONS, LIMITS, MAX_SEED, TASKS
from lab.core.optimizers import OPTIMIZERS
from lab.dashboard import shell, work
from lab.dashboard.landscape import charts
from lab.dashboard.landscape import state as landscape_state
from lab.dashboard.landscape import tables as landscape_view
from lab.dashboard.shell import tr

st.title(tr("land.title"))
st.markdown(tr("land.intro"))
shell.hint("land.hint")
state = shell.page_state(landscape_state)

with st.form("land.form"):
    st.multiselect(tr("land.f.opts"), tuple(OPTIMIZERS), key="land.opts",
                   format_func=lambda name: OPTIMIZERS[name].label)
    row = st.columns([1, 1, 1.35, 1])  # the toggle's label is the longest (in Japanese 11 wide characters)
    row[0].number_input(tr("land.f.seed"), 0, MAX_SEED, step=1, key="land.seed", help=tr("f.seed.help"))
    row[1].number_input(tr("f.steps"), 1, landscape_state.MAX_STEPS, key="land.steps", step=100)
    row[2].toggle(tr("land.f.normalize"), key="land.normalize", help=tr("land.f.normalize.help"))
    row[3].form_submit_button(tr("land.run"), type="primary", icon=":material/play_arrow:", width="stretch")
    with st.expander(tr("lec.variations")):
        row = st.columns(4)
        row[0].selectbox(tr("f.task"), TASKS, key="land.task", format_func=str.upper)
        row[1].selectbox(tr("f.activation"), ACTIVATIONS, key="land.activation")
        row[2].number_input(tr("f.depth"), 1, landscape_state.MAX_DEPTH, key="land.depth",
                            help=tr("land.f.depth.help"))
        row[3].number_input(tr("f.width"), LIMITS["width"][0], landscape_state.MAX_WIDTH, key="land.width")
        st.toggle(tr("f.onehot"), key="land.onehot", help=tr("f.onehot.help"))

params = landscape_state.to_params(state)
configs = state.configs()
if not work.within_budget(configs, 1):
    shell.share_link(params)
    st.stop()
work.ensure([(configs[0], [state.seed])])  # the surface is kept with the first config's trial
found = work.result(jobs.landscape_tables, tuple(configs), state.seed, state.normalize)
paths, lines = landscape_view.named(found["paths"]), landscape_view.named(found["lines"])
stalls = landscape_view.named(found["stalls"])
names = list(dict.fromkeys(paths["series"]))

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader(tr("land.surface"))
    shell.chart(charts.surface_chart, found["grid"], paths, names=names, x_title=tr("land.x"),
                y_title=tr("land.y"), loss_title=tr("loss"), series_title=tr("optimizer"),
                start_title=tr("land.start"), end_title=tr("land.end"), stalls=stalls, stall_title=tr("land.stall"),
                width="content")
    d1, d2 = found["explained"]
    st.caption(tr("land.surface.caption", captured=found["captured"], d1=d1, d2=d2))
    st.markdown(f"**{tr('land.stalls')}**")
    st.markdown("\n".join(f"- {line}" for line in landscape_view.stall_lines(stalls, tr)) or tr("land.no_stalls"))
with right:
    st.subheader(tr("land.line"))
    shell.chart(charts.line_chart, lines, names=names, x_title=tr("land.alpha"), y_title=tr("loss"),
                series_title=tr("optimizer"))
    st.caption(tr("land.line.caption"))

st.subheader(tr("land.table"))
cc = st.column_config
st.dataframe(landscape_view.ends(found["paths"], found["lines"]), hide_index=True, width="content", column_config={
    "series": cc.TextColumn(tr("optimizer")),
    **{name: cc.NumberColumn(tr(f"col.{name}"), format="%.4g") for name in ("final_table_loss", "off_plane",
                                                                             "barrier")}})
with st.expander(tr("land.caveats.title"), expanded=True):
    st.markdown(tr("land.caveats"))
shell.share_link(params)
