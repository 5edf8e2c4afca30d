"""The on-disk result store: one Parquet file per config key, holding every stored seed's curves and summary.

- Where: `Store(root)`, else the environment variable `LAB_STORE`, else `./.lab-store`.
- What: one row per seed (the per-step arrays as fixed-size list columns), the config and schema version in the file's
  metadata. Data only: no pickle.
- Safe: a file is written under a temporary name, flushed and renamed over the old one, so a reader sees the old entry
  or the new one, never a part. Writers of one key take an exclusive lock (`filelock`: a lock file `.KEY.lock` beside
  the entry) while they merge their seeds with what is stored, so concurrent sweeps lose nothing. Deleting an entry
  (`delete`, `clear`, eviction) removes its lock file too; lock files are never listed as entries. A truncated,
  garbage or older-schema file is reported once, then treated as missing and recomputed.
- Portable: only the standard library's portable modules, `filelock` and `pathlib`: no POSIX-only module.
- Bounded: with `LAB_STORE_MAX_MB` set, the least recently used entries are evicted after each write.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock

from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.core.runs import Runs
from lab.storage.parquet import REQUIRED_COLUMNS, StoreError, merge, read_meta, read_runs, select, write_runs

log = logging.getLogger(__name__)


SUFFIX = ".parquet"


LOCK_SUFFIX = ".lock"  # lock files: `.KEY.lock`, hidden beside the entries


STALE_TEMP_SECONDS = 3600  # temporary files this old are left from a killed writer


def default_root() -> Path:
    return Path(os.environ.get("LAB_STORE") or ".lab-store")


class Store:
    def __init__(self, root: str | os.PathLike | None = None, max_mb: float | None = None):
        self.root = Path(root) if root is not None else default_root()
        self.root.mkdir(parents=True, exist_ok=True)
        env = os.environ.get("LAB_STORE_MAX_MB")
        self.max_bytes = (max_mb if max_mb is not None else float(env) if env else None)
        if self.max_bytes is not None:
            self.max_bytes *= 1024 * 1024
        self._reported: set[str] = set()
        self.remove_stale_temps()

    def remove_stale_temps(self) -> int:
        """Delete temporary files that killed writers left behind (they are never read)."""
        gone, now = 0, time.time()
        for path in self.root.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > STALE_TEMP_SECONDS:
                    path.unlink()
                    gone += 1
        return gone

    # ---- paths ---------------------------------------------------------------------------------------------------
    def path(self, key: str) -> Path:
        return self.root / f"{key}{SUFFIX}"

    def lock_path(self, key: str) -> Path:
        """The lock file that writers of `key` hold while they merge (hidden: never listed as an entry)."""
        return self.root / f".{key}{LOCK_SUFFIX}"

    def lock_files(self) -> list[Path]:
        """Every lock file in the store (one per key written since the last `delete` of that key)."""
        return sorted(self.root.glob(f".*{LOCK_SUFFIX}"))

    def _lock(self, key: str) -> FileLock:
        """An exclusive lock on `key`, across processes and threads (waits as long as another writer holds it)."""
        return FileLock(self.lock_path(key))

    # ---- reading -------------------------------------------------------------------------------------------------
    def load(self, config: TrialConfig) -> Runs | None:
        """Everything stored for `config` (seeds in ascending order), or None."""
        return self._load(config.key(), expect=config)

    def load_many(self, configs) -> dict[TrialConfig, Runs | None]:
        """`load` for many configs, reading files in parallel threads (Parquet decoding releases the GIL)."""
        configs = list(dict.fromkeys(configs))
        with ThreadPoolExecutor(4) as pool:
            return dict(zip(configs, pool.map(self.load, configs), strict=True))

    def load_key(self, key: str) -> Runs | None:
        return self._load(key)

    def _load(self, key: str, expect: TrialConfig | None = None) -> Runs | None:
        path = self.path(key)
        try:
            runs = read_runs(path)
            if expect is not None and runs.config != expect:
                raise StoreError("the stored config differs from its key")
        except FileNotFoundError:
            return None
        except (StoreError, OSError, pa.ArrowException, ValueError, KeyError, TypeError) as exc:
            if key not in self._reported:
                self._reported.add(key)
                log.warning("store entry %s is unusable and will be recomputed: %s", path.name, exc)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: last to be evicted
        return runs

    def missing(self, config: TrialConfig, seeds) -> list[int]:
        stored = self.load(config)
        have = set(stored.seeds) if stored is not None else set()
        return [s for s in dict.fromkeys(seeds) if s not in have]

    # ---- writing -------------------------------------------------------------------------------------------------
    def save(self, runs: Runs) -> None:
        """Merge `runs` with what is stored for its config (its seeds win), atomically."""
        key = runs.config.key()
        with self._lock(key):
            stored = self._load(key, expect=runs.config)
            merged = select(runs, sorted(runs.seeds)) if stored is None else merge(stored, runs)
            write_runs(merged, self.path(key))
        self.evict(keep=key)

    def runs(self, config: TrialConfig, seeds, device="cpu") -> Runs:
        """The trials of `config` for `seeds` (in that order): read from the store, computing only missing seeds."""
        seeds = list(dict.fromkeys(int(s) for s in seeds))
        stored = self.load(config)
        have = set(stored.seeds) if stored is not None else set()
        todo = [s for s in seeds if s not in have]
        if todo:
            fresh = train(config, todo, device=device)
            self.save(fresh)
            stored = fresh if stored is None else merge(stored, fresh)
        return select(stored, seeds)

    # ---- managing ------------------------------------------------------------------------------------------------
    def keys(self) -> list[str]:
        return sorted(p.name[: -len(SUFFIX)] for p in self.root.glob(f"*{SUFFIX}") if not p.name.startswith("."))

    def entries(self) -> pd.DataFrame:
        """One row per stored entry: key, the config's fields, n_seeds, seeds (a short text), size_bytes, modified."""
        rows = []
        for key in self.keys():
            path = self.path(key)
            try:
                meta = read_meta(path)
                handle = pq.ParquetFile(path)
                missing = set(REQUIRED_COLUMNS) - set(handle.schema_arrow.names)
                if meta.get("key") != key or missing:
                    raise StoreError("config does not match its key" if missing == set() else
                                     f"missing columns {sorted(missing)}")
                n = handle.metadata.num_rows
                seeds = handle.read(columns=["seed"]).column("seed").to_pylist()
            except Exception as exc:  # noqa: BLE001 - any unreadable file is listed as broken, never raised
                rows.append({"key": key, "status": f"unusable: {exc}", "size_bytes": _size(path)})
                continue
            stat = path.stat()
            rows.append({"key": key, **meta["config"], "n_seeds": n, "seeds": _seed_text(seeds),
                         "size_bytes": stat.st_size, "modified": pd.Timestamp(stat.st_mtime, unit="s"),
                         "status": "ok"})
        return pd.DataFrame(rows)

    def delete(self, key: str) -> bool:
        """Delete `key`'s entry and its lock file; False if there was no entry.

        The lock file is unlinked while it is held: a writer already waiting on it finds it unlinked when its turn
        comes and locks a new one (filelock checks), so writers stay serialized."""
        with self._lock(key):
            try:
                self.path(key).unlink()
                gone = True
            except FileNotFoundError:
                gone = False
            with contextlib.suppress(OSError):  # Windows: an open file cannot be unlinked; filelock does it on release
                self.lock_path(key).unlink()
        return gone

    def clear(self) -> int:
        """Delete every entry and every lock file (also those of keys without an entry); the number of entries."""
        orphans = {path.name[1: -len(LOCK_SUFFIX)] for path in self.lock_files()}
        return sum(self.delete(key) for key in sorted(set(self.keys()) | orphans))

    def size_bytes(self) -> int:
        """Bytes on disk: the entries and the lock files (empty files; counted so nothing the store writes hides)."""
        return sum(_size(path) for path in (*map(self.path, self.keys()), *self.lock_files()))

    def evict(self, keep: str | None = None) -> list[str]:
        """Delete least recently used entries until the store fits `LAB_STORE_MAX_MB` (never `keep`)."""
        if self.max_bytes is None:
            return []
        files = sorted(((p.stat().st_mtime, p) for p in self.root.glob(f"*{SUFFIX}")), key=lambda t: t[0])
        total, gone = sum(_size(p) for _, p in files), []
        for _, path in files:
            if total <= self.max_bytes:
                break
            key = path.name[: -len(SUFFIX)]
            if key == keep:
                continue
            total -= _size(path)
            if self.delete(key):
                gone.append(key)
        return gone


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _seed_text(seeds: list[int]) -> str:
    """Seeds as short ranges: [0, 1, 2, 5] -> "0-2, 5"."""
    parts, start = [], None
    for i, s in enumerate(seeds):
        if start is None:
            start = s
        if i + 1 == len(seeds) or seeds[i + 1] != s + 1:
            parts.append(str(start) if start == s else f"{start}-{s}")
            start = None
    return ", ".join(parts)


def touch_age(path: Path, seconds_ago: float) -> None:
    """Set a file's modification time into the past (tests and maintenance)."""
    t = time.time() - seconds_ago
    os.utime(path, (t, t))
