"""The depth and activation page (/depth): success by activation and depth, stalls, gradients, Hessians.

state: the page's settings (URL <-> widgets); tables: what it computes from results (pandas, no Streamlit); charts: its
Altair charts; data: what it reads through the server's workers and cache; texts: its words in Japanese and English."""
