"""The loss landscape page (/landscape): optimizers' paths on the loss surface through them.

state: the page's settings (URL <-> widgets); tables: what it computes from results (pandas, no Streamlit); charts: its
Altair charts; texts: its words in Japanese and English."""
