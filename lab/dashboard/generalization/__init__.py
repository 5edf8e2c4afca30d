"""The generalization page (/generalization): training, validation and test error on noisy data.

state: the page's settings (URL <-> widgets); tables: what it computes from results (pandas, no Streamlit); charts: its
Altair charts; texts: its words in Japanese and English."""
