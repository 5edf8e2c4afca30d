"""Generalization: training, validation and test error over the iterations on a small noisy data set, test error
against capacity, and a k-fold cross-validation estimate (the lecture's 訓練誤差とテスト誤差 figure, measured)."""

import streamlit as st

from lab.compute import jobs
from lab.core import naming
from lab.core.config import TASKS
from lab.core.optimizers import OPTIMIZERS
from lab.dashboard import shell, work
from lab.dashboard.generalization import charts as generalization_charts
from lab.dashboard.generalization import state as generalization_state
from lab.dashboard.generalization import tables as generalization_view
from lab.dashboard.shared import charts, finite
from lab.dashboard.shared import tables as views
from lab.dashboard.shell import tr
from lab.science import analysis, digests, tuning

B = finite.BOUNDS
SETS = {"train": tr("gen.set.train"), "val": tr("gen.set.val"), "test": tr("gen.set.test")}


def digest(config, n_seeds: int):
    return work.result(jobs.finite_digest, config, n_seeds)


def apply_preset() -> None:
    st.session_state.update(generalization_state.preset_widgets(st.session_state["gen.preset"]))


def switch_on(key: str) -> None:
    st.session_state[key] = True


st.title(tr("gen.title"))
st.markdown(tr("gen.intro"))
shell.hint("gen.hint")
state = shell.page_state(generalization_state)
config = state.config
params = generalization_state.to_params(state)

st.selectbox(tr("gen.preset"), tuple(generalization_state.GEN_PRESETS), key="gen.preset", on_change=apply_preset,
             format_func=lambda name: tr(f"gen.preset.{name}"), help=tr("gen.preset.help"))
with st.form("gen.form"):
    data, net = st.columns(2, gap="large")
    with data:
        st.markdown(f"**{tr('gen.data')}**")
        row = st.columns(2)
        row[0].selectbox(tr("f.task"), TASKS, key="gen.task", format_func=str.upper)
        row[1].number_input(tr("gen.n_train"), *B["n_train"], key="gen.n_train", step=10)
        row = st.columns(2)
        row[0].number_input(tr("gen.noise"), *B["noise"], key="gen.noise", step=0.05, format="%g",
                            help=tr("gen.noise.help"))
        row[1].number_input(tr("gen.label_flip"), *B["label_flip"], key="gen.label_flip", step=0.05, format="%g",
                            help=tr("gen.label_flip.help"))
        st.number_input(tr("gen.seeds"), *B["seeds"], key="gen.seeds", help=tr("f.seeds.help"))
    with net:
        st.markdown(f"**{tr('gen.net')}**")
        row = st.columns(2)
        row[0].number_input(tr("f.width"), *B["width"], key="gen.width")
        row[1].number_input(tr("f.depth"), *B["depth"], key="gen.depth")
        row = st.columns(2)
        row[0].selectbox(tr("f.optimizer"), tuple(OPTIMIZERS), key="gen.optimizer",
                         format_func=lambda name: OPTIMIZERS[name].label)
        row[1].number_input(tr("f.lr"), *B["lr"], key="gen.lr", format="%g", step=0.001)
        row = st.columns(2)
        row[0].number_input(tr("gen.weight_decay"), *B["weight_decay"], key="gen.weight_decay", format="%g",
                            step=0.001, help=tr("gen.weight_decay.help"))
        row[1].number_input(tr("f.steps"), *B["steps"], key="gen.steps", step=500)
    st.form_submit_button(tr("gen.run"), type="primary", icon=":material/play_arrow:")

st.caption(tr("gen.this_run", name=naming.describe(config, shell.words()), n=config.n_train, val=config.n_val,
              test=config.n_test, seeds=state.seeds))
if not work.train([config], state.seeds):
    shell.share_link(params)
    st.stop()
main = digest(config, state.seeds)

# ---- the lecture's figure -------------------------------------------------------------------------------------------
st.subheader(tr(f"gen.curves.{state.view}"))
st.segmented_control(tr("gen.view"), generalization_state.VIEWS, key="gen.view", required=True,
                     format_func=lambda v: tr(f"gen.view.{v}"))
story = main.story
kind = state.view
shell.chart(
    generalization_charts.curves_chart,
    main.bands[kind], names=SETS, x_title=tr("step"), y_title=tr(f"gen.y.{kind}"), set_title=tr("gen.set"),
    log=kind == "loss", stop_step=story.stop_step, stop_label=tr("gen.stop", step=f"{story.stop_step:,.0f}"),
    best=(story.best_step, story.best_test) if kind == "error" else None, best_label=tr("gen.best"))
(st.warning if story.overfits else st.info)(generalization_view.sentence(story, tr), icon=":material/insights:")
st.caption(tr("gen.curves.caption"))

# ---- capacity ------------------------------------------------------------------------------------------------------
st.subheader(tr("gen.cap"))
st.caption(tr("gen.cap.intro"))
st.multiselect(tr("gen.widths"), generalization_state.WIDTHS, key="gen.widths")
shown = [main]
cap_configs = state.capacity_configs()
stored = not any(work.store().missing(c, range(state.seeds)) for c in cap_configs)  # then shown at once
if not state.capacity and not stored:
    st.button(tr("gen.cap.run"), key="gen.cap_button", on_click=switch_on, args=("gen.cap",),
              icon=":material/play_arrow:")
elif work.train(cap_configs, state.seeds):
    shown = [digest(c, state.seeds) for c in cap_configs]
    measures = {m: tr(f"gen.cap.{m}") for m in analysis.CAPACITY}
    frame = digests.capacity_bands(shown).assign(series=lambda f: f["measure"].map(measures))
    shell.chart(
        charts.xy_chart,
        frame, x="width", y="median", series="series", x_title=tr("f.width"), y_title=tr("gen.y.error"),
        series_title=tr("gen.cap.measure"), names=list(measures.values()), x_base=2, percent=True,
        band=("q25", "q75"), legend_columns=1, height=400)
    st.caption(tr("gen.cap.caption"))

# ---- cross-validation ----------------------------------------------------------------------------------------------
st.subheader(tr("gen.cv"))
st.caption(tr("gen.cv.intro"))
row = st.columns([1, 1, 1], vertical_alignment="bottom")
row[0].selectbox(tr("gen.folds"), generalization_state.FOLDS, key="gen.folds")
row[1].number_input(tr("gen.cv_seeds"), *B["cv_seeds"], key="gen.cv_seeds")
if config.n_train % state.folds:
    st.info(tr("gen.cv.indivisible", n=config.n_train, k=state.folds))
elif not state.cv:
    row[2].button(tr("gen.cv.run"), key="gen.cv_button", on_click=switch_on, args=("gen.cv",),
                  icon=":material/play_arrow:")
elif work.train(folds := tuning.fold_configs(config, state.folds), state.cv_seeds):
    cv = tuning.cv_estimate([work.store().trials(c, range(state.cv_seeds)) for c in folds], main.summary)
    m = st.columns(3)
    m[0].metric(tr("gen.cv.estimate", k=state.folds), generalization_view.percent(cv["cv_error"]),
                help=tr("gen.cv.estimate.help", folds=", ".join(map(generalization_view.percent, cv["fold_errors"]))))
    m[1].metric(tr("gen.cv.val"), generalization_view.percent(cv["val_error"]))
    m[2].metric(tr("gen.cv.test"), generalization_view.percent(cv["test_error"]))
    held = config.n_train // state.folds
    st.caption(tr("gen.cv.caption", k=state.folds, rows=config.n_train - held, held=held, seeds=state.cv_seeds))

# ---- table and CSV -------------------------------------------------------------------------------------------------
st.subheader(tr("gen.table"))
summary = generalization_view.summary_table(shown)
cc = st.column_config
columns = {"network": cc.TextColumn(tr("gen.col.network")),
           "best_step_median": cc.NumberColumn(tr("gen.col.best_step"), format="%d")}
columns.update({c: cc.NumberColumn(tr(f"gen.col.{c}"), format="%.1f%%") for c in generalization_view.TABLE_COLUMNS[1:]})
st.dataframe(generalization_view.display_table(summary, config), hide_index=True, width="stretch",
             column_config=columns)
st.caption(tr("gen.table.caption"))
st.download_button(
    tr("gen.download"),
    views.to_csv(summary),
    "generalization.csv",
    "text/csv",
    icon=":material/download:",
    on_click="ignore",
)
shell.data_dictionary(views.csv_columns(summary))
shell.share_link(params)
