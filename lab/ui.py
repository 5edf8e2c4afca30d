"""The dashboard's Streamlit helpers (the one module of lab/ that imports streamlit): the language, each page's state
read from and written to the URL, the share link, the compute budget and the bounded caches of computed results.

Page state: on a page's first run in a session (its widgets' keys absent), `*_state()` parses the URL with
`lab.urlstate` (warning about each ignored parameter) and sets the widgets' session keys; the page then builds its
widgets with those keys and calls `sync_url` with the state they hold, so the address bar always names the view.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from . import budget, i18n, urlstate, views
from .config import TrialConfig
from .optimizers import OPTIMIZERS
from .store import Store

LANG_KEY = "lang"


# ---- language ------------------------------------------------------------------------------------------------------
def lang() -> str:
    if LANG_KEY not in st.session_state:  # a page run on its own, without the entry point
        setup_language()
    return st.session_state[LANG_KEY]


def tr(key: str, /, **values) -> str:
    return i18n.t(key, lang(), **values)


def words() -> dict:
    """The words of `views.describe`, translated."""
    return {name: tr(f"word.{name}") for name in views.WORDS}


def setup_language() -> None:
    """The session's language: from ?lang=, else the browser's locale, else English (once per session)."""
    if LANG_KEY in st.session_state:
        return
    chosen, problems = urlstate.parse_lang(st.query_params.to_dict())
    st.session_state[LANG_KEY] = chosen or urlstate.language_of(_locale())
    show_problems(problems)


def _locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
        return None


def language_switch() -> None:
    st.sidebar.segmented_control(
        "Language / 言語", urlstate.LANGS, key=LANG_KEY, required=True,
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


# Lecture page: widget keys and their values from a LectureState
LECTURE_KEYS = ("lec.seed", "lec.onehot", "lec.task", "lec.optimizer", "lec.lr", "lec.activation", "lec.depth",
                "lec.width", "lec.steps")


def _lecture_widgets(state: urlstate.LectureState) -> dict:
    c = state.config
    return {"lec.seed": state.seed, "lec.onehot": c.encoding == "onehot", "lec.task": c.task,
            "lec.optimizer": c.optimizer, "lec.lr": c.lr, "lec.activation": c.activation, "lec.depth": c.depth,
            "lec.width": c.width, "lec.steps": c.steps}


def lecture_state() -> None:
    """Set the lecture page's widgets from the URL on the page's first run (warning about bad parameters)."""
    _init_from_url(LECTURE_KEYS, urlstate.parse_lecture, _lecture_widgets)


def lecture_from_widgets() -> urlstate.LectureState:
    s = st.session_state
    config = TrialConfig(task=s["lec.task"], encoding="onehot" if s["lec.onehot"] else "scalar",
                         optimizer=s["lec.optimizer"], lr=s["lec.lr"], activation=s["lec.activation"],
                         depth=s["lec.depth"], width=s["lec.width"], steps=s["lec.steps"])
    return urlstate.LectureState(config, int(s["lec.seed"]))


def reset_lecture() -> None:
    """on_click of "back to the lecture's program"."""
    for key, value in _lecture_widgets(urlstate.LectureState()).items():
        st.session_state[key] = value


def reset_lr(prefix: str) -> None:
    """on_change of an optimizer choice: its learning-rate input goes to the new optimizer's default."""
    st.session_state[f"{prefix}.lr"] = OPTIMIZERS[st.session_state[f"{prefix}.optimizer"]].default_lr


# Optimizers page
COMPARE_KEYS = ("cmp.task", "cmp.onehot", "cmp.depth", "cmp.width", "cmp.activation", "cmp.init", "cmp.loss",
                "cmp.batch", "cmp.full_batch", "cmp.steps", "cmp.seeds", "cmp.opts", "cmp.metric", "cmp.smooth",
                "cmp.logy", *(f"cmp.lr.{name}" for name in OPTIMIZERS))


def _compare_widgets(state: urlstate.CompareState) -> dict:
    b = state.base
    values = {"cmp.task": b.task, "cmp.onehot": b.encoding == "onehot", "cmp.depth": b.depth, "cmp.width": b.width,
              "cmp.activation": b.activation, "cmp.init": b.init, "cmp.loss": b.loss_fn, "cmp.batch": b.batch_size,
              "cmp.full_batch": b.full_batch, "cmp.steps": b.steps, "cmp.seeds": state.seeds,
              "cmp.opts": list(state.optimizers), "cmp.metric": state.metric, "cmp.smooth": state.smooth,
              "cmp.logy": state.logy}
    values.update({f"cmp.lr.{name}": lr for name, lr in state.lrs})
    return values


def compare_state() -> None:
    """Set the optimizers page's widgets from the URL on the page's first run (warning about bad parameters)."""
    _init_from_url(COMPARE_KEYS, urlstate.parse_compare, _compare_widgets)


def learning_rates_label() -> str:
    """The learning-rate section's title, with the selected optimizers' rates: "Learning rates: Adam 0.1, SGD 1"."""
    s = st.session_state
    rates = ", ".join(f"{OPTIMIZERS[n].label} {s[f'cmp.lr.{n}']:g}" for n in OPTIMIZERS if n in (s["cmp.opts"] or ()))
    return tr("cmp.lrs.with", rates=rates) if rates else tr("cmp.lrs")


def compare_from_widgets() -> urlstate.CompareState:
    s = st.session_state
    base = TrialConfig(task=s["cmp.task"], encoding="onehot" if s["cmp.onehot"] else "scalar", depth=s["cmp.depth"],
                       width=s["cmp.width"], activation=s["cmp.activation"], init=s["cmp.init"],
                       loss_fn=s["cmp.loss"], batch_size=s["cmp.batch"], full_batch=s["cmp.full_batch"],
                       steps=s["cmp.steps"])
    opts = tuple(dict.fromkeys(name for name in (s["cmp.opts"] or ()) if name in OPTIMIZERS))  # as chosen
    lrs = tuple((name, float(s[f"cmp.lr.{name}"])) for name in OPTIMIZERS)
    return urlstate.CompareState(base, opts, lrs, int(s["cmp.seeds"]), s["cmp.metric"], int(s["cmp.smooth"]),
                                 bool(s["cmp.logy"]))


def results_key() -> str | None:
    """The store entry the URL selects on the results page (warning about a malformed key)."""
    if "res.init" not in st.session_state:
        key, problems = urlstate.parse_key(st.query_params.to_dict())
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


def store_entries():
    return views.entries(store())


def entry_summary(key: str):
    table = views.entry_table(store(), key, tr("lr"))
    return table if table is not None else pd.DataFrame()


def entry_csv(key: str) -> bytes:
    return views.entry_csv(store(), key)


def forget_selection() -> None:
    st.session_state["res.key"] = None


def ask_delete(key: str) -> None:
    st.session_state["res.confirm"] = key


def cancel_delete() -> None:
    st.session_state.pop("res.confirm", None)


def delete_entry(key: str, name: str) -> None:
    store().delete(key)
    forget_results()
    st.session_state.pop("res.confirm", None)
    st.session_state["res.key"] = None
    st.session_state["res.deleted"] = name


def curves_csv(configs: tuple, n_seeds: int) -> bytes:
    """Every seed's curves of the configs (built when the download is clicked)."""
    return views.curves_csv(store(), list(configs), n_seeds)


# ---- compute budget ------------------------------------------------------------------------------------------------
def max_work() -> int:
    return budget.max_work(_setting("max_work", "LAB_MAX_WORK"))


def _setting(name: str, env: str):
    """A hosted-mode setting: `.streamlit/secrets.toml`'s `name`, else the environment variable `env`."""
    try:
        value = st.secrets.get(name)
    except Exception:  # noqa: BLE001 - no secrets file
        value = None
    return value if value is not None else os.environ.get(env)


def allow_delete() -> bool:
    """Whether visitors may delete stored results (`allow_delete = false` in secrets, or LAB_ALLOW_DELETE=0, turns
    it off on a shared server)."""
    value = _setting("allow_delete", "LAB_ALLOW_DELETE")
    return value is None or str(value).strip().lower() not in ("0", "false", "no")


def within_budget(configs, trials_each: int) -> bool:
    """True if the request fits the budget; else an error saying the limit, and False."""
    needed, limit = budget.work(configs, trials_each), max_work()
    if needed <= limit:
        return True
    st.error(tr("budget.over", needed=f"{needed:,}", limit=f"{limit:,}"), icon=":material/block:")
    return False


# ---- bounded caches of computed results (shared by every session of the server) ----------------------------------
def store() -> Store:
    return Store()


def _root() -> str:
    return str(store().root.resolve())


@st.cache_data(max_entries=64, ttl=6 * 3600, show_spinner=False)
def _trial(root: str, config: TrialConfig, seed: int) -> views.Trial:
    return views.trial(Store(root), config, seed)


def trial(config: TrialConfig, seed: int) -> views.Trial:
    return _trial(_root(), config, seed)


def pending(config: TrialConfig, n_seeds: int) -> list[list[int]]:
    """The seeds 0..n-1 the store lacks for `config`, in chunks of about `views.CHUNK_WORK` trial-steps."""
    return views.pending(store(), config, n_seeds)


def train_and_store(config: TrialConfig, seeds: list[int]) -> None:
    store().runs(config, seeds)


@st.cache_data(max_entries=256, ttl=6 * 3600, show_spinner=False)
def _digest(root: str, config: TrialConfig, n_seeds: int, smooth: int) -> views.Digest:
    return views.digest(Store(root), config, n_seeds, smooth)


def digest(config: TrialConfig, n_seeds: int, smooth: int = 1) -> views.Digest:
    return _digest(_root(), config, n_seeds, smooth)


def forget_results() -> None:
    """After the store changed under them (an entry deleted)."""
    _trial.clear()
    _digest.clear()
