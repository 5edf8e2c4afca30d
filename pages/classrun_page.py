"""The class run (/class): a teacher starts a run of one experiment and shows its link; each student adds one exact
trial with their own seed; every screen shows the class's runs as they come (lab/dashboard/classrun/)."""

import sqlalchemy
import streamlit as st

from lab.dashboard import shell
from lab.dashboard.classrun import room, sections
from lab.dashboard.classrun import state as class_state
from lab.dashboard.shell import tr
from lab.storage.classruns import ClassRunError

st.title(tr("cls.title"))
st.markdown(tr("cls.intro"))
shell.hint("cls.hint")
state = shell.page_state(class_state)
if not state.code:
    sections.start_or_join()
    st.stop()
try:
    run = room.db().get(state.code)
    teacher = bool(state.teacher) and room.db().is_teacher(run.code, state.teacher)
except ClassRunError as error:
    sections.refused(error)  # no such class (a stale or mistyped link)
    st.button(tr("cls.back"), on_click=class_state.left, args=(st.session_state,), icon=":material/arrow_back:")
    st.stop()
except sqlalchemy.exc.SQLAlchemyError as error:
    sections.database_down(error)
    st.stop()
if state.teacher and not teacher:
    st.warning(tr("cls.teacher.wrong"), icon=":material/key_off:")
sections.header(run, teacher)
sections.add_form(run)
mine = st.session_state["cls.mine"]  # the run just added, if any
if mine >= 0:
    sections.own_run(run, mine)
st.subheader(tr("cls.picture"))
sections.picture(run.code, mine)
sections.download(run.code)
st.button(tr("cls.back"), on_click=class_state.left, args=(st.session_state,), icon=":material/arrow_back:")
