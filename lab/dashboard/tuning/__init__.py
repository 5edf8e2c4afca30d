"""The learning rate and batch size page (/tuning): learning-rate grids and the minibatch size.

state: the page's settings (URL <-> widgets); tables: what it computes from results (pandas, no Streamlit); texts: its
words in Japanese and English."""
