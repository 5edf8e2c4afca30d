"""The lecture experiment page (home, /): the lecture's program for
any seed: its replay, log, curve, network and script.

state: the page's settings (URL <-> widgets); charts: its Altair charts; texts: its words in Japanese and English."""
