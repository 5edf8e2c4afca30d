"""Learning rate and batch size: each optimizer over a log grid of learning rates (chosen on validation data,
reported on test data, beside its one-shot default) and what the minibatch size does to noise, speed and test error."""

import streamlit as st

from lab.compute import jobs
from lab.core import naming
from lab.core.config import TASKS
from lab.core.optimizers import OPTIMIZERS
from lab.dashboard import memo, shell, work
from lab.dashboard.shared import charts, finite
from lab.dashboard.shared import tables as views
from lab.dashboard.shell import tr
from lab.dashboard.tuning import state as ts
from lab.dashboard.tuning import tables as gen_tuning

B = finite.BOUNDS


st.title(tr("tun.title"))
st.markdown(tr("tun.intro"))
shell.hint("tun.hint")
state = shell.page_state(ts)
params = ts.to_params(state)
stream = state.data == "stream"
with st.form("tun.form"):
    data, net, grid = st.columns(3, gap="large")
    with data:
        st.markdown(f"**{tr('tun.data')}**")
        st.radio(tr("tun.data"), ts.DATA, key="tun.data", format_func=lambda d: tr(f"tun.data.{d}"),
                 label_visibility="collapsed")
        st.selectbox(tr("f.task"), TASKS, key="tun.task", format_func=str.upper)
        st.number_input(tr("gen.n_train"), *B["n_train"], key="tun.n_train", step=8, disabled=stream)
        row = st.columns(2)
        row[0].number_input(tr("gen.noise"), *B["noise"], key="tun.noise", step=0.05, format="%g", disabled=stream)
        row[1].number_input(tr("gen.label_flip"), *B["label_flip"], key="tun.label_flip", step=0.05, format="%g",
                            disabled=stream)
    with net:
        st.markdown(f"**{tr('gen.net')}**")
        row = st.columns(2)
        row[0].number_input(tr("f.width"), *B["width"], key="tun.width")
        row[1].number_input(tr("f.depth"), *B["depth"], key="tun.depth")
        row = st.columns(2)
        row[0].number_input(tr("f.steps"), *B["steps"], key="tun.steps", step=100)
        row[1].number_input(tr("tun.seeds"), *B["seeds"], key="tun.seeds", help=tr("f.seeds.help"))
    with grid:
        st.markdown(f"**{tr('tun.grid')}**")
        st.selectbox(tr("tun.per_decade"), ts.PER_DECADE, key="tun.per_decade")
        st.selectbox(tr("tun.batch_opt"), tuple(OPTIMIZERS), key="tun.batch_opt",
                     format_func=lambda name: OPTIMIZERS[name].label, help=tr("tun.batch_opt.help"))
    # the multiselects across the whole form, outside columns: in a column their chips do not wrap and most hide
    st.multiselect(tr("cmp.optimizers"), tuple(OPTIMIZERS), key="tun.opts",
                   format_func=lambda name: OPTIMIZERS[name].label)
    st.multiselect(tr("tun.batches"), ts.BATCHES, key="tun.batches")
    st.form_submit_button(tr("gen.run"), type="primary", icon=":material/play_arrow:")

base = state.base
grid_text = ", ".join(f"{lr:g}" for lr in state.grid)
st.caption(tr("tun.this_run", name=naming.describe(base, shell.words()).split(" · ", 1)[1], grid=grid_text,
              seeds=state.seeds))
if stream:
    st.info(tr("tun.stream"), icon=":material/info:")
if not state.optimizers:
    st.info(tr("cmp.none"))
    shell.share_link(params)
    st.stop()
lr_configs, batch_configs = state.lr_configs(), state.batch_configs()
if not work.train(lr_configs + batch_configs, state.seeds):
    shell.share_link(params)
    st.stop()
table, batch = work.result(jobs.tuning_tables, tuple(lr_configs), tuple(batch_configs), state.seeds)

# ---- learning rate -------------------------------------------------------------------------------------------------
st.subheader(tr("tun.lr"))
frame, best = memo.call(gen_tuning.lr_frame, table), memo.call(gen_tuning.best_table, table, state.optimizers)
picked, defaults = memo.call(gen_tuning.chosen, frame, best), frame[frame["lr_is_default"]]
names = [OPTIMIZERS[n].label for n in state.optimizers]
metrics = gen_tuning.STREAM_METRICS if stream else gen_tuning.FINITE_METRICS
cols = st.columns(2, gap="large")
for i, metric in enumerate(metrics):
    with cols[i % 2]:
        title = tr(f"tun.m.{metric}" + (".stream" if stream and metric == "final_loss" else ""))
        st.markdown(f"**{title}**")
        shell.chart(
            charts.xy_chart, frame, x="lr", y=metric, series="series", x_title=tr("f.lr"), y_title=title,
            series_title=tr("optimizer"), names=names, y_log=metric == "final_loss",
            percent=metric != "final_loss", marks=picked, mark_title=tr("tun.chosen"), rings=defaults,
            ring_title=tr("tun.default"), height=400)
st.caption(tr("tun.lr.caption.stream" if stream else "tun.lr.caption"))

st.markdown(f"**{tr('tun.best')}**")
shown = memo.call(gen_tuning.best_display, best)
cc = st.column_config
score = tr("tun.col.loss" if stream else "tun.col.val")
fmt, dflt = ("%.4g" if stream else "percent"), tr("tun.default")
columns = {"optimizer": cc.TextColumn(tr("optimizer")), "best_lr": cc.NumberColumn(tr("tun.col.best_lr"), format="%g"),
           "best_score": cc.NumberColumn(score, format=fmt),
           "best_test_error": cc.NumberColumn(tr("tun.col.test"), format="percent"),
           "best_success_rate": cc.NumberColumn(tr("tun.col.success"), format="percent"),
           "default_lr": cc.NumberColumn(tr("tun.col.default_lr"), format="%g"),
           "default_score": cc.NumberColumn(f"{score} ({dflt})", format=fmt),
           "default_test_error": cc.NumberColumn(f"{tr('tun.col.test')} ({dflt})", format="percent"),
           "default_success_rate": cc.NumberColumn(f"{tr('tun.col.success')} ({dflt})", format="percent")}
st.dataframe(shown, hide_index=True, width="stretch", column_config=columns)
st.caption(tr("tun.best.caption.stream" if stream else "tun.best.caption"))
for side, names_at_edge in gen_tuning.at_edge(best, state.grid).items():
    if names_at_edge:
        st.info(tr(f"tun.edge.{side}", names=", ".join(names_at_edge),
                   lr=(max if side == "high" else min)(state.grid)), icon=":material/straighten:")
row = st.columns(2)
row[0].download_button(tr("tun.dl.best"), memo.call(views.to_csv, best), "learning_rates_chosen.csv", "text/csv",
                       icon=":material/download:", on_click="ignore")
row[1].download_button(tr("tun.dl.grid"), memo.call(views.to_csv, table), "learning_rate_grid.csv", "text/csv",
                       icon=":material/download:", on_click="ignore")

# ---- batch size ----------------------------------------------------------------------------------------------------
st.subheader(tr("tun.batch", name=OPTIMIZERS[state.batch_optimizer].label))
dropped = sorted(set(state.batches) - set(state.usable_batches()))
if dropped:
    st.info(tr("tun.batch.dropped", sizes=", ".join(map(str, dropped)), n=base.train_size))
if batch is not None and len(batch):
    cols = st.columns(3, gap="medium")
    for col, metric in zip(cols, gen_tuning.BATCH_METRICS):
        data = memo.call(gen_tuning.batch_frame, batch, metric)
        measures = {m: tr(f"tun.b.{m}") for m in data["measure"].unique()}
        data = data.assign(series=data["measure"].map(measures))
        title = tr("tun.b.success_rate" if stream and metric == "error" else f"tun.b.title.{metric}")
        with col:
            st.markdown(f"**{title}**")
            shell.chart(
                charts.xy_chart, data, x="batch_size", y="value", series="series", x_title=tr("f.batch"),
                y_title=title, series_title="", names=list(measures.values()), x_base=2,
                y_log=metric == "steps", percent=metric == "error", legend_columns=1, height=340)
    st.caption(tr("tun.batch.caption"))
    st.download_button(tr("tun.dl.batch"), memo.call(views.to_csv, batch), "batch_size.csv", "text/csv",
                       icon=":material/download:", on_click="ignore")
shell.data_dictionary([*memo.call(views.csv_columns, best), *memo.call(views.csv_columns, table),
                       *(memo.call(views.csv_columns, batch) if batch is not None else [])])
shell.share_link(params)
