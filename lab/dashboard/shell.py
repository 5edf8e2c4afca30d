"""The dashboard's Streamlit helpers (the one module of lab/ that imports streamlit): the language, each page's state
read from and written to the URL, the share link, the compute budget and the bounded caches of computed results.

Page state: on a page's first run in a session (its widgets' keys absent), `*_state()` parses the URL with
`lab.dashboard.state.params` (warning about each ignored parameter) and sets the widgets' session keys; the page then
builds its
widgets with those keys and calls `sync_url` with the state they hold, so the address bar always names the view.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from lab.core import naming
from lab.core.config import TrialConfig
from lab.core.optimizers import OPTIMIZERS
from lab.dashboard.state import lecture as lecture_state
from lab.dashboard.state import optimizers as optimizers_state
from lab.dashboard.state import params as url_params
from lab.dashboard.state import results as results_state
from lab.dashboard.texts import common as texts
from lab.dashboard.views import common as views

LANG_KEY = "lang"


# ---- language ------------------------------------------------------------------------------------------------------
def lang() -> str:
    if LANG_KEY not in st.session_state:  # a page run on its own, without the entry point
        setup_language()
    return st.session_state[LANG_KEY]


def tr(key: str, /, **values) -> str:
    return texts.t(key, lang(), **values)


def words() -> dict:
    """The words of `views.describe`, translated."""
    return {name: tr(f"word.{name}") for name in naming.WORDS}


def setup_language() -> None:
    """The session's language: from ?lang=, else the browser's locale, else English (once per session)."""
    if LANG_KEY in st.session_state:
        return
    chosen, problems = url_params.parse_lang(st.query_params.to_dict())
    st.session_state[LANG_KEY] = chosen or url_params.language_of(_locale())
    show_problems(problems)


def _locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
        return None


def language_switch() -> None:
    st.sidebar.segmented_control(
        "Language / 言語", texts.LANGS, key=LANG_KEY, required=True,
        format_func=lambda code: {"ja": "日本語", "en": "English"}[code])


# ---- URL state -----------------------------------------------------------------------------------------------------
def show_problems(problems) -> None:
    """One warning listing every ignored URL parameter."""
    if problems:
        lines = [tr("url.ignored")] + [f"- `{p.param}={p.value}`: {p.reason}" for p in problems]
        st.warning("\n".join(lines), icon=":material/link_off:")


def _init_from_url(keys: tuple[str, ...], parse, to_widgets):
    """Parse the URL into widget values once per visit of a page (while its widget keys are absent)."""
    if all(k in st.session_state for k in keys):
        return
    state, problems = parse(st.query_params.to_dict())
    for key, value in to_widgets(state).items():
        st.session_state[key] = value
    show_problems(problems)


def sync_url(params: dict[str, str]) -> None:
    """Make the address bar hold exactly this page's parameters (plus the language)."""
    wanted = {**params, LANG_KEY: lang()}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def share_link(params: dict[str, str]) -> None:
    base = _url() or ""
    query = urlencode({**params, LANG_KEY: lang()}, safe=",")
    st.caption(tr("share.caption"))
    st.code(f"{base}?{query}", language=None, wrap_lines=True)


def _url() -> str | None:
    try:
        return st.context.url
    except Exception:  # noqa: BLE001 - no browser context
        return None


def init_lecture_widgets() -> None:
    """Set the lecture page's widgets from the URL on the page's first run (warning about bad parameters)."""
    _init_from_url(lecture_state.KEYS, lecture_state.parse, lecture_state.to_widgets)


def lecture_from_widgets() -> lecture_state.LectureState:
    s = st.session_state
    config = TrialConfig(task=s["lec.task"], encoding="onehot" if s["lec.onehot"] else "scalar",
                         optimizer=s["lec.optimizer"], lr=s["lec.lr"], activation=s["lec.activation"],
                         depth=s["lec.depth"], width=s["lec.width"], steps=s["lec.steps"])
    return lecture_state.LectureState(config, int(s["lec.seed"]))


def reset_lecture() -> None:
    """on_click of "back to the lecture's program"."""
    for key, value in lecture_state.to_widgets(lecture_state.LectureState()).items():
        st.session_state[key] = value


def reset_lr(prefix: str) -> None:
    """on_change of an optimizer choice: its learning-rate input goes to the new optimizer's default."""
    st.session_state[f"{prefix}.lr"] = OPTIMIZERS[st.session_state[f"{prefix}.optimizer"]].default_lr


def init_compare_widgets() -> None:
    """Set the optimizers page's widgets from the URL on the page's first run (warning about bad parameters)."""
    _init_from_url(optimizers_state.KEYS, optimizers_state.parse, optimizers_state.to_widgets)


def learning_rates_label() -> str:
    """The learning-rate section's title, with the selected optimizers' rates: "Learning rates: Adam 0.1, SGD 1"."""
    s = st.session_state
    rates = ", ".join(f"{OPTIMIZERS[n].label} {s[f'cmp.lr.{n}']:g}" for n in OPTIMIZERS if n in (s["cmp.opts"] or ()))
    return tr("cmp.lrs.with", rates=rates) if rates else tr("cmp.lrs")


def compare_from_widgets() -> optimizers_state.CompareState:
    s = st.session_state
    base = TrialConfig(task=s["cmp.task"], encoding="onehot" if s["cmp.onehot"] else "scalar", depth=s["cmp.depth"],
                       width=s["cmp.width"], activation=s["cmp.activation"], init=s["cmp.init"],
                       loss_fn=s["cmp.loss"], batch_size=s["cmp.batch"], full_batch=s["cmp.full_batch"],
                       steps=s["cmp.steps"])
    opts = tuple(dict.fromkeys(name for name in (s["cmp.opts"] or ()) if name in OPTIMIZERS))  # as chosen
    lrs = tuple((name, float(s[f"cmp.lr.{name}"])) for name in OPTIMIZERS)
    return optimizers_state.CompareState(base, opts, lrs, int(s["cmp.seeds"]), s["cmp.metric"], int(s["cmp.smooth"]),
                                 bool(s["cmp.logy"]))


def results_key() -> str | None:
    """The store entry the URL selects on the results page (warning about a malformed key)."""
    if "res.init" not in st.session_state:
        key, problems = results_state.parse(st.query_params.to_dict())
        st.session_state["res.init"] = True
        st.session_state["res.key"] = key
        show_problems(problems)
    return st.session_state.get("res.key")


# ---- tables --------------------------------------------------------------------------------------------------------
def comparison_frame(table):
    return views.readable_table(table)


def comparison_columns() -> dict:
    cc = st.column_config
    return {
        "series": cc.TextColumn(tr("col.series")),
        "success_rate": cc.ProgressColumn(tr("col.success_rate"), format="percent", min_value=0.0, max_value=1.0),
        "success_ci": cc.TextColumn(tr("col.success_ci")),
        "solved": cc.TextColumn(tr("col.solved")),
        "steps_median": cc.TextColumn(tr("col.steps_median")),
        "steps_iqr": cc.TextColumn(tr("col.steps_iqr")),
        "final_loss": cc.NumberColumn(tr("col.final_loss"), format="%.3g"),
        "diverged": cc.NumberColumn(tr("col.diverged"), format="%d"),
    }


def entries_columns() -> dict:
    cc = st.column_config
    return {"config": cc.TextColumn(tr("col.config"), width="large"), "seeds": cc.TextColumn(tr("col.seeds")),
            "n_seeds": cc.NumberColumn(tr("col.n_seeds"), format="%d"),
            "size": cc.NumberColumn(tr("col.size"), format="%.1f"),
            "modified": cc.DatetimeColumn(tr("col.modified"), format="YYYY-MM-DD HH:mm"),
            "key": cc.TextColumn(tr("col.key"))}


def forget_selection() -> None:
    st.session_state["res.key"] = None


def ask_delete(key: str) -> None:
    st.session_state["res.confirm"] = key


def cancel_delete() -> None:
    st.session_state.pop("res.confirm", None)
