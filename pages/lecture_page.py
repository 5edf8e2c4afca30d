"""The lecture's experiment, one seed at a time: its log, loss curve, network, decision map, truth table and code."""

import streamlit as st

from lab.core import naming
from lab.core.config import ACTIVATIONS, LIMITS, MAX_SEED, TASKS
from lab.core.optimizers import OPTIMIZERS
from lab.dashboard import exactness, shell, work
from lab.dashboard.lecture import charts as lecture_charts
from lab.dashboard.lecture import state as lecture_state
from lab.dashboard.shared import charts
from lab.dashboard.shared import params as url_params
from lab.dashboard.shared import replay as replays
from lab.dashboard.shell import tr
from lab.science import inspect

st.title(tr("lec.title"))
st.markdown(tr("lec.intro"))
shell.hint("lec.hint")
state = shell.page_state(lecture_state)
config, seed = state.config, state.seed
params = lecture_state.to_params(state)

top = st.columns([1, 1, 1], vertical_alignment="bottom")
top[0].number_input(tr("f.seed"), 0, MAX_SEED, step=1, key="lec.seed", help=tr("f.seed.help"))
top[1].toggle(tr("f.onehot"), key="lec.onehot", help=tr("f.onehot.help"))
top[2].button(tr("lec.reset"), on_click=lecture_state.reset, args=(st.session_state,), icon=":material/restart_alt:")
with st.expander(tr("lec.variations")):
    row = st.columns(4)
    row[0].selectbox(tr("f.task"), TASKS, key="lec.task", format_func=str.upper)
    row[1].selectbox(tr("f.optimizer"), tuple(OPTIMIZERS), key="lec.optimizer", on_change=lecture_state.reset_lr,
                     args=(st.session_state,), format_func=lambda name: OPTIMIZERS[name].label)
    row[2].number_input(tr("f.lr"), url_params.MIN_LR, LIMITS["lr"][1], key="lec.lr", format="%g", step=0.01)
    row[3].selectbox(tr("f.activation"), ACTIVATIONS, key="lec.activation")
    row = st.columns(4)
    row[0].number_input(tr("f.depth"), *LIMITS["depth"], key="lec.depth")
    row[1].number_input(tr("f.width"), *LIMITS["width"], key="lec.width")
    row[2].number_input(tr("f.steps"), *LIMITS["steps"], key="lec.steps", step=100)

st.caption(tr("lec.this_run", name=naming.describe(config, shell.words()), seed=seed) + " · "
           + tr("lec.exact.yes" if exactness.follows_plain_program(config) else "lec.exact.no"))
if not work.within_budget([config], 1):
    shell.share_link(params)
    st.stop()
with st.spinner(tr("training")):
    run = work.trial(config, seed)

m = st.columns(4)
m[0].metric(tr("lec.solved"), tr("lec.solved.yes") if run.solved else tr("lec.solved.no"))
m[1].metric(tr("lec.steps_to_solve"), tr("lec.never") if run.steps_to_solve != run.steps_to_solve
            else f"{run.steps_to_solve:.0f}")
m[2].metric(tr("lec.final_loss"), f"{float(run.loss[(len(run.loss) - 1) // 100 * 100]):.4g}")
m[3].metric(tr("lec.table_loss"), f"{float(run.table_loss[-1]):.4g}")

st.subheader(tr("lec.replay"))
if replays.replayable(config):
    frames = work.replay(config, seed)
    nodes, edges = inspect.network_layout(config, run.params)
    shell.replay(frames, nodes, edges, name="frame")
else:
    st.caption(tr("lec.replay.big", units=replays.MAX_REPLAY_UNITS))

left, right = st.columns(2, gap="large")
with left:
    st.subheader(tr("lec.log"))
    st.caption(tr("lec.log.caption"))
    st.code("\n".join(run.log), language=None)
with right:
    st.subheader(tr("lec.curve"))
    log_scale = st.toggle(tr("lec.log_scale"), value=True, key="lec.logy")
    curves = run.curves(tr("lec.curve.minibatch"), tr("lec.curve.table"))
    shell.chart(lecture_charts.loss_chart, curves, x_title=tr("step"), y_title=tr("loss"),
                series_title=tr("lec.curve.series"), log=log_scale, marks=run.printed())

left, right = st.columns(2, gap="large")
with left:
    st.subheader(tr("lec.network"))
    nodes, edges = inspect.network_layout(config, run.params)
    shell.chart(lecture_charts.network_chart, nodes, edges, weight_title=tr("lec.weight"), bias_title=tr("lec.bias"))
    st.caption(tr("lec.network.caption"))
with right:
    st.subheader(tr("lec.boundary"))
    table = inspect.truth_table(config, run.table_output)
    score_title = tr("lec.score") if config.outputs == 1 else tr("lec.score.onehot")
    shell.chart(
        charts.boundary_chart, inspect.decision_grid(config, run.params),
        table,
        score_title=score_title,
        target_title=tr("lec.target"),
        answer_title=tr("col.answer"), width="content")
    st.caption(tr("lec.boundary.caption"))

st.subheader(tr("lec.table"))
st.dataframe(table.rename(columns={c: tr(f"col.{c}") for c in table.columns}), hide_index=True, width="content")
st.subheader(tr("lec.code"))
st.caption(tr("lec.code.caption"))
code = exactness.script(config, seed)
st.code(code, language="python")
st.download_button(
    tr("lec.code.download"), code, file_name=f"and_lab_seed{seed}.py", mime="text/x-python", icon=":material/download:"
)
shell.share_link(params)
