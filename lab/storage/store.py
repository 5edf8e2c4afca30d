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
- Bounded: with `LAB_STORE_MAX_MB` set (or `max_mb`), the least recently used entries are evicted after each write;
  `pinned` keys (a server's default views) never are.
- Derived files: results computed from one entry (lab.storage.derived) are small JSON files beside it, `KEY.NAME.json`,
  written atomically and only while the entry exists; counted, listed and deleted with it; one whose entry is gone (a
  crash between two unlinks) is deleted by `clear` and eviction.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock

from lab.core.config import ConfigError, TrialConfig
from lab.core.runs import Runs
from lab.storage import parquet
from lab.storage.location import default_root
from lab.storage.parquet import REQUIRED_COLUMNS, StoreError, merge, read_meta, read_runs, select, write_runs

log = logging.getLogger(__name__)
_SEEDS: dict[tuple, frozenset[int]] = {}  # (path, inode, size, mtime) -> the seeds that file holds (4,096 at most)


SUFFIX = ".parquet"
USED_EVERY_S = 60  # an entry's "last used" time (its mtime, for eviction) is moved on at most once a minute


def used(path: Path) -> None:
    """Mark an entry as recently used (last to be evicted) by moving its mtime to now, unless it moved in the last
    USED_EVERY_S: a busy page reading an entry on every view keeps its file version, so what is remembered of that
    version (the stored seeds) stays valid."""
    with contextlib.suppress(OSError):
        if time.time() - path.stat().st_mtime > USED_EVERY_S:
            os.utime(path)


LOCK_SUFFIX = ".lock"  # lock files: `.KEY.lock`, hidden beside the entries


STALE_TEMP_SECONDS = 3600  # temporary files this old are left from a killed writer
CLASS_RUNS = "class-runs"  # the class runs' database folder (lab.storage.classruns.FOLDER): beside, never the store's
DERIVED_SUFFIX = ".json"  # derived files: `KEY.NAME.json`, beside the entry KEY.parquet
DERIVED_NAME = re.compile(r"[A-Za-z0-9_-]+")  # a derived file's NAME: no dot, no path
OLD_DERIVED_DIRS = ("hessian-tests",)  # where an older layout kept derived files: counted, deleted by `clear`


def max_megabytes(max_mb: float | None = None) -> float | None:
    """The store's bound in megabytes: `max_mb` if given, else `LAB_STORE_MAX_MB`; None (no bound) when neither is set
    (an empty variable is unset). Anything but a positive finite number is a ConfigError naming its source: a bound
    of 0 or less would evict every entry, and NaN or infinity would silently mean no bound."""
    if max_mb is not None:
        field, text = "max_mb", repr(max_mb)
        try:
            mb = float(max_mb)
        except (TypeError, ValueError):
            mb = math.nan
    else:
        field, text = "store_max_mb", os.environ.get("LAB_STORE_MAX_MB", "")
        if not text.strip():
            return None
        try:
            mb = float(text)
        except ValueError:
            raise ConfigError(field, f"must be a number of megabytes (got {text!r})") from None
    if not (math.isfinite(mb) and mb > 0):
        raise ConfigError(field, f"must be a positive number of megabytes, or unset for no bound (got {text!r})")
    return mb


class Store:
    def __init__(self, root: str | os.PathLike | None = None, max_mb: float | None = None, pinned=()):
        mb = max_megabytes(max_mb)  # before the folder is made: a bad setting changes nothing
        self.pinned = frozenset(pinned)  # keys never evicted
        self.root = Path(root) if root is not None else default_root()
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_bytes = mb * 1024 * 1024 if mb is not None else None
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
        return sorted(p for p in self.root.glob(f".*{LOCK_SUFFIX}") if p.is_file())

    def derived_path(self, key: str, name: str) -> Path:
        """The file of the result `name` derived from `key`'s entry: `KEY.NAME.json` beside the entry."""
        if not DERIVED_NAME.fullmatch(name):
            raise ValueError(f"a derived file's name is letters, digits, '-' and '_' (got {name!r})")
        return self.root / f"{key}.{name}{DERIVED_SUFFIX}"

    def derived_files(self) -> dict[str, list[Path]]:
        """Every derived file in the store, by the key it belongs to (whether or not that entry exists)."""
        found: dict[str, list[Path]] = {}
        for path in sorted(self.root.glob(f"*.*{DERIVED_SUFFIX}")):
            if not path.name.startswith(".") and path.is_file():
                found.setdefault(path.name.split(".", 1)[0], []).append(path)
        return found

    def _old_derived_dirs(self) -> list[Path]:
        return [path for path in map(self.root.joinpath, OLD_DERIVED_DIRS) if path.is_dir()]

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
        """Everything stored under `key`, or None (no entry, or one that is unusable or holds another key's config)."""
        return self._load(key)

    def read_entry(self, key: str) -> Runs:
        """`key`'s entry, checked to hold `key`'s config; FileNotFoundError if there is none, StoreError saying why if
        it cannot be used (nothing logged: for a caller that reports it)."""
        try:
            runs = read_runs(self.path(key))
        except FileNotFoundError:
            raise
        except (StoreError, OSError, pa.ArrowException, ValueError, KeyError, TypeError) as exc:
            raise StoreError(str(exc) or type(exc).__name__) from None
        if runs.config.key() != key:
            raise StoreError(f"it holds another config's results (key {runs.config.key()})")
        used(self.path(key))
        return runs

    def _load(self, key: str, expect: TrialConfig | None = None, touch: bool = True) -> Runs | None:
        path = self.path(key)
        try:
            runs = read_runs(path)
            if runs.config != expect if expect is not None else runs.config.key() != key:
                raise StoreError("the stored config differs from its key")
        except FileNotFoundError:
            return None
        except (StoreError, OSError, pa.ArrowException, ValueError, KeyError, TypeError) as exc:
            if key not in self._reported:
                self._reported.add(key)
                log.warning("store entry %s is unusable and will be recomputed: %s", path.name, exc)
            return None
        if touch:
            used(path)
        return runs

    def missing(self, config: TrialConfig, seeds) -> list[int]:
        have = self.stored_seeds(config)
        return [s for s in dict.fromkeys(seeds) if s not in have]

    def stored_seeds(self, config: TrialConfig) -> frozenset[int]:
        """The seeds stored for `config` (none if its entry is absent or unusable), remembered per file version: a
        page asking what is missing costs a `stat` per config."""
        path = self.path(config.key())
        try:
            info = path.stat()
        except OSError:
            return frozenset()
        version = (str(path), info.st_ino, info.st_size, info.st_mtime_ns)  # entries are replaced, never edited
        if version not in _SEEDS:
            try:
                seeds = parquet.read_seeds(path, config)
            except (StoreError, OSError, pa.ArrowException, ValueError, KeyError, TypeError):
                runs = self._load(config.key(), config, touch=False)  # unusable: reported once, no seeds
                seeds = runs.seeds if runs is not None else []
            if len(_SEEDS) >= 4096:
                _SEEDS.clear()
            _SEEDS[version] = frozenset(seeds)
        return _SEEDS[version]

    # ---- writing -------------------------------------------------------------------------------------------------
    def save(self, runs: Runs) -> None:
        """Merge `runs` with what is stored for its config (its seeds win), atomically."""
        key = runs.config.key()
        with self._lock(key):
            stored = self._load(key, expect=runs.config)
            merged = select(runs, sorted(runs.seeds)) if stored is None else merge(stored, runs)
            write_runs(merged, self.path(key))
        self.evict(keep=key)

    def trials(self, config: TrialConfig, seeds) -> Runs:
        """The stored trials of `config` for `seeds` (in that order); LookupError if some are not stored. The store
        only stores: training is lab.compute.sweep's (and, on a server, lab.compute.service's)."""
        seeds = list(dict.fromkeys(int(s) for s in seeds))
        stored = self.load(config)
        missing = [s for s in seeds if stored is None or s not in set(stored.seeds)]
        if missing:
            raise LookupError(f"{config.key()}: seeds {missing[:5]}{'...' if len(missing) > 5 else ''} not stored")
        return select(stored, seeds)

    # ---- derived files -------------------------------------------------------------------------------------------
    def read_derived(self, key: str, name: str) -> dict | None:
        """The result `name` derived from `key`'s entry, or None (never written, unreadable, or deleted)."""
        try:
            found = json.loads(self.derived_path(key, name).read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(found, dict):
            return None
        used(self.path(key))
        return found

    def write_derived(self, key: str, name: str, data: dict) -> bool:
        """Keep `data` (JSON) as the result `name` derived from `key`'s entry, atomically (temporary file, then
        rename); False, and nothing written, if there is no such entry: a derived file never outlives its entry."""
        path = self.derived_path(key, name)
        text = json.dumps(data)
        with self._lock(key):
            if not self.path(key).exists():
                return False
            parquet.write_atomically(path, lambda handle: handle.write(text.encode()))
        self.evict(keep=key)
        return True

    # ---- managing ------------------------------------------------------------------------------------------------
    def keys(self) -> list[str]:
        """The keys of the entries: the files `KEY.parquet` (a folder or other non-regular file of that name is not
        an entry: see `foreign`)."""
        return sorted(p.name[: -len(SUFFIX)] for p in self.root.glob(f"*{SUFFIX}")
                      if not p.name.startswith(".") and p.is_file())

    def foreign(self) -> list[Path]:
        """What lies in the store's folder that is not the store's (not an entry, derived file, lock file, temporary
        file or an older layout's folder of derived files; nor the class runs' folder, which lives beside it): the
        store never reads, counts or deletes it."""
        own = {*map(self.path, self.keys()), *(p for paths in self.derived_files().values() for p in paths),
               *self.lock_files(), *self._old_derived_dirs()}
        return sorted(p for p in self.root.iterdir() if p not in own and p.name != CLASS_RUNS
                      and not (p.name.startswith(".") and p.name.endswith(".tmp") and p.is_file()))

    def entries(self) -> pd.DataFrame:
        """One row per stored entry: key, `config` (the config as a dict, its values as stored: a column of the
        frame holds one type, so a field that is None in some rows reads as a float there), the config's fields
        (for display), n_seeds, seeds (a short text), size_bytes (the entry with its derived files), derived_bytes (the
        derived files alone), modified, status ("ok", else "unusable: why")."""
        rows, derived = [], self.derived_files()
        for key in self.keys():
            path = self.path(key)
            extra = sum(map(_size, derived.get(key, [])))
            try:
                meta = read_meta(path)
                handle = pq.ParquetFile(path)
                missing = set(REQUIRED_COLUMNS) - set(handle.schema_arrow.names)
                if meta.get("key") != key or missing:
                    raise StoreError("config does not match its key" if missing == set() else
                                     f"missing columns {sorted(missing)}")
                config = TrialConfig.from_dict(meta["config"])
                if config.key() != key:
                    raise StoreError("config does not match its key")
                n = handle.metadata.num_rows
                seeds = handle.read(columns=["seed"]).column("seed").to_pylist()
            except Exception as exc:  # noqa: BLE001 - any unreadable file is listed as broken, never raised
                rows.append({"key": key, "status": f"unusable: {exc}", "size_bytes": _size(path) + extra,
                             "derived_bytes": extra})
                continue
            stat = path.stat()
            rows.append({"key": key, "config": config.to_dict(), **config.to_dict(), "n_seeds": n,
                         "seeds": _seed_text(seeds), "size_bytes": stat.st_size + extra, "derived_bytes": extra,
                         "modified": pd.Timestamp(stat.st_mtime, unit="s"), "status": "ok"})
        return pd.DataFrame(rows)

    def delete(self, key: str) -> bool:
        """Delete `key`'s entry with its derived files and its lock file; False if there was no entry.

        The lock file is unlinked while it is held: a writer already waiting on it finds it unlinked when its turn
        comes and locks a new one (filelock checks), so writers stay serialized."""
        with self._lock(key):
            for path in self.derived_files().get(key, []):  # first: a crash leaves an entry, not a stray file
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            path, gone = self.path(key), False
            if path.is_file():  # a folder of that name is not an entry: left as it is
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    gone = True
            with contextlib.suppress(OSError):  # Windows: an open file cannot be unlinked; filelock does it on release
                self.lock_path(key).unlink()
        return gone

    def clear(self) -> int:
        """Delete every entry, derived file and lock file (also those of keys without an entry) and the folders of an
        older layout's derived files; the number of entries. What is not the store's (`foreign`) is left, and so is
        a key whose files cannot be deleted (its lock file is a folder, say): the rest is deleted regardless."""
        orphans = {path.name[1: -len(LOCK_SUFFIX)] for path in self.lock_files()} | set(self.derived_files())
        gone = 0
        for key in sorted(set(self.keys()) | orphans):
            try:
                gone += self.delete(key)
            except OSError as exc:
                log.warning("store entry %s was not deleted: %s", key, exc)
        for folder in self._old_derived_dirs():
            shutil.rmtree(folder, ignore_errors=True)
        return gone

    def size_bytes(self) -> int:
        """Bytes on disk: the entries, their derived files (also any whose entry is gone, and an older layout's) and
        the lock files (empty files; counted so nothing the store writes hides)."""
        files = (*map(self.path, self.keys()), *(p for paths in self.derived_files().values() for p in paths),
                 *self.lock_files(), *(p for d in self._old_derived_dirs() for p in d.rglob("*") if p.is_file()))
        return sum(map(_size, files))

    def _drop_stray_derived(self) -> None:
        """Delete the derived files whose entry is gone, and an older layout's (nothing reads them)."""
        for key, paths in self.derived_files().items():
            if self.path(key).exists():
                continue
            with self._lock(key):
                if not self.path(key).exists():  # checked again under the lock: not saved meanwhile
                    for path in paths:
                        with contextlib.suppress(FileNotFoundError):
                            path.unlink()
        for folder in self._old_derived_dirs():
            shutil.rmtree(folder, ignore_errors=True)

    def evict(self, keep: str | None = None) -> list[str]:
        """Delete least recently used entries, each with its derived files, until the store (`size_bytes`) fits
        `LAB_STORE_MAX_MB` (never `keep` nor a pinned key); derived files whose entry is gone go first."""
        if self.max_bytes is None:
            return []
        total = self.size_bytes()
        if total <= self.max_bytes:
            return []
        self._drop_stray_derived()
        derived = self.derived_files()
        files = sorted(((p.stat().st_mtime, p) for p in map(self.path, self.keys()) if p.exists()),
                       key=lambda t: t[0])
        total, gone = self.size_bytes(), []
        for _, path in files:
            if total <= self.max_bytes:
                break
            key = path.name[: -len(SUFFIX)]
            if key == keep or key in self.pinned:
                continue
            total -= _size(path) + sum(map(_size, derived.get(key, [])))
            with contextlib.suppress(OSError):  # a key that cannot be deleted is left; the others still go
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
