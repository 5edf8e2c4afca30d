"""What the papers behind the lecture say, measured on the lecture's nets: the stored claims table with a verdict per
claim, and one paper's figure redrawn from the lab's measurement."""

import streamlit as st

from lab.dashboard import shell
from lab.dashboard.papers import charts, data, tables, texts
from lab.dashboard.papers import state as papers_state
from lab.dashboard.shell import tr

st.title(tr("pap.title"))
st.markdown(tr("pap.intro"))
shell.hint("pap.hint")
chosen = shell.page_state(papers_state).paper
found, source = {}, {}
for name in papers_state.NAMES:
    found[name], source[name] = data.tables(name)
missing = [p for p, f in found.items() if f is None]
if len(missing) == len(found):
    st.info(tr("pap.empty"), icon=":material/science:")
    shell.share_link(papers_state.to_params(papers_state.State(chosen)))
    st.stop()
shipped = [p for p, where in source.items() if where == "shipped"]
if shipped:
    about = data.shipped_about()
    st.info(tr("pap.shipped", machine=about["machine"], date=about["date"], commit=about["commit"],
               torch=about["torch"], seeds=about["seeds"]), icon=":material/inventory_2:")
    if len(shipped) < len(found) - len(missing):
        st.caption(tr("pap.shipped.some", papers=", ".join(shipped)))
else:
    st.caption(tr("pap.from_store"))
if missing:
    st.caption(tr("pap.missing", papers=", ".join(missing), first=missing[0]))

claims = tables.claims_frame([f["claims"] for f in found.values() if f is not None])
st.subheader(tr("pap.table"))
st.dataframe(tables.shown_claims(claims, shell.lang(), shell.text), hide_index=True, width="stretch",
             height=35 * (len(claims) + 1) + 3)  # every row, no scrolling
st.caption(tr("pap.command"))
st.download_button(tr("pap.csv"), tables.claims_csv(claims), "claims.csv", "text/csv", icon=":material/download:",
                   on_click="ignore")

paper = st.segmented_control(tr("pap.pick"), papers_state.NAMES, key="pap.paper", required=True,
                             format_func=lambda p: tr(f"pap.{p}.name"))
shell.sync_url(papers_state.to_params(papers_state.State(paper)))
st.subheader(tr(f"pap.{paper}.name"))
st.markdown(tr(f"pap.{paper}.claim"))
st.caption(texts.REFERENCES[paper])
if found[paper] is None:
    st.info(tr("pap.missing", papers=paper, first=paper))
else:
    kept, rows = found[paper], claims[claims["paper"] == paper]
    w = {key.removeprefix("pw."): tr(key) for key in texts.STRINGS if key.startswith("pw.")}
    st.markdown(f"**{tr('pap.figure')}**")
    st.caption(tr(f"pap.{paper}.figure"))
    figures = {
        "saxe": lambda: [charts.plateaus(kept["plateaus"], w), charts.depth_times(kept["depth_time"], w)],
        "glorot": lambda: [charts.energy(kept["energy"], w), charts.success(kept["success"], w),
                           charts.top_layer(kept["top_layer"], w)],
        "dauphin": lambda: [charts.loss_vs_index(kept["points"], w), charts.toy_saddle(kept["toy"], w)],
        "choi": lambda: [charts.settings(kept["settings"], w)],
        "schmidt": lambda: [charts.settings(kept["settings"], w)],
    }
    if paper in figures:
        shown = figures[paper]()
        for column, chart in zip(st.columns(len(shown)), shown):
            column.altair_chart(chart, width="stretch")
    else:
        st.dataframe(kept["stalls"], hide_index=True, width="stretch")
    if paper == "choi":
        st.metric(tr("pap.choi.metric"), f"{float(rows['measured'].iloc[0]):.3g}")
    st.markdown(f"**{tr('pap.verdicts')}**")
    english_only = tr("pap.note_lang") if shell.lang() != "en" else ""  # the notes are written in English only
    for _, row in rows.iterrows():
        verdict = "verdict." + row["verdict"]
        said = f"**{tr(verdict)}** — {english_only}{row['note']}"
        st.markdown(f"- `{row['claim_id']}`: {said}")
    if (rows["verdict"] != "holds").any() and tr(f"pap.{paper}.differ"):
        st.markdown(f"**{tr('pap.differ.title')}**")
        st.markdown(tr(f"pap.{paper}.differ"))
shell.share_link(papers_state.to_params(papers_state.State(paper)))
