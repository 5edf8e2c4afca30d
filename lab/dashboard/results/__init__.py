"""The stored results page (/results): what the result store holds, with download and delete.

state: the page's settings (URL <-> widgets); tables: what it computes from results (pandas, no Streamlit);
charts: its Altair charts; texts: its words in Japanese and English."""
