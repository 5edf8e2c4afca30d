"""Where work runs: worker processes for a server (service.py), sweeps on local processes or a Dask cluster
(sweep.py), what those processes run (workers.py) and the registry of jobs they compute besides training (jobs.py).
Nothing here imports Streamlit; the dashboard and the command line hand their work down to it."""
