"""The stored results page (/results): what the result store holds, with download and delete.

state: the page's settings (URL <-> widgets); tables: what it computes from results (pandas, no Streamlit); data: what
it reads through the server's workers and cache; texts: its words in Japanese and English."""
