"""The dashboard's frame, shared by every page: the language and the texts (each page's, assembled here), each page's
state read from and written to the URL, the share link, charts, replays, the comparison table's columns and the data
dictionary.

Page state: `page_state(module)`, with a page's state module (`lab.dashboard.<page>.state`), parses the URL on the
page's first run in a session (its widgets' keys absent; warning about each ignored parameter) and sets the widgets'
session keys; then it reads the state the widgets hold and writes it to the URL (`sync_url`), so the address bar
always names the view. The page builds its widgets with those keys.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from lab.core import naming
from lab.dashboard.classrun import texts as classrun_texts
from lab.dashboard.depth import texts as depth_texts
from lab.dashboard.generalization import texts as generalization_texts
from lab.dashboard.landscape import texts as landscape_texts
from lab.dashboard.lecture import texts as lecture_texts
from lab.dashboard.memo import remembered
from lab.dashboard.neurons import texts as neurons_texts
from lab.dashboard.optimizers import texts as optimizers_texts
from lab.dashboard.papers import texts as papers_texts
from lab.dashboard.results import texts as results_texts
from lab.dashboard.shared import charts as shared_charts
from lab.dashboard.shared import columns, reasons, texts
from lab.dashboard.shared import params as url_params
from lab.dashboard.shared import replay as replays
from lab.dashboard.shared import tables as views
from lab.dashboard.tuning import texts as tuning_texts

LANG_KEY = "lang"
# every text of the dashboard: the shared ones, the data dictionary's and each page's
STRINGS = {**texts.STRINGS, **columns.STRINGS}
for _page in (lecture_texts, optimizers_texts, results_texts, depth_texts, generalization_texts, tuning_texts,
              neurons_texts, landscape_texts, classrun_texts, papers_texts):
    STRINGS.update(_page.STRINGS)


def text(key: str, lang: str = "en", /, **values) -> str:
    """The text of `key` in `lang` ("ja" or "en"; anything else reads as English), with `values` filled in."""
    return texts.translate(STRINGS, key, lang, **values)


# ---- language ------------------------------------------------------------------------------------------------------
def lang() -> str:
    if LANG_KEY not in st.session_state:  # a page run on its own, without the entry point
        setup_language()
    return st.session_state[LANG_KEY]


def tr(key: str, /, **values) -> str:
    return text(key, lang(), **values)


def spinner(key: str):
    """A spinner saying text `key` while the block runs."""
    return st.spinner(tr(key))


def words() -> dict:
    """The words of `views.describe`, translated."""
    return {name: tr(f"word.{name}") for name in naming.WORDS}


def setup_language() -> None:
    """The session's language: from ?lang=, else the browser's locale, else English (once per session)."""
    if LANG_KEY in st.session_state:
        return
    chosen, problems = url_params.parse_lang(query())
    st.session_state[LANG_KEY] = chosen or url_params.language_of(_locale())
    show_problems(problems)


def _locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
        return None


def hint(key: str) -> None:
    """A page's one line on what to look at, under its title."""
    st.info(tr(key), icon=":material/visibility:")


def language_switch() -> None:
    st.sidebar.segmented_control(
        "Language / 言語", texts.LANGS, key=LANG_KEY, required=True,
        format_func=lambda code: {"ja": "日本語", "en": "English"}[code])


# ---- URL state -----------------------------------------------------------------------------------------------------
def show_problems(problems) -> None:
    """One warning listing every ignored URL parameter."""
    if problems:
        lines = [tr("url.ignored")] + [f"- `{p.param}={p.value}`: {reasons.reason(p.reason, lang())}"
                                       for p in problems]
        st.warning("\n".join(lines), icon=":material/link_off:")


def query() -> dict[str, list[str]]:
    """The URL's query parameters, each with every value it was given (a repeated name is a problem to report)."""
    return {name: st.query_params.get_all(name) for name in st.query_params}


def page_state(page: url_params.PageState):
    """The state of a page, `page` being its state module (`lab.dashboard.<page>.state`): on a new visit its widgets are
    set from the URL (warning about each ignored parameter), afterwards only those that were not drawn in the last run;
    the state the widgets then hold is written to the URL and returned."""
    values, problems = url_params.initial_values(page, st.session_state, query())
    st.session_state.update(values)
    show_problems(problems)
    state = page.from_widgets(st.session_state)
    sync_url(page.to_params(state))
    return state


def sync_url(params: dict[str, str]) -> None:
    """Make the address bar hold exactly this page's parameters (plus the language), each once."""
    wanted = {**params, LANG_KEY: lang()}
    if query() != {name: [value] for name, value in wanted.items()}:
        st.query_params.from_dict(wanted)


def share_link(params: dict[str, str]) -> None:
    """The link to this view, without the language: it opens in each reader's own language (the browser's, or the
    one chosen in the sidebar), unless the sender adds `lang` to insist (the address bar keeps it, for reloads)."""
    base = _url() or ""
    text = urlencode(params, safe=",")
    st.caption(tr("share.caption"))
    st.code(f"{base}?{text}" if text else base, language=None, wrap_lines=True)


def _url() -> str | None:
    try:
        return st.context.url
    except Exception:  # noqa: BLE001 - no browser context
        return None


# ---- charts --------------------------------------------------------------------------------------------------------
def chart(build, /, *args, width: str = "stretch", values: dict | None = None, **kwargs) -> None:
    """Draw the Altair chart `build(*args, **kwargs)` (a builder of a page's `charts` module) at the page's width
    (`width="content"`: at the chart's own). Its Vega-Lite spec, data included, is made once per arguments (tables
    keyed by content, texts as they are, so each language has its own) for every visitor: building and validating
    Altair charts was most of a view's server time. `values`: the values of the chart's top-level parameters for
    this visitor (its own run, say), set in the shared spec without building it again."""
    if any(callable(a) and not isinstance(a, type) for a in (*args, *kwargs.values())):
        raise TypeError("shell.chart: pass values, not functions (a function's result may differ between calls)")
    spec = dict(_spec(build, args, kwargs))  # a copy: Streamlit moves the datasets out of the dict it is given
    if values:
        spec["params"] = [{**p, "value": values[p["name"]]} if p.get("name") in values else p
                          for p in spec.get("params", [])]
    st.vega_lite_chart(spec, width=width)


@remembered
def _spec(build, args: tuple, kwargs: dict) -> dict:
    """The chart's Vega-Lite spec, its tables as Arrow datasets (`shared.charts.vega_lite_spec`)."""
    return shared_charts.vega_lite_spec(build(*args, **kwargs))


# ---- replays --------------------------------------------------------------------------------------------------------
ASSETS = Path(__file__).parent / "assets"
PLAY_MS = 250  # one frame every quarter second: a 41-frame replay plays in about 10 s
_PLAYER = st.components.v2.component(
    "lab.player", html='<button type="button" aria-pressed="false"></button>',
    css=(ASSETS / "player.css").read_text(encoding="utf-8"), js=(ASSETS / "player.js").read_text(encoding="utf-8"))


def replay(frames: dict, nodes, edges, *, name: str) -> None:
    """A trial's replay (`shared.replay.replay_chart` over `jobs.replay_frames`' tables) with a play / pause button
    beside it that steps the chart's slider in the browser; `name`: the slider's parameter, one per page."""
    drawing, words = st.columns([3, 2], gap="large")  # side by side on a wide screen, one under the other on a phone
    with drawing:
        chart(replays.replay_chart, frames, nodes, edges, name=name, slider_title=tr("lec.replay.slider"),
              map_title=tr("lec.boundary.short"), loss_title=tr("lec.curve.table"), step_title=tr("step"),
              output_title=tr("lec.score"), units_title=tr("lec.replay.units"), width="content")
    with words:
        _PLAYER(key=f"player.{name}", data={"param": name, "interval": PLAY_MS, "play": tr("replay.play"),
                                            "pause": tr("replay.pause")}, width="content")
        steps = frames["loss"]["step"]
        st.caption(tr("lec.replay.caption", frames=len(steps), every=int(steps.iloc[1] - steps.iloc[0])))


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


# ---- downloads -----------------------------------------------------------------------------------------------------
def data_dictionary(columns) -> None:
    """An expander beside the downloads: each column of the files offered, its meaning and unit, in this language."""
    with st.expander(tr("dict.title"), icon=":material/menu_book:"):
        st.caption(tr("dict.intro"))
        st.markdown("\n".join(views.dictionary_lines(columns, lang())))
