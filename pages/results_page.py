"""What the store holds: one entry per configuration, with its seeds, size and date; download or delete any."""

import functools

import streamlit as st

from lab.dashboard import settings, shell
from lab.dashboard.results import data
from lab.dashboard.results import state as results_state
from lab.dashboard.results import tables as results_view
from lab.dashboard.shell import tr

st.title(tr("res.title"))
st.markdown(tr("res.intro"))
shell.hint("res.hint")
wanted = shell.page_state(results_state).key
if "res.deleted" in st.session_state:  # first: deleting the last entry leaves the empty page, which stops below
    st.success(tr("res.deleted", name=st.session_state.pop("res.deleted")))
entries = data.entries()
if entries.empty:
    st.info(tr("res.empty"), icon=":material/inbox:")
    shell.sync_url({})
    st.stop()

m = st.columns(3)
m[0].metric(tr("res.count"), len(entries))
m[1].metric(tr("res.size"), f"{entries['size_bytes'].sum() / 1024:,.0f} KB")
listing = results_view.entries_frame(entries, shell.words())
st.dataframe(listing, hide_index=True, width="stretch", column_config={
    "config": st.column_config.TextColumn(tr("col.config"), width="large"),
    "seeds": st.column_config.TextColumn(tr("col.seeds")),
    "n_seeds": st.column_config.NumberColumn(tr("col.n_seeds"), format="%d"),
    "size": st.column_config.NumberColumn(tr("col.size"), format="%.1f"),
    "modified": st.column_config.DatetimeColumn(tr("col.modified"), format="YYYY-MM-DD HH:mm"),
    "key": st.column_config.TextColumn(tr("col.key"))})

names = dict(zip(listing["key"], listing["config"]))
if wanted is not None and wanted not in names:
    st.warning(tr("res.missing", key=wanted))
    data.forget_selection(st.session_state)
key = st.selectbox(tr("res.pick"), list(names), key="res.key", format_func=names.get,
                   placeholder=tr("res.pick.placeholder"), index=None)
shell.sync_url({"key": key} if key else {})
if key is not None:
    row = entries.set_index("key").loc[key]
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(tr("res.summary"))
        st.dataframe(
            data.summary(key), hide_index=True, width="stretch", column_config=shell.comparison_columns()
        )
        st.markdown(f"**{tr('res.config')}**")
        st.json(results_view.entry_config(row), expanded=False)
    with right:
        n_seeds, steps = int(row["n_seeds"]), int(results_view.entry_config(row)["steps"])
        stride = results_view.entry_stride(n_seeds, steps)
        st.download_button(
            tr("res.download"),
            functools.partial(data.curves_csv, key, stride),
            results_view.file_name(results_view.entry_config(row), n_seeds, stride),
            "text/csv",
            icon=":material/download:",
            on_click="ignore",
        )
        if stride > 1:
            st.caption(tr("res.thinned", rows=n_seeds * steps, k=stride, k2=2 * stride,
                          kept=n_seeds * -(-steps // stride)))
        shell.data_dictionary([*results_view.CURVE_COLUMNS, "grad_norm_<layer>"])
        if not settings.allow_delete():
            st.caption(tr("res.delete.off"))
        elif st.session_state.get("res.confirm") == key:
            st.warning(tr("res.confirm", name=names[key], seeds=int(row["n_seeds"])))
            yes, no = st.columns(2)
            yes.button(tr("res.confirm.yes"), type="primary", on_click=data.delete,
                       args=(st.session_state, key, names[key]))
            no.button(tr("res.confirm.no"), on_click=data.cancel_delete, args=(st.session_state,))
        else:
            st.button(tr("res.delete"), icon=":material/delete:", on_click=data.ask_delete,
                      args=(st.session_state, key))
shell.share_link({"key": key} if key else {})
