"""Depth and activation: where deep sigmoid nets stall (success, plateaus, vanishing gradients, saturation, the Hessian
at a stall, minibatch noise) and a paragraph that says, from the data, where the lecture's account holds."""

import streamlit as st

from lab.compute import jobs
from lab.core.config import INITS
from lab.core.optimizers import LECTURE_OPTIMIZERS, OPTIMIZERS
from lab.dashboard import memo, settings, shell, work
from lab.dashboard.depth import charts as cd
from lab.dashboard.depth import data as depth_data
from lab.dashboard.depth import state as depth_state
from lab.dashboard.depth import tables as depth_view
from lab.dashboard.shared import replay as replays
from lab.dashboard.shell import tr
from lab.science import inspect
from lab.science.stalls import EIG_TOL


def layer_name(n, depth):
    return tr("depth.layer.output") if n == depth + 1 else tr("depth.layer", n=n)


st.title(tr("depth.title"))
st.markdown(tr("depth.intro"))
shell.hint("depth.hint")
state = shell.page_state(depth_state)
st.session_state["depth.depth"] = state.depth  # kept within the depth range

with st.form("depth.form"):
    row = st.columns(4)
    row[0].selectbox(tr("f.optimizer"), LECTURE_OPTIMIZERS, key="depth.optimizer",
                     format_func=lambda name: OPTIMIZERS[name].label, help=tr("depth.f.optimizer.help"))
    row[1].number_input(tr("f.width"), *depth_state.BOUNDS["width"], key="depth.width")
    row[2].selectbox(tr("f.init"), INITS, key="depth.init")
    row[3].slider(tr("depth.f.depths"), *depth_state.BOUNDS["depth"], key="depth.depths")
    row = st.columns(4)
    row[0].number_input(tr("depth.f.seeds"), *depth_state.BOUNDS["seeds"], key="depth.seeds")
    row[1].number_input(tr("f.steps"), *depth_state.BOUNDS["steps"], key="depth.steps", step=100)
    row[2].number_input(tr("depth.f.tests"), *depth_state.BOUNDS["tests"], key="depth.tests",
                        help=tr("depth.f.tests.help"))
    row[3].form_submit_button(tr("cmp.run"), type="primary", icon=":material/play_arrow:", width="stretch")

configs, grid = state.configs(), state.grid()
if not work.within_budget(configs, state.seeds):
    shell.share_link(depth_state.to_params(state))
    st.stop()

# trained by the workers, each chunk stored at once: a changed widget loses nothing trained
if not work.ensure([(config, state.seeds) for config in configs],
                      lambda done, total: tr("depth.progress", done=done, total=total)):
    st.stop()
digests = depth_data.digests(configs, state.seeds)
stats = depth_data.stats(configs, state.seeds, [state.tests if c in grid else 0 for c in configs])
mini = stats[~stats["full_batch"]]

st.subheader(tr("depth.heat.title"))
st.segmented_control(tr("depth.heat.metric"), depth_state.HEAT_METRICS, key="depth.metric", required=True,
                     format_func=lambda m: tr(f"depth.metric.{m}"))
tips = {m: tr(f"depth.metric.{m}") for m in depth_state.HEAT_METRICS} | {"grad_ratio": tr("depth.y.ratio"),
                                                                        "test": tr("depth.tip.p")}
shell.chart(cd.heatmap, memo.call(depth_view.cell_tests, mini, state.metric), state.metric, x_title=tr("depth.x.depth"),
            y_title=tr("depth.y.activation"), value_title=tr(f"depth.metric.{state.metric}"),
            tips=tips)
st.caption(tr("depth.heat.caption", opt=OPTIMIZERS[state.optimizer].label, width=state.width, seeds=state.seeds,
              steps=state.steps, init=state.init) + " " + tr("depth.heat.tests"))

facts = memo.call(depth_view.facts, stats, state.activation)
with st.container(border=True):
    st.markdown(f"**{tr('depth.sum.title')}**")
    lines = depth_view.sentences(
        facts, optimizer=OPTIMIZERS[state.optimizer].label, width=state.width, seeds=state.seeds, steps=state.steps,
        t=tr, width_seeds=depth_state.seeds_that_fit(state, settings.max_work(), width=8))
    st.markdown("\n".join(f"- {line}" for line in lines))

st.subheader(tr("depth.focus.title"))
row = st.columns([1, 2])
row[0].segmented_control(tr("f.activation"), depth_state.ACTIVATIONS, key="depth.activation", required=True)
row[1].segmented_control(tr("depth.f.depth"), state.depth_list, key="depth.depth", required=True)
focus = state.focus()
st.markdown(f"**{tr('depth.curves.title', act=state.activation)}**")
bands = memo.call(depth_view.named, [digests[state.config(state.activation, d)].bands.assign(depth=d)
                                     for d in state.depth_list],
                  "depth", {d: tr("depth.series.depth", d=d) for d in state.depth_list})
shell.chart(cd.ordered_bands, bands, names=[tr("depth.series.depth", d=d) for d in state.depth_list],
            x_title=tr("step"), y_title=tr("depth.y.table_loss"),
            series_title=tr("depth.x.depth"), legend_columns=4)
st.caption(tr("depth.curves.caption"))

left, right = st.columns(2, gap="large")
with left:
    st.markdown(f"**{tr('depth.grad.layers', act=state.activation, depth=state.depth)}**")
    layers = memo.call(depth_view.named, digests[focus].layers, "layer",
                       {n: layer_name(n, state.depth) for n in range(1, state.depth + 2)})
    shell.chart(cd.ordered_bands, layers, names=[layer_name(n, state.depth) for n in range(1, state.depth + 2)],
                x_title=tr("step"), y_title=tr("depth.y.grad"), series_title=tr("depth.layer.s"),
                legend_columns=3)
with right:
    st.markdown(f"**{tr('depth.grad.ratio')}**")
    shell.chart(cd.ratio_chart, mini, x_title=tr("depth.x.depth"), y_title=tr("depth.y.ratio"),
                series_title=tr("depth.y.activation"))
st.caption(tr("depth.grad.caption"))

st.subheader(tr("depth.trace.title"))
row = st.columns([1, 1], vertical_alignment="bottom")
row[0].toggle(tr("depth.trace.toggle", n=jobs.TRACE_SEEDS), key="depth.trace")
row[1].segmented_control(tr("depth.trace.init"), INITS, key="depth.trace_init", required=True)
if state.trace:
    with st.spinner(tr("training")):
        act, sat = work.result(jobs.trace_bands, state.config(state.activation, state.depth, init=state.trace_init))
    hidden = [tr("depth.layer", n=n) for n in range(1, state.depth + 1)]
    left, right = st.columns(2, gap="large")
    scale = {"sigmoid": (0, 1), "tanh": (-1, 1)}.get(state.activation)
    for column, frame, title, domain in ((left, act, "depth.y.act", scale), (right, sat, "depth.y.sat", (0, 1))):
        with column:
            st.markdown(f"**{tr(title)}**")
            shell.chart(cd.ordered_bands, memo.call(depth_view.named, frame, "layer", dict(enumerate(hidden, 1))),
                        names=hidden,
                        x_title=tr("step"), y_title=tr(title), series_title=tr("depth.layer.s"),
                        log=False, y_domain=domain, legend_columns=3, height=200)
    st.caption(tr("depth.trace.caption", act=state.activation, depth=state.depth, init=state.trace_init))

st.subheader(tr("depth.hess.title"))
options = depth_view.stall_options(digests[focus].stalled)
seed = None
if not options:
    st.info(tr("depth.hess.none", act=state.activation, depth=state.depth), icon=":material/info:")
else:
    if st.session_state.get("depth.seed") not in options:
        st.session_state["depth.seed"] = next(iter(options))
    seed = st.selectbox(tr("depth.hess.pick"), list(options), key="depth.seed", format_func=lambda s: tr(
        "depth.hess.option", seed=s, a=options[s][0], b=options[s][1],
        end=tr("depth.hess.solved") if options[s][2] else tr("depth.hess.unsolved")))
    start, end, _ = options[seed]
    with st.spinner(tr("depth.hess.computing")):
        eigs, kinds = work.result(jobs.spectrum, focus, seed, (start + end) // 2)
    signs = {s: tr(f"depth.sign.{s}") for s in ("negative", "flat", "positive")}
    for column, row_ in zip(st.columns(2, gap="large"), kinds.itertuples()):
        with column:
            st.markdown(f"**{tr(f'depth.hess.{row_.point}', step=row_.step)}**")
            colour = {"saddle": "orange", "minimum": "blue"}.get(row_.kind, "gray")
            st.markdown(f":{colour}-badge[{tr(f'depth.kind.{row_.kind}')}] " + tr(
                "depth.hess.numbers", grad=f"{row_.grad_norm:.2g}", k=row_.n_negative,
                p=row_.n_negative + row_.n_flat + row_.n_positive))
            shell.chart(cd.spectrum_chart, eigs[eigs["point"] == row_.point], x_title=tr("depth.x.rank"),
                        y_title=tr("depth.y.eig"), sign_title=tr("depth.sign"),
                        sign_names=signs, flat=EIG_TOL)
            st.caption(tr("depth.hess.detail", curvature=tr(f"depth.kind.{row_.curvature}"), loss=f"{row_.loss:.4g}",
                          near=tr("depth.hess.near") if row_.near_stationary else tr("depth.hess.far"),
                          lo=f"{row_.min_eig:.2g}", hi=f"{row_.max_eig:.2g}"))
    st.caption(tr("depth.hess.caption"))
    if replays.replayable(focus):
        st.markdown(f"**{tr('depth.replay', seed=seed)}**")
        shell.replay(work.replay(focus, seed), *inspect.network_layout(focus, work.trial(focus, seed).params),
                     name="stall_frame")

st.subheader(tr("depth.batch.title", act=state.activation))
modes = {False: tr("depth.batch.mini"), True: tr("depth.batch.full")}
pair = memo.call(depth_view.named, depth_view.batch_table(stats, state.activation), "full_batch", modes)
left, right = st.columns(2, gap="large")
for column, value in ((left, "success_rate"), (right, "stalled_fraction")):
    with column:
        shell.chart(cd.batch_chart, pair, value, x_title=tr("depth.x.depth"), y_title=tr(f"depth.metric.{value}"),
                    series_title=tr("depth.batch.series"), names=list(modes.values()))
st.caption(tr("depth.batch.caption"))

st.subheader(tr("depth.table.title"))
st.dataframe(memo.call(depth_view.display_table, stats, modes), hide_index=True, width="stretch",
             column_config={c: tr(f"depth.col.{c}") for c in depth_view.DISPLAY_COLUMNS})
st.caption(tr("depth.table.caption"))
st.download_button(tr("depth.table.download"), memo.call(depth_view.stats_csv, stats, state),
                   depth_view.file_name(state),
                   "text/csv", icon=":material/download:", on_click="ignore")
shell.data_dictionary(memo.call(depth_view.stats_frame, stats, state).columns)
params = depth_state.to_params(depth_state.with_seed(state, seed, options))
shell.sync_url(params)
shell.share_link(params)
