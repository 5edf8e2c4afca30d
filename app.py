"""AND-learning optimizer lab: Streamlit entry point (a placeholder until the dashboard pages arrive)."""

import streamlit as st

st.set_page_config(page_title="AND-learning optimizer lab", layout="wide")
st.title("AND-learning optimizer lab")
st.write("The dashboard is coming soon. / ダッシュボードは準備中です。")
st.write("Meanwhile, run the experiments from the command line: / それまではコマンドラインから実行できます：")
st.code("python -m lab run --help", language="bash")
