"""What the server remembers of computed results for every visitor: one cache, bounded in bytes (least recently used
out first, each value kept at most 6 hours), that hands back the very objects it keeps.

Streamlit's `st.cache_data` keeps each value pickled and unpickles a fresh copy on every hit: on the depth page that
was 48 copies, about 200 ms of a view's server time. Here a hit costs a dictionary look-up. The price is a rule: a page
never changes what it gets from this cache (tests/pages/test_shared_results.py opens every page twice and checks that no
cached value changed). Each value is sized once, by its pickled bytes, when it is stored."""

from __future__ import annotations

import functools
import hashlib
import pickle
import threading
import weakref

import cachetools
import numpy as np
import pandas as pd

from lab.core.config import TrialConfig

TTL_S = 6 * 3600
TABLES = (pd.DataFrame, pd.Series, np.ndarray)
_LOCK = threading.RLock()  # guards the cache, the flights and the digests below
_KNOWN: dict[int, tuple] = {}  # id -> (weak reference, content digest) of the tables this cache handed out
_FLIGHTS: dict[tuple, threading.Lock] = {}  # key -> held while one visitor computes it
_MISSING = object()


def content_digest(table) -> bytes:
    """A table's (or an array's) key: a digest of its pickled bytes (columns, index, dtypes and values). About ten
    times cheaper than Streamlit's own hashing of a table, which hashes every row; equal tables laid out differently
    in memory may get different keys (a miss, never a wrong hit)."""
    return hashlib.blake2b(pickle.dumps(table, protocol=5), digest_size=16).digest()


def part(value):
    """`value` as a part of a cache key: configs by their canonical key, tables and arrays by content, a module's
    functions by name, containers part by part, other values with their type (so 1 and 1.0 stay apart)."""
    if isinstance(value, TrialConfig):
        return value.key()
    if isinstance(value, TABLES):
        known = _KNOWN.get(id(value))
        return known[1] if known is not None and known[0]() is value else content_digest(value)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, *map(part, value))
    if isinstance(value, dict):
        return ("dict", *((k, part(v)) for k, v in value.items()))
    if callable(value):
        name = f"{value.__module__}.{value.__qualname__}"
        if "<" in name:  # a lambda or a local function: its name does not say what it computes
            raise TypeError(f"memo: {name} cannot be part of a cache key; pass a module's function")
        return name
    hash(value)  # anything else must be hashable: fail here, not in the cache
    return type(value).__name__, value


def _know(value) -> None:
    """Remember the digest of each table in `value` (a table, or a tuple of them): a page that passes a table it got
    from this cache on to a chart, or to another cached function, then costs no hashing. Sound because a cached value
    is never changed (the module's rule); forgotten when the table is."""
    for table in value if isinstance(value, tuple) else (value,):
        if isinstance(table, TABLES) and id(table) not in _KNOWN:
            key = id(table)

            def forget(ref, key=key):
                if _KNOWN.get(key, (None,))[0] is ref:
                    del _KNOWN[key]

            _KNOWN[key] = (weakref.ref(table, forget), content_digest(table))


def sizeof(value) -> int:
    return len(pickle.dumps(value, protocol=5))


DEFAULT_MB = 256
_CACHE = [cachetools.TTLCache(maxsize=DEFAULT_MB * 2**20, ttl=TTL_S, getsizeof=sizeof)]  # one, replaced by `limit`


def limit(max_bytes: int) -> None:
    """Hold at most `max_bytes` from now on (a new limit starts an empty cache)."""
    with _LOCK:
        if _CACHE[0].maxsize != max_bytes:
            _CACHE[0] = cachetools.TTLCache(maxsize=max_bytes, ttl=TTL_S, getsizeof=sizeof)


def held_bytes() -> int:
    with _LOCK:
        return int(_CACHE[0].currsize)


def clear() -> None:
    with _LOCK:
        _CACHE[0].clear()


def call(fn, /, *args, **kwargs):
    """`fn(*args, **kwargs)`, remembered by `fn`'s name and its arguments (see `part`); a result larger than the whole
    cache is returned and not kept. One flight: visitors asking at once for what is not yet known wait for the first
    one's answer instead of computing it again (if it fails, the next one tries)."""
    key = (part(fn), *map(part, args), part(kwargs))
    while True:
        with _LOCK:
            found = _CACHE[0].get(key, _MISSING)
            if found is not _MISSING:
                return found
            flight = _FLIGHTS.get(key)
            if flight is None:
                flight = _FLIGHTS[key] = threading.Lock()
                flight.acquire()
                break
        with flight:  # another visitor computes it: wait for its answer, then look again
            pass
    try:
        value = fn(*args, **kwargs)
        with _LOCK:
            try:
                _CACHE[0][key] = value
            except ValueError:  # larger than the whole cache
                return value
            _know(value)
        return value
    finally:
        with _LOCK:
            del _FLIGHTS[key]
        flight.release()


def remembered(fn):
    """`fn` with its results remembered (`call`)."""
    @functools.wraps(fn)
    def cached(*args, **kwargs):
        return call(fn, *args, **kwargs)

    return cached
