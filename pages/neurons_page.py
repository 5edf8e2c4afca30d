"""From neurons to networks: the lecture's history computed. A formal neuron, Rosenblatt's rule on AND, OR and XOR,
a small sigmoid network that learns XOR, and the activations (and the sigmoid's slope of at most 1/4)."""

import pandas as pd
import streamlit as st

from lab.core.config import MAX_SEED, TrialConfig
from lab.dashboard import exactness, memo, shell, work
from lab.dashboard.neurons import charts as cn
from lab.dashboard.neurons import state as ns
from lab.dashboard.neurons import tables as nv
from lab.dashboard.shared import charts
from lab.dashboard.shell import tr
from lab.science import inspect, neurons


def set_preset(name: str) -> None:
    st.session_state.update(ns.preset_widgets(neurons.PRESETS[name]))


def fn(name: str) -> str:
    return tr(f"neu.fn.{name}")


def columns(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c: tr(f"neu.col.{c}") for c in frame.columns})


st.title(tr("neu.title"))
st.markdown(tr("neu.intro"))
shell.hint("neu.hint")
state = shell.page_state(ns)
params = ns.to_params(state)

# ---- 1. the formal neuron
st.subheader(tr("neu.mp.title"))
st.markdown(tr("neu.mp.intro"))
neuron = neurons.step_neuron(state.w1, state.w2, state.b)
left, right = st.columns(2, gap="large")
with left:
    for name in ns.WEIGHTS:
        st.slider(tr(f"neu.{name}"), *ns.WEIGHT_RANGE, step=ns.WEIGHT_STEP, key=f"neu.{name}", format="%.1f")
    st.caption(tr("neu.presets"))
    with st.container(horizontal=True):
        for name in neurons.PRESETS:
            st.button(name, key=f"neu.preset.{name}", on_click=set_preset, args=(name,))
    st.metric(tr("neu.mp.computes"), fn(neuron.function))
    st.markdown(" ".join(f":green-badge[:material/check: {fn(n)}]" if done else
                         f":gray-badge[{fn(n)}]" if ok else f":red-badge[{fn(n)}: {tr('neu.mp.impossible')}]"
                         for n, done, ok in nv.named_functions(neuron)))
    st.dataframe(columns(neuron.table()), hide_index=True, width="content", column_config={
        tr("neu.col.u"): st.column_config.NumberColumn(format="%.2f", help="u = w1 x1 + w2 x2 + b"),
        tr("neu.col.y"): st.column_config.NumberColumn(help="y = step(u)")})
with right:
    shell.chart(cn.neuron_chart, memo.call(nv.firing_region, state.w1, state.w2, state.b),
                memo.call(nv.line_points, state.w1, state.w2, state.b), neuron.table(),
                output_title=tr("neu.col.y"), sum_title=tr("neu.col.u"), width="content")
    constant = state.w1 == 0 and state.w2 == 0
    st.caption(tr("neu.mp.constant") if constant else
               tr("neu.mp.line", eq=nv.equation(state.w1, state.w2, state.b)))
st.caption(tr("neu.mp.caption"))

# ---- 2. Rosenblatt's perceptron
st.subheader(tr("neu.pc.title"))
st.markdown(tr("neu.pc.intro"))
st.segmented_control(tr("neu.pc.task"), ns.TASKS, key="neu.task", required=True, format_func=str.upper)
result, history = memo.call(nv.perceptron_run, state.task)
steps = memo.call(nv.updates, history, result.cycle)
cycle = result.cycle
m = st.columns(4)
m[0].metric(tr("neu.pc.outcome"), tr("neu.pc.yes") if result.converged else tr("neu.pc.never"))
m[1].metric(tr("neu.pc.updates"), result.updates)
m[2].metric(tr("neu.pc.cycle"), cycle["updates"] if cycle else "—")
m[3].metric(tr("neu.pc.state"), nv.weights_text(cycle["weights"]) if cycle else
            nv.weights_text((result.w1, result.w2, result.b)))
if cycle:
    st.info(tr("neu.pc.cycling", task=result.task, first=cycle["first_epoch"], n=cycle["updates"],
               w=nv.weights_text(cycle["weights"]), turns=nv.TURNS), icon=":material/autorenew:")
else:
    st.success(tr("neu.pc.done", task=result.task, n=result.updates, epochs=result.epochs,
                  w=nv.weights_text((result.w1, result.w2, result.b))), icon=":material/check_circle:")
left, right = st.columns(2, gap="large")
with left:
    st.markdown(f"**{tr('neu.pc.weights')}**")
    shell.chart(cn.weights_chart, memo.call(nv.weights_long, steps), x_title=tr("neu.col.update"),
                y_title=tr("neu.value"), series_title=tr("neu.weight"), repeated_title=tr("neu.pc.repeat"))
with right:
    st.markdown(f"**{tr('neu.pc.lines')}**")
    last = steps.iloc[-1]
    targets = pd.DataFrame(neurons.ROWS, columns=["x1", "x2"]).assign(target=result.truth)
    shell.chart(cn.lines_chart, memo.call(nv.update_lines, steps),
                memo.call(nv.firing_region, float(last.w1), float(last.w2), float(last.b)), targets,
                target_title=tr("col.target"), update_title=tr("neu.col.update"), width="content")
st.caption(tr("neu.pc.caption"))
shown = steps.drop(columns=["repeated", "row"]).iloc[1:]
st.dataframe(columns(shown), hide_index=True, width="stretch", height=min(38 + 35 * len(shown), 320))
st.markdown(f"**{tr('neu.pc.all')}**")
st.dataframe(columns(memo.call(nv.tasks_summary)), hide_index=True, width="content")
st.caption(tr("neu.pc.all.caption"))

# ---- 3. a network of sigmoid neurons learns XOR
st.subheader(tr("neu.mlp.title"))
st.markdown(tr("neu.mlp.intro"))
row = st.columns([1, 1], vertical_alignment="bottom")
row[0].segmented_control(tr("f.width"), ns.WIDTHS, key="neu.width", required=True)
row[1].number_input(tr("f.seed"), 0, MAX_SEED, step=1, key="neu.seed", help=tr("f.seed.help"))
configs = [TrialConfig(task="xor", width=w) for w in ns.WIDTHS]
config = configs[ns.WIDTHS.index(state.width)]
if work.within_budget(configs, ns.SUCCESS_SEEDS):
    if not work.ensure([(c, ns.SUCCESS_SEEDS) for c in configs] + [(config, [state.seed])]):
        st.stop()
    run = work.trial(config, state.seed)
    digests = work.digests_of(configs, ns.SUCCESS_SEEDS)
    series = [tr("neu.mlp.series", w=w) for w in ns.WIDTHS]
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**{tr('neu.mlp.map', w=state.width, seed=state.seed)}**")
        m = st.columns(2)
        m[0].metric(tr("lec.solved"), tr("lec.solved.yes") if run.solved else tr("lec.solved.no"))
        m[1].metric(tr("lec.steps_to_solve"), tr("lec.never") if run.steps_to_solve != run.steps_to_solve
                    else f"{run.steps_to_solve:.0f}")
        shell.chart(charts.boundary_chart, memo.call(inspect.decision_grid, config, run.params),
                    memo.call(inspect.truth_table, config, run.table_output),
                    score_title=tr("lec.score"), target_title=tr("lec.target"),
                    answer_title=tr("col.answer"), width="content")
        st.caption(tr("lec.boundary.caption"))
    with right:
        st.markdown(f"**{tr('neu.mlp.seeds', n=ns.SUCCESS_SEEDS - 1)}**")
        trials = memo.call(nv.seed_trials, [d.trials for d in digests], series)
        chosen = (state.seed, ns.WIDTHS.index(state.width)) if state.seed < ns.SUCCESS_SEEDS else None
        shell.chart(cn.seeds_chart, trials, x_title=tr("f.seed"), y_title=tr("neu.mlp.net"),
                    status_title=tr("neu.mlp.status"), chosen=chosen,
                    statuses={True: tr("neu.mlp.yes"), False: tr("neu.mlp.no")})
        counts = [int(d.trials["solved"].sum()) for d in digests]
        st.markdown("\n".join(f"- {tr('neu.mlp.count', w=w, k=k, n=ns.SUCCESS_SEEDS, steps=config.steps)}"
                              for w, k in zip(ns.WIDTHS, counts)))
        st.caption(tr("neu.mlp.caption"))
    st.markdown(f"**{tr('neu.mlp.replay', w=state.width, seed=state.seed)}**")
    shell.replay(work.replay(config, state.seed), *inspect.network_layout(config, run.params), name="xor_frame")
    code = exactness.script(config, state.seed)
    st.download_button(tr("lec.code.download"), code, file_name=f"xor_width{state.width}_seed{state.seed}.py",
                       mime="text/x-python", icon=":material/download:", on_click="ignore")

# ---- 4. the activations and the sigmoid's slope
st.subheader(tr("neu.act.title"))
st.markdown(tr("neu.act.intro"))
table = memo.call(neurons.activation_table)
names = {name: tr(f"neu.act.{name}") for name in ("step", "sigmoid", "tanh", "relu")}
left, right = st.columns(2, gap="large")
for column, part, note in ((left, "value", None), (right, "derivative", tr("neu.act.note"))):
    with column:
        st.markdown(f"**{tr(f'neu.act.{part}')}**")
        shell.chart(cn.activation_chart, table, part, x_title="u", y_title=tr(f"neu.act.{part}.y"),
                    series_title=tr("neu.act.function"), names=names, note=note)
left, right = st.columns(2, gap="large")
with left:
    st.dataframe(columns(memo.call(nv.vanishing_table)), hide_index=True, width="stretch",
                 column_config={tr("neu.col.factor"): st.column_config.NumberColumn(format="%.2e")})
with right:
    st.markdown(tr("neu.act.vanishing", six=f"{neurons.vanishing_factor(6):.5f}"))
shell.share_link(params)
