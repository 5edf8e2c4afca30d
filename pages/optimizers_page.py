"""Compare optimizers over many seeds: loss bands, solved-by-iteration, iterations to solve, success rates, CSV."""

import functools

import streamlit as st

from lab.core import naming
from lab.core.config import ACTIVATIONS, INITS, LIMITS, LOSSES, MAX_SEED, TASKS
from lab.core.optimizers import OPTIMIZERS
from lab.dashboard import exactness, memo, shell, work
from lab.dashboard.optimizers import charts as optimizers_charts
from lab.dashboard.optimizers import state as optimizers_state
from lab.dashboard.optimizers import tables as optimizers_view
from lab.dashboard.shared import params as url_params
from lab.dashboard.shared import tables as views
from lab.dashboard.shell import tr
from lab.science import analysis

st.title(tr("cmp.title"))
st.markdown(tr("cmp.intro"))
shell.hint("cmp.hint")
state = shell.page_state(optimizers_state)
params = optimizers_state.to_params(state)

with st.form("cmp.form"):  # Run under the optimizers: on a phone the form's end is a long scroll away
    st.multiselect(tr("cmp.optimizers"), tuple(OPTIMIZERS), key="cmp.opts",  # full width: in a column it hides chips
                   format_func=lambda name: OPTIMIZERS[name].label)
    st.form_submit_button(tr("cmp.run"), type="primary", icon=":material/play_arrow:")
    rates = optimizers_state.learning_rates(st.session_state)
    with st.expander(tr("cmp.lrs.with", rates=rates) if rates else tr("cmp.lrs")):
        cols = st.columns(4)
        for i, (name, spec) in enumerate(OPTIMIZERS.items()):
            cols[i % 4].number_input(spec.label, url_params.MIN_LR, LIMITS["lr"][1], key=f"cmp.lr.{name}",
                                     format="%g", step=0.01)
    net, train = st.columns(2, gap="large")
    with net:
        st.markdown(f"**{tr('cmp.network')}**")
        row = st.columns(2)
        row[0].selectbox(tr("f.task"), TASKS, key="cmp.task", format_func=str.upper)
        row[1].selectbox(tr("f.activation"), ACTIVATIONS, key="cmp.activation")
        row = st.columns(2)
        row[0].number_input(tr("f.depth"), *LIMITS["depth"], key="cmp.depth")
        row[1].number_input(tr("f.width"), *LIMITS["width"], key="cmp.width")
        row = st.columns(2)
        row[0].selectbox(tr("f.init"), INITS, key="cmp.init")
        row[1].selectbox(tr("f.loss"), LOSSES, key="cmp.loss", format_func=str.upper)
        st.toggle(tr("f.onehot"), key="cmp.onehot", help=tr("f.onehot.help"))
    with train:
        st.markdown(f"**{tr('cmp.training')}**")
        row = st.columns(2)
        row[0].number_input(tr("f.steps"), *LIMITS["steps"], key="cmp.steps", step=100)
        row[1].number_input(tr("f.seeds"), 1, optimizers_state.MAX_SEEDS, key="cmp.seeds", help=tr("f.seeds.help"))
        st.number_input(tr("f.batch"), *LIMITS["batch_size"], key="cmp.batch")
        st.toggle(tr("f.full_batch"), key="cmp.full_batch")

view = st.columns([2, 2, 1], vertical_alignment="bottom")
view[0].selectbox(tr("cmp.metric"), analysis.METRICS, key="cmp.metric", format_func=lambda m: tr(f"metric.{m}"))
view[1].slider(tr("cmp.smooth"), 1, optimizers_state.MAX_SMOOTH, key="cmp.smooth")
view[2].toggle(tr("cmp.logy"), key="cmp.logy")

if not state.optimizers:
    st.info(tr("cmp.none"))
    shell.share_link(params)
    st.stop()
configs = state.configs()
lr = tr("lr")
if not work.within_budget(configs, state.seeds):
    shell.share_link(params)
    st.stop()

# trained by the workers chunk by chunk, each stored at once: a changed widget loses nothing already trained
if not work.ensure([(config, state.seeds) for config in configs]):
    st.stop()


def of_digests(fn, *args):
    """A table `fn` builds from the configs' digests (remembered for every visitor)."""
    return work.from_digests(fn, configs, state.seeds, state.smooth, *args)


names = [naming.label(c, lr) for c in configs]
axis = {"x_title": tr("step"), "series_title": tr("optimizer"), "names": names}
last = state.base.steps
metric_name = tr(f"metric.{state.metric}")
st.subheader(tr("cmp.curves", metric=metric_name))
shell.chart(
    optimizers_charts.band_chart, of_digests(optimizers_view.stacked, "bands", state.metric, lr),
    y_title=metric_name,
    log=state.logy and state.metric != "table_error",
    median_title=tr("median"),
    **axis)
pairs, survival = work.from_digests(optimizers_view.evidence, configs, state.seeds, 1, lr)
left, right = st.columns(2, gap="large")
with left:
    st.subheader(tr("cmp.solved"))
    shell.chart(
        optimizers_charts.survival_chart,
        survival, y_title=tr("cmp.solved.y"), band_title=tr("cmp.solved.band"), max_step=last, **axis)
    st.caption(tr("cmp.solved.caption"))
with right:
    st.subheader(tr("cmp.steps"))
    shell.chart(
        optimizers_charts.steps_chart, of_digests(optimizers_view.stacked, "trials", "loss", lr),
        x_title=tr("cmp.steps.x"),
        series_title=tr("optimizer"),
        names=names,
        max_step=last)
    st.caption(tr("cmp.steps.caption"))

st.subheader(tr("cmp.table"))
table = of_digests(optimizers_view.display_table, lr)
shell.chart(
    optimizers_charts.success_chart,
    table, x_title=tr("cmp.success.x"), names=names, interval_title=tr("col.success_ci"))
st.dataframe(shell.comparison_frame(table), hide_index=True, width="stretch", column_config=shell.comparison_columns())
st.caption(tr("cmp.table.caption"))

st.subheader(tr("cmp.pairs"))
pairs_table = memo.call(optimizers_view.pairs_table, pairs, shell.lang())
if pairs_table.empty:
    st.info(tr("cmp.pairs.one"))
else:
    shown = [c for c in optimizers_view.PAIR_VIEW if c in pairs_table.columns]
    st.dataframe(pairs_table, hide_index=True, width="stretch", column_order=shown, column_config={
        c: st.column_config.NumberColumn(tr(f"pcol.{c}"), format="%.4g") if c not in ("a", "b") else tr(f"pcol.{c}")
        for c in shown})
    st.caption(tr("cmp.pairs.caption", n=len(pairs_table)))
    with st.expander(tr("cmp.verdicts", n=len(pairs_table)), expanded=len(pairs_table) <= 3):
        st.markdown("\n".join(f"- {text}" for text in pairs_table["verdict"]))

st.subheader(tr("cmp.downloads"))
summary = of_digests(optimizers_view.summary_table)
stride = optimizers_view.curve_stride(configs, state.seeds)
row = st.columns(3)
row[0].download_button(tr("cmp.dl.table"), memo.call(views.to_csv, summary),
                       optimizers_view.file_name(configs, state.seeds, "summary"), "text/csv",
                       icon=":material/download:", on_click="ignore")
if not pairs_table.empty:
    row[1].download_button(tr("cmp.dl.pairs"), memo.call(views.to_csv, pairs_table, optimizers_view.REQUIRED),
                           optimizers_view.file_name(configs, state.seeds, "pairwise"), "text/csv",
                           icon=":material/download:", on_click="ignore")
curves = functools.partial(optimizers_view.curves_csv, work.store(), list(configs), state.seeds, stride)
row[2].download_button(tr("cmp.dl.curves"), curves,
                       optimizers_view.file_name(configs, state.seeds, "curves", stride), "text/csv",
                       icon=":material/download:", help=tr("cmp.dl.curves.help"), on_click="ignore")
if stride > 1:
    rows = optimizers_view.curve_rows(configs, state.seeds)
    st.caption(tr("cmp.dl.thinned", rows=rows, limit=optimizers_view.CURVE_ROWS, k=stride, k2=2 * stride,
                  kept=optimizers_view.curve_rows(configs, state.seeds, stride)))
shell.data_dictionary([*memo.call(views.csv_columns, summary), *pairs_table.columns, *optimizers_view.CURVE_COLUMNS])
row = st.columns(3, vertical_alignment="bottom")
by_name = {config.optimizer: (config, name) for config, name in zip(configs, names)}
pick = row[0].selectbox(
    tr("exp.pick"),
    tuple(by_name),
    index=None,
    format_func=lambda o: by_name[o][1],
    placeholder=tr("exp.placeholder"),
    key="cmp.script",
)
seed = row[1].number_input(tr("exp.seed"), 0, MAX_SEED, key="cmp.script_seed", help=tr("f.seed.help"))
if pick in by_name:  # the button appears once an optimizer is chosen
    row[2].download_button(
        tr("exp.download"),
        exactness.script(by_name[pick][0], seed),
        mime="text/x-python",
        file_name=f"and_lab_{pick}_seed{seed}.py",
        icon=":material/download:",
        on_click="ignore",
    )
shell.share_link(params)
