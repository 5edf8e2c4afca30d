"""The lecture experiment page (home, /): the lecture's program for
any seed: its replay, log, curve, network and script.

state: the page's settings (URL <-> widgets); tables: what it computes from results (pandas, no Streamlit);
charts: its Altair charts; texts: its words in Japanese and English."""
