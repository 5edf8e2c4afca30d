"""The class run (/class): a teacher starts a run of one experiment and shows its link; each student adds one exact
trial with their own seed; every screen shows the class's runs as they come (lab/dashboard/classrun/). The page's
parts, in the order it draws them: the start / join forms (no class yet), the class's links and the teacher's buttons,
the student's "Add my run" form, the visitor's own run, the class's picture (a fragment redrawn every
`room.REFRESH_S` seconds from tables every viewer shares), and the CSV."""

import logging
import math
import secrets

import pandas as pd
import sqlalchemy
import streamlit as st

from lab.compute.service import QueueFull
from lab.core import naming
from lab.core.config import ACTIVATIONS, LIMITS, MAX_SEED
from lab.core.optimizers import OPTIMIZERS
from lab.dashboard import shell, work
from lab.dashboard.classrun import actions, room, tables
from lab.dashboard.classrun import charts as class_charts
from lab.dashboard.classrun import state as class_state
from lab.dashboard.shared import params as url_params
from lab.dashboard.shared import replay as replays
from lab.dashboard.shell import tr
from lab.science import inspect
from lab.storage import classruns
from lab.storage.classruns import ClassRunError

log = logging.getLogger("lab.dashboard.classrun")
SESSION_KEY = "cls.session"  # this visitor's own token: the per-session bound counts its runs


def refused(error: ClassRunError) -> None:
    """One short warning saying why the class store refused (its reason, in this language)."""
    values = {k: url_params.shown(v, 20) if isinstance(v, str) else v for k, v in error.values.items()}
    st.warning(tr(error.reason, **values), icon=":material/block:")


def database_down(error: Exception) -> None:
    log.warning("class runs' database: %s", error)
    st.warning(tr("class.err.database"), icon=":material/cloud_off:")


def session_token() -> str:
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = secrets.token_hex(8)
    return st.session_state[SESSION_KEY]


def base_url() -> str:
    """This page's address without its query ("" where no browser is behind it)."""
    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser context (tests)
        url = ""
    return url.split("?", 1)[0]


def start_or_join() -> None:
    notice = st.session_state.pop(actions.NOTICE, None)
    if notice:
        refused(ClassRunError(notice[0], **notice[1]))
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(tr("cls.start.title"))
        st.caption(tr("cls.start.caption"))
        with st.form("cls.start"):
            row = st.columns(3)
            row[0].selectbox(tr("f.optimizer"), tuple(OPTIMIZERS), key="cls.optimizer",
                             format_func=lambda name: OPTIMIZERS[name].label)
            row[1].number_input(tr("f.lr"), url_params.MIN_LR, LIMITS["lr"][1], key="cls.lr", format="%g", step=0.01)
            row[2].selectbox(tr("f.activation"), ACTIVATIONS, key="cls.activation")
            row = st.columns(3)
            row[0].number_input(tr("f.depth"), *LIMITS["depth"], key="cls.depth")
            row[1].number_input(tr("f.width"), *LIMITS["width"], key="cls.width")
            row[2].number_input(tr("f.steps"), *LIMITS["steps"], key="cls.steps", step=100)
            st.form_submit_button(tr("cls.start.button"), type="primary", icon=":material/groups:",
                                  on_click=actions.start, args=(st.session_state,))
    with right:
        st.subheader(tr("cls.join.title"))
        with st.form("cls.join"):
            st.text_input(tr("cls.join.code"), max_chars=16, key="cls.join.code")
            st.form_submit_button(tr("cls.join.button"), icon=":material/login:", on_click=actions.join,
                                  args=(st.session_state,))


# ---- the class run: links, the teacher's buttons -------------------------------------------------------------------
def header(run, teacher: bool) -> None:
    st.markdown(tr("cls.experiment", code=run.code, name=naming.describe(run.config, shell.words())))
    link = f"{base_url()}?code={run.code}"
    if not teacher:
        return
    st.success(tr("cls.teacher.mode"), icon=":material/school:")
    left, right = st.columns([3, 1], gap="large")
    with left:
        st.caption(tr("cls.link.students"))
        st.code(link, language=None, wrap_lines=True)
        st.caption(tr("cls.link.teacher"))
        st.code(f"{link}&teacher={st.session_state['cls.teacher']}", language=None, wrap_lines=True)
        buttons = st.columns(2)
        close = buttons[0].button(tr("cls.close"), icon=":material/lock:", disabled=not run.is_open)
        reveal = buttons[1].button(tr("cls.reveal"), icon=":material/visibility:", disabled=run.revealed is not None)
    with right:
        st.image(actions.qr_png(link), caption=tr("cls.qr"), width=220)
    secret = st.session_state["cls.teacher"]
    try:
        if close:
            room.db().close(run.code, secret)
            st.rerun()
        if reveal and work.train([run.config], room.REFERENCE_SEEDS):  # trained here, once, before anyone shows it
            room.db().reveal(run.code, secret)
            st.rerun()
    except ClassRunError as e:
        refused(e)


def add_form(run) -> None:
    if not run.is_open:
        st.info(tr("cls.closed"), icon=":material/lock:")
        return
    st.subheader(tr("cls.add.title"))
    if "cls.seed" not in st.session_state:
        st.session_state["cls.seed"] = max(0, st.session_state.get("cls.mine", -1))
    st.button(tr("cls.random"), on_click=actions.random_seed, args=(st.session_state,), icon=":material/casino:")
    with st.form("cls.add"):
        row = st.columns([2, 2, 1.3], vertical_alignment="bottom")
        row[0].number_input(tr("cls.seed"), 0, MAX_SEED, step=1, key="cls.seed",
                            help=tr("cls.seed.help", max=f"{MAX_SEED:,}"))
        row[1].text_input(tr("cls.nickname"), max_chars=classruns.MAX_NICKNAME, key="cls.nick",
                          help=tr("cls.nickname.help", limit=classruns.MAX_NICKNAME))
        pressed = row[2].form_submit_button(tr("cls.add.button"), type="primary", icon=":material/add:")
    if pressed:
        add(run, int(st.session_state["cls.seed"]), st.session_state.get("cls.nick"))


def add(run, seed: int, nickname: str | None) -> None:
    """Train the visitor's trial (with the others that arrive together) and add it to the class; every refusal is
    one line."""
    db, session = room.db(), session_token()
    try:
        nickname = classruns.clean_nickname(nickname)
        db.check_can_add(run.code, seed, session)
        first = db.existing(run.code, seed)
        if first is None:
            with st.spinner(tr("cls.add.training", seed=seed)):
                outcome = room.train_together(run.config, seed)
            final = float(outcome.table_loss[-1])
            added = db.add(run.code, seed, session, solved=outcome.solved, steps_to_solve=outcome.steps_to_solve,
                           final_loss=final if math.isfinite(final) else math.nan,
                           curve=classruns.thin_curve(outcome.table_loss), nickname=nickname)
            fresh = added.first
        else:
            fresh = False
    except ClassRunError as e:
        return refused(e)
    except QueueFull:
        return st.warning(tr("queue.full"), icon=":material/hourglass_top:")
    except sqlalchemy.exc.SQLAlchemyError as e:
        return database_down(e)
    class_state.added(st.session_state, seed)
    shell.sync_url(class_state.to_params(class_state.from_widgets(st.session_state)))
    if fresh:
        st.success(tr("cls.add.done", seed=seed), icon=":material/check_circle:")
    else:
        st.info(tr("cls.add.again", seed=seed), icon=":material/info:")


def own_run(run, seed: int) -> None:
    """The visitor's own run: its numbers, its curve and the replay of its network."""
    mine = room.db().existing(run.code, seed)
    if mine is None:
        return
    st.subheader(tr("cls.mine.title", seed=seed))
    m = st.columns(3)
    m[0].metric(tr("cls.mine.solved"), tr("cls.mine.yes") if mine.solved else tr("cls.mine.no"))
    m[1].metric(tr("cls.mine.steps"), tr("cls.never") if math.isnan(mine.steps_to_solve)
                else f"{mine.steps_to_solve:.0f}")
    m[2].metric(tr("cls.mine.loss"), f"{mine.final_loss:.4g}")
    trial = work.trial(run.config, seed)
    curves = trial.curves(tr("lec.curve.minibatch"), tr("lec.curve.table"), points=200)
    shell.chart(class_charts.own_curve_chart, curves, x_title=tr("step"), y_title=tr("loss"),
                series_title=tr("lec.curve.series"))
    if replays.replayable(run.config):
        if not st.toggle(tr("cls.replay"), key="cls.replay.on", help=tr("cls.replay.help")):
            return
        frames = work.replay(run.config, seed)
        nodes, edges = inspect.network_layout(run.config, trial.params)
        shell.replay(frames, nodes, edges, name="frame")
    else:
        st.caption(tr("lec.replay.big", units=replays.MAX_REPLAY_UNITS))


# ---- the class's picture -----------------------------------------------------------------------------------------
@st.fragment(run_every=room.REFRESH_S)
def picture(code: str, mine: int) -> None:
    try:
        run, shown = room.db().get(code), room.picture(code)
    except ClassRunError as e:
        return refused(e)
    except sqlalchemy.exc.SQLAlchemyError as e:
        return database_down(e)
    frame, rate = shown["frame"], shown["success"]
    reference = None
    if run.revealed is not None and work.train([run.config], room.REFERENCE_SEEDS):
        reference = tables.reference_frame(work.digest(run.config, room.REFERENCE_SEEDS).trials)
    m = st.columns(3)
    m[0].metric(tr("cls.count"), f"{len(frame):,}")
    m[1].metric(tr("cls.rate"), "–" if not rate["n"] else f"{rate['rate']:.0%}")
    if rate["n"]:
        m[1].caption(tr("cls.rate.interval", lo=f"{rate['lo']:.0%}", hi=f"{rate['hi']:.0%}"))
    if reference is not None:
        ref = tables.success(reference)
        m[2].metric(tr("cls.reference.rate"), f"{ref['rate']:.0%}")
        m[2].caption(tr("cls.rate.interval", lo=f"{ref['lo']:.1%}", hi=f"{ref['hi']:.1%}"))
    if frame.empty:
        st.info(tr("cls.empty"), icon=":material/hourglass_empty:")
        return
    if reference is not None:
        st.caption(tr("cls.reference.caption"))
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**{tr('cls.curves')}**")
        shell.chart(class_charts.curves_chart, shown["curves"], shown["median"], x_title=tr("step"),
                    y_title=tr("loss"), median_title=tr("cls.median"), values={"mine": mine})
        st.caption(tr("cls.curves.caption", mine=tr("cls.curves.mine") if (frame["seed"] == mine).any() else "",
                      points=classruns.CURVE_POINTS))
    with right:
        st.markdown(f"**{tr('cls.hist')}**")
        never = tr("cls.never")
        bars = tables.histogram(frame["steps_to_solve"], run.config.steps, never).assign(
            series=tr("cls.series.class"))
        if reference is not None:
            bars = pd.concat([bars, tables.histogram(reference["steps_to_solve"], run.config.steps, never).assign(
                series=tr("cls.series.reference"))], ignore_index=True)
        own = frame[frame["seed"] == mine]
        shell.chart(class_charts.histogram_chart, bars, x_title=tr("cls.hist.x"), y_title=tr("cls.hist.y"),
                    series_title=tr("cls.series"), values={"mine_bar": "" if own.empty else actions.mine_bar(
                        bars, float(own["steps_to_solve"].iloc[0]), never)})


def download(code: str) -> None:
    """The class's runs as CSV, made when the button is pressed (so always every run so far), and its columns."""
    db = room.db()
    st.download_button(tr("cls.csv"), lambda: tables.csv_bytes(tables.runs_frame(db.runs_since(code))),
                       f"class_{code}_runs.csv", "text/csv", icon=":material/download:", on_click="ignore")
    shell.data_dictionary(tables.CSV_COLUMNS)


# ---- the page --------------------------------------------------------------------------------------------------------
st.title(tr("cls.title"))
st.markdown(tr("cls.intro"))
shell.hint("cls.hint")
state = shell.page_state(class_state)
if not state.code:
    start_or_join()
    st.stop()
try:
    run = room.db().get(state.code)
    teacher = bool(state.teacher) and room.db().is_teacher(run.code, state.teacher)
except ClassRunError as error:
    refused(error)  # no such class (a stale or mistyped link)
    st.button(tr("cls.back"), on_click=class_state.left, args=(st.session_state,), icon=":material/arrow_back:")
    st.stop()
except sqlalchemy.exc.SQLAlchemyError as error:
    database_down(error)
    st.stop()
if state.teacher and not teacher:
    st.warning(tr("cls.teacher.wrong"), icon=":material/key_off:")
header(run, teacher)
add_form(run)
mine = st.session_state["cls.mine"]  # the run just added, if any
if mine >= 0:
    own_run(run, mine)
st.subheader(tr("cls.picture"))
picture(run.code, mine)
download(run.code)
st.button(tr("cls.back"), on_click=class_state.left, args=(st.session_state,), icon=":material/arrow_back:")
