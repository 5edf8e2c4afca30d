"""The neurons page (/neurons): the formal neuron, the perceptron, a sigmoid net on XOR, activations.

state: the page's settings (URL <-> widgets); tables: what it computes from results (pandas, no Streamlit); charts: its
Altair charts; texts: its words in Japanese and English."""
