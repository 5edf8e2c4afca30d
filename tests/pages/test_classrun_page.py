"""The class run page, run headless with AppTest: starting a run (the teacher's link and QR code), a student's run
(checked against the plain PyTorch program), the class's picture and CSV, the teacher's close and reveal, and every
bad input answered with one line (no such code, a wrong teacher secret, the same seed twice, a closed class, a
session's bound, a request over the budget)."""

from __future__ import annotations

import math

import pytest
import torch
from helpers import charts, ok, run_page, specs
from reference import TABLE_ROWS, plain_run, table_targets

from lab.core.config import TrialConfig
from lab.dashboard import shell
from lab.dashboard.classrun import room
from lab.science import inspect
from lab.storage import classruns
from lab.storage.store import Store

pytestmark = pytest.mark.usefixtures("store_dir")  # an empty store (and class runs' database) per test

SMALL = TrialConfig(steps=200)


def en(key: str, **values) -> str:
    return shell.text(key, "en", **values)


def started(config: TrialConfig = SMALL) -> tuple[str, str]:
    """A class run of `config` in this test's database: (code, teacher secret)."""
    return room.db().start(config)


def add_my_run(at, seed: int, nickname: str = ""):
    at.number_input(key="cls.seed").set_value(seed)
    at.text_input(key="cls.nick").set_value(nickname)
    next(b for b in at.button if b.label == en("cls.add.button")).click()
    return ok(at.run())


def metric(at, key: str) -> str:
    return next(m.value for m in at.metric if m.label == en(key))


def test_the_teacher_starts_a_class_run_and_keeps_control_by_its_link():
    at = ok(run_page("classrun"))
    assert [b.label for b in at.button] == [en("cls.start.button"), en("cls.join.button")]
    assert charts(at) == 0  # the default view: a form, nothing computed
    at.selectbox(key="cls.optimizer").set_value("sgd")
    at.number_input(key="cls.lr").set_value(0.5)
    at.selectbox(key="cls.activation").set_value("tanh")
    at.number_input(key="cls.depth").set_value(2)
    at.number_input(key="cls.steps").set_value(300)
    next(b for b in at.button if b.label == en("cls.start.button")).click()
    ok(at.run())
    code, secret = at.query_params["code"], at.query_params["teacher"]
    run = room.db().get(code)
    assert (run.config.optimizer, run.config.lr, run.config.activation, run.config.depth, run.config.steps) == (
        "sgd", 0.5, "tanh", 2, 300)
    assert room.db().is_teacher(code, secret)
    links = [c.value for c in at.code]
    assert f"?code={code}" in links and f"?code={code}&teacher={secret}" in links
    assert len(at.get("image")) == 1  # the QR code
    assert metric(at, "cls.count") == "0" and at.info[-1].value == en("cls.empty")
    again = ok(run_page("classrun", {"code": code, "teacher": secret}))  # a reload, another device
    assert [s.value for s in again.success] == [en("cls.teacher.mode")]
    assert any(b.label == en("cls.close") for b in again.button)


def test_a_students_run_is_the_plain_program_and_joins_the_class(downloads):
    code, _ = started()
    at = add_my_run(ok(run_page("classrun", {"code": code})), 12345, nickname="<b>Ada</b>")
    assert [s.value for s in at.success] == [en("cls.add.done", seed=12345)]
    assert at.query_params["mine"] == "12345" and "teacher" not in at.query_params
    assert not any(b.label == en("cls.close") for b in at.button)  # a student cannot close it
    (row,) = room.db().runs_since(code)
    plain = plain_run(SMALL, 12345)
    outputs = plain["table_outputs"][-1]
    targets = table_targets(SMALL)
    final = float(torch.nn.functional.mse_loss(outputs, targets))
    assert row.final_loss == pytest.approx(final, rel=1e-5, abs=1e-7)
    assert row.solved == bool(((outputs > 0.5).float() == targets).all()) and row.nickname == "<b>Ada</b>"
    assert row.curve["every"] == math.ceil(201 / classruns.CURVE_POINTS)
    assert metric(at, "cls.count") == "1"
    assert metric(at, "cls.mine.loss") == f"{row.final_loss:.4g}"
    assert charts(at) == 3  # own curve, the class's curves and histogram
    at.toggle(key="cls.replay.on").set_value(True)
    ok(at.run())
    assert charts(at) == 4  # and the replay
    marked = {p["name"]: p["value"] for spec in specs(at) for p in spec.get("params", [])}
    assert marked["mine"] == 12345 and marked["mine_bar"]  # the own run, marked on the class's charts
    csv = downloads(next(b for b in at.get("download_button") if b.label == en("cls.csv")))
    assert list(csv.columns) == ["seed", "trial_solved", "steps_to_solve", "final_loss", "submitted_at"]
    assert csv["seed"].tolist() == [12345] and csv["final_loss"].iloc[0] == pytest.approx(final, rel=1e-4)
    assert "<b>" not in csv.to_csv()  # nicknames are kept, never shown or exported


def test_the_same_seed_twice_shows_the_first_run():
    code, _ = started()
    first = add_my_run(ok(run_page("classrun", {"code": code})), 7)
    second = add_my_run(ok(run_page("classrun", {"code": code})), 7)  # another visitor, the same seed
    assert en("cls.add.again", seed=7) in [i.value for i in second.info]
    assert room.db().count(code) == 1
    assert metric(second, "cls.mine.loss") == metric(first, "cls.mine.loss")


def test_bad_links_and_refusals_each_get_one_line(monkeypatch):
    at = ok(run_page("classrun", {"code": "ZZZZZZ"}))
    assert [w.value for w in at.warning] == [en("class.err.code", code="ZZZZZZ")]
    code, secret = started()
    at = ok(run_page("classrun", {"code": code, "teacher": "not-the-teachers-secret"}))
    assert [w.value for w in at.warning] == [en("cls.teacher.wrong")]
    assert not any(b.label == en("cls.close") for b in at.button)
    monkeypatch.setattr(classruns, "MAX_PER_SESSION", 1)
    at = add_my_run(ok(run_page("classrun", {"code": code})), 1)
    at = add_my_run(at, 2)
    assert [w.value for w in at.warning] == [en("class.err.session_full", limit=1)]
    assert room.db().count(code) == 1
    room.db().close(code, secret)
    at = ok(run_page("classrun", {"code": code}))
    assert en("cls.closed") in [i.value for i in at.info]
    assert not any(b.label == en("cls.add.button") for b in at.button)
    assert metric(at, "cls.count") == "1"  # what was added stays


def test_joining_by_a_typed_code():
    code, _ = started()
    at = ok(run_page("classrun"))
    at.text_input(key="cls.join.code").set_value(code.lower())
    next(b for b in at.button if b.label == en("cls.join.button")).click()
    ok(at.run())
    assert at.query_params["code"] == code
    at = ok(run_page("classrun"))
    at.text_input(key="cls.join.code").set_value("**0O**")
    next(b for b in at.button if b.label == en("cls.join.button")).click()
    ok(at.run())
    (warning,) = at.warning
    assert warning.value.startswith(en("class.err.code", code="")[:20]) and "code" not in at.query_params


def test_a_class_run_over_the_budget_is_refused_before_it_starts(monkeypatch):
    monkeypatch.setenv("LAB_MAX_WORK", "10")
    at = ok(run_page("classrun"))
    next(b for b in at.button if b.label == en("cls.start.button")).click()
    ok(at.run())
    assert "code" not in at.query_params
    assert [w.value for w in at.warning] == [en("budget.over", needed="1,000", limit="10")]


@pytest.mark.slow
def test_the_teacher_reveals_the_labs_seeds_and_closes_the_run(store_dir):
    config = TrialConfig(steps=40)
    code, secret = started(config)
    add_my_run(ok(run_page("classrun", {"code": code})), 3)
    at = ok(run_page("classrun", {"code": code, "teacher": secret}))
    next(b for b in at.button if b.label == en("cls.reveal")).click()
    ok(at.run())
    assert room.db().get(code).revealed is not None
    student = ok(run_page("classrun", {"code": code, "lang": "ja"}))
    ref = next(m for m in student.metric if m.label == shell.text("cls.reference.rate", "ja"))
    stored = Store(store_dir).trials(config, range(1000))  # the lab's 1,000 seeds, as the page read them
    assert ref.value == f"{stored.solved.mean():.0%}"
    targets = table_targets(config).numpy().ravel()
    for seed in range(0, 1000, 40):  # each checked against the plain program
        outputs = inspect.forward(config, plain_run(config, seed, trace=False)["params"].numpy(), TABLE_ROWS)
        assert bool(stored.solved[seed]) == bool(((outputs.ravel() > 0.5) == targets).all()), seed
    next(b for b in at.button if b.label == en("cls.close")).click()
    ok(at.run())
    assert not room.db().get(code).is_open


def test_a_database_out_of_reach_is_one_line(monkeypatch):
    monkeypatch.setenv("LAB_CLASS_DB", "postgresql+psycopg://lab@127.0.0.1:1/nothing?connect_timeout=2")
    at = ok(run_page("classrun", {"code": "K7MPQ2"}))
    assert [w.value for w in at.warning] == [en("class.err.database")]
    at = ok(run_page("classrun"))
    next(b for b in at.button if b.label == en("cls.start.button")).click()
    ok(at.run())
    assert [w.value for w in at.warning] == [en("class.err.database")] and "code" not in at.query_params
