"""The result store (and every file it owns), sweeps on local processes or Dask, named presets."""
