"""The optimizers page (/optimizers): optimizers compared over many seeds, with every pair tested.

state: the page's settings (URL <-> widgets); tables: what it computes from results (pandas, no Streamlit); charts: its
Altair charts; texts: its words in Japanese and English."""
