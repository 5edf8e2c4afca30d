"""Runs <-> Parquet: one row per seed, the per-step arrays as fixed-size lists, the config and schema version in the
file's metadata (no pickle)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lab.core.config import SCHEMA_VERSION, TrialConfig
from lab.core.runs import EVALUATIONS, Runs

META_KEY = b"and-lab"


# Runs arrays stored as fixed-size lists, with the dtype they are stored in
ARRAYS = {"loss": np.float32, "table_loss": np.float32, "table_error": np.uint8, "grad_norm": np.float32,
           "table_output": np.float32, "params": np.float32}


REQUIRED_COLUMNS = ("seed", *ARRAYS)


class StoreError(Exception):
    """A stored entry that cannot be used (truncated, not Parquet, another schema, another config)."""


# ---- Runs <-> Parquet ------------------------------------------------------------------------------------------------
def write_runs(runs: Runs, path: Path) -> None:
    n = len(runs.seeds)
    columns = {"seed": pa.array(np.asarray(runs.seeds, dtype=np.int64))}
    for name, dtype in ARRAYS.items():
        values = getattr(runs, name)
        if name == "table_error":
            values = np.rint(values * 4)  # wrong rows out of 4: exact as a small integer
        flat = np.ascontiguousarray(values, dtype=dtype).reshape(n, -1)
        columns[name] = pa.FixedSizeListArray.from_arrays(pa.array(flat.ravel()), flat.shape[1])
    if runs.evaluations is not None:
        for name in EVALUATIONS:
            flat = np.ascontiguousarray(runs.evaluations[name], dtype=np.float32)
            columns[name] = pa.FixedSizeListArray.from_arrays(pa.array(flat.ravel()), flat.shape[1])
    summary = runs.summary()
    for name in ("solved", "steps_to_solve", "final_loss", "diverged"):
        columns[name] = pa.array(summary[name])
    meta = {"schema": SCHEMA_VERSION, "config": runs.config.to_dict(), "key": runs.config.key(),
            "steps": runs.loss.shape[1], "layers": runs.grad_norm.shape[2], "outputs": runs.table_output.shape[2],
            "eval_steps": None if runs.evaluations is None else list(runs.evaluations["steps"])}
    table = pa.table(columns).replace_schema_metadata({META_KEY: json.dumps(meta).encode()})
    write_atomically(path, lambda handle: pq.write_table(table, handle, compression="zstd"))


def write_atomically(path: Path, write) -> None:
    """`write(handle)` (a binary file) under a temporary name beside `path`, flushed to disk, then renamed over
    `path`: a reader sees the old file or the new one, never a part."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


def read_meta(path: Path | pq.ParquetFile) -> dict:
    schema = path.schema_arrow if isinstance(path, pq.ParquetFile) else pq.read_schema(path)
    raw = (schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise StoreError("not a store entry (no metadata)")
    meta = json.loads(raw)
    if meta.get("schema") != SCHEMA_VERSION:
        raise StoreError(f"schema {meta.get('schema')} is not the current {SCHEMA_VERSION}")
    return meta


def read_seeds(path: Path, config: TrialConfig) -> list[int]:
    """The seeds of `config`'s entry at `path`, reading only its seed column, once its metadata, schema and columns
    are checked as `read_runs` needs them (StoreError, or pyarrow's error, if unusable)."""
    with pq.ParquetFile(path) as handle:
        stored = TrialConfig.from_dict(read_meta(handle)["config"])
        if stored != config or set(REQUIRED_COLUMNS) - set(handle.schema_arrow.names):
            raise StoreError("not this config's entry, or columns missing")
        return handle.read(columns=["seed"]).column("seed").to_pylist()


def read_runs(path: Path) -> Runs:
    with pq.ParquetFile(path) as handle:
        meta = read_meta(handle)
        table = handle.read()
    config = TrialConfig.from_dict(meta["config"])
    n, steps = table.num_rows, meta["steps"]
    shapes = {"loss": (steps,), "table_loss": (steps + 1,), "table_error": (steps + 1,),
              "grad_norm": (steps, meta["layers"]), "table_output": (4, meta["outputs"]), "params": (-1,)}
    arrays = {}
    for name, shape in shapes.items():
        flat = table.column(name).combine_chunks().flatten().to_numpy(zero_copy_only=False)
        values = flat.reshape(n, *shape)
        arrays[name] = values.astype(np.float32) / 4 if name == "table_error" else values
    seeds = table.column("seed").to_pylist()
    evaluations = None
    if meta.get("eval_steps") is not None:
        evaluations = {"steps": meta["eval_steps"]}
        for name in EVALUATIONS:
            flat = table.column(name).combine_chunks().flatten().to_numpy(zero_copy_only=False)
            evaluations[name] = flat.reshape(n, len(meta["eval_steps"]))
    return Runs(config, seeds, **arrays, evaluations=evaluations)


def merge(old: Runs, new: Runs) -> Runs:
    """Seeds of both, ascending; a seed in both takes `new`'s trial."""
    seeds = sorted(set(old.seeds) | set(new.seeds))
    pos_new = {s: i for i, s in enumerate(new.seeds)}
    pos_old = {s: i for i, s in enumerate(old.seeds)}
    arrays = {}
    for name in ARRAYS:
        a, b = getattr(old, name), getattr(new, name)
        arrays[name] = np.stack([b[pos_new[s]] if s in pos_new else a[pos_old[s]] for s in seeds]) if seeds else a[:0]
    evaluations = None
    if new.evaluations is not None and old.evaluations is not None:
        evaluations = {"steps": new.evaluations["steps"]}
        for name in EVALUATIONS:
            a, b = old.evaluations[name], new.evaluations[name]
            evaluations[name] = np.stack([b[pos_new[s]] if s in pos_new else a[pos_old[s]] for s in seeds])
    return Runs(new.config, seeds, **arrays, evaluations=evaluations)


def select(runs: Runs, seeds: list[int]) -> Runs:
    """The trials of `seeds`, in that order."""
    pos = {s: i for i, s in enumerate(runs.seeds)}
    return runs.take([pos[s] for s in seeds])
