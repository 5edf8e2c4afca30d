"""The papers page (/papers): what the papers behind the lecture claim, measured on the lecture's nets (the claims table
that `python -m lab papers` stores), with each paper's figure redrawn from the lab's measurement.

state: the page's settings (URL <-> widgets); data: what it reads from the server's store; tables: what it derives
from the stored tables (pandas, no Streamlit); charts: its Altair figures; texts: its words in Japanese and English."""
