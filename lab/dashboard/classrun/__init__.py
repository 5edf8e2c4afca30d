"""The class run page (/class): a teacher starts a run of one experiment, every student adds a trial with their own
seed, and everyone's page shows the class's picture, refreshed every few seconds.

state: the page's settings (URL <-> widgets: the experiment to start, the class code, the teacher's secret, the
visitor's own seed); room: the class runs' database of this server and the runs that arrive together, trained as one
stack; tables: the class's runs as tidy frames and its CSV; charts: its Altair charts; texts: its words in Japanese
and English."""
