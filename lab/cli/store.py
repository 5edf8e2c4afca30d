"""`python -m lab store ls|clear|rm|export`: what the result store holds."""

from __future__ import annotations

import argparse
import os
import tempfile
from typing import TYPE_CHECKING

from lab.cli.flags import add_store_flag, check_writable, write_csv
from lab.core.config import ConfigError
from lab.storage.location import default_root

if TYPE_CHECKING:
    from lab.storage.store import Store


def open_store(path: str | None, write: bool = False) -> Store:
    """The result store at `path` (else $LAB_STORE, else the default); a folder that cannot be one is a ConfigError,
    and so, with `write`, is one where a file cannot be written (checked with a probe file, written and removed):
    before any work, not when the first results are saved."""
    from lab.storage.store import Store

    try:
        store = Store(path)  # a bad LAB_STORE_MAX_MB is a ConfigError naming it
    except OSError as e:
        raise ConfigError("store", f"cannot use it as the store folder: {e.strerror or e} "
                                   f"(got {str(path or default_root())!r})") from None
    if write:
        try:
            fd, probe = tempfile.mkstemp(dir=store.root, prefix=".probe-", suffix=".tmp")  # .*.tmp: stale ones go
            os.close(fd)
            os.remove(probe)
        except OSError as e:
            raise ConfigError("store", f"cannot write in the store folder {str(store.root)!r}: "
                                       f"{e.strerror or e}") from None
    return store


def _stored_key(store: Store, args: argparse.Namespace) -> str:
    """The KEY argument, which must name an entry of the store (so it never names a path outside it)."""
    if not args.key:
        raise ConfigError("key", f"{args.action} needs the key of an entry (see: python -m lab store ls)")
    path = store.path(args.key)
    if args.key not in store.keys() and path.parent == store.root and (path.exists() or path.is_symlink()):
        raise ConfigError("key", f"{path.name!r} in {store.root} is {_kind(path)}, not a store entry: left as it is")
    if args.key not in store.keys():
        raise ConfigError("key", f"no stored entry {args.key!r} in {store.root} (see: python -m lab store ls)")
    return args.key


def _kind(path) -> str:
    """What a file system object is, for people: 'a folder', 'a link', 'a file', 'not a regular file'."""
    if path.is_symlink():
        return "a link"
    return "a folder" if path.is_dir() else "a file" if path.is_file() else "not a regular file"


def foreign_names(store: Store) -> list[str]:
    """What lies in the store's folder that is not the store's, each as 'NAME (a folder)'."""
    return [f"{path.name} ({_kind(path)})" for path in store.foreign()]


def _some(names: list[str]) -> str:
    return ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")


def _check_store_args(args: argparse.Namespace) -> None:
    """Arguments an action does not read are errors, not silently ignored (`store clear KEY` deletes everything)."""
    if args.key is not None and args.action in ("ls", "clear"):
        raise ConfigError("key", f"{args.action} takes no key (got {args.key!r}); to delete one entry: "
                                 "python -m lab store rm KEY")
    for name in ("csv", "curves"):
        if getattr(args, name) not in (None, False) and args.action != "export":
            raise ConfigError(name, f"only with export (got {args.action})")


def class_runs_line(store: Store) -> str:
    """Where the class runs live (lab.storage.classruns): beside the store, never its entries."""
    from lab.storage.store import CLASS_RUNS

    where = "the database LAB_CLASS_DB names" if os.environ.get("LAB_CLASS_DB") else str(store.root / CLASS_RUNS)
    return f"class runs live in {where}, not in the store: clear and eviction never touch them"


def _store_ls(store: Store, args: argparse.Namespace) -> None:
    entries = store.entries()
    if entries.empty:
        print(f"the store at {store.root} is empty")
        if foreign := foreign_names(store):
            print(f"{len(foreign)} not the store's, left as they are: {_some(foreign)}")
        print(class_runs_line(store))
        return
    cols = [c for c in ("key", "task", "depth", "width", "activation", "optimizer", "lr", "steps", "n_seeds",
                        "size_bytes", "modified", "status") if c in entries]
    print(entries[cols].to_string(index=False))
    print(f"{len(entries)} entries, {store.size_bytes() / 1e6:.1f} MB in {store.root}")
    if foreign := foreign_names(store):
        print(f"{len(foreign)} not the store's, left as they are: {_some(foreign)}")
    print(class_runs_line(store))


def _store_clear(store: Store, args: argparse.Namespace) -> None:
    gone = store.clear()
    skipped = [f"{store.path(key).name} (cannot be deleted)" for key in store.keys()]  # its lock file is a folder, say
    skipped += [f"{name}, not the store's" for name in foreign_names(store)]
    print(f"deleted {gone} entries from {store.root}" + (f"; skipped {len(skipped)}: {_some(skipped)}" if skipped
                                                          else ""))


def _store_rm(store: Store, args: argparse.Namespace) -> None:
    key = _stored_key(store, args)
    try:
        gone = store.delete(key)
    except OSError as e:  # its lock file cannot be taken (a folder of that name, say)
        raise ConfigError("key", f"could not delete {key!r} in {store.root}: {e.strerror or e} "
                                 f"({getattr(e, 'filename', None) or store.path(key)})") from None
    if not gone:  # deleted meanwhile by another process
        raise ConfigError("key", f"no stored entry {key!r} in {store.root} (see: python -m lab store ls)")
    print(f"deleted {key}")


def _store_export(store: Store, args: argparse.Namespace) -> None:
    key = _stored_key(store, args)
    if args.csv is None:
        raise ConfigError("csv", "export needs --csv PATH, the file to write")
    check_writable("csv", args.csv)
    from lab.storage.parquet import StoreError

    try:
        runs = store.read_entry(key)  # checked to be the key's: a file copied over another's name is not exported
    except FileNotFoundError:  # deleted meanwhile by another process
        raise ConfigError("key", f"no stored entry {key!r} in {store.root} (see: python -m lab store ls)") from None
    except (StoreError, OSError) as e:
        why = " ".join(str(e).split())  # one line
        raise ConfigError("key", f"the stored entry {key!r} is unusable, nothing written: {why} (see: python -m lab "
                                 "store ls)") from None
    write_csv("csv", runs.curves() if args.curves else runs.summary(), args.csv, bom=True)
    print(f"wrote {args.csv}")


STORE_ACTIONS = {"ls": _store_ls, "clear": _store_clear, "rm": _store_rm, "export": _store_export}


def cmd_store(args: argparse.Namespace) -> int:
    _check_store_args(args)
    STORE_ACTIONS[args.action](open_store(args.store, write=args.action in ("rm", "clear")), args)
    return 0


def add_command(commands) -> None:
    """Register `store` with the subcommands' parser (`commands`, from `add_subparsers`)."""
    store = commands.add_parser("store", allow_abbrev=False, help="list, export or delete stored results",
                                description="Manage the result store.")
    store.add_argument("action", choices=tuple(STORE_ACTIONS), metavar="ACTION",
                       help="ls: list entries; clear: delete all; rm KEY: delete one; export KEY --csv PATH")
    store.add_argument("key", nargs="?", metavar="KEY", help="an entry's key (rm, export; see: store ls)")
    store.add_argument("--csv", metavar="PATH", help="export: write the entry's per-trial summary here")
    store.add_argument("--curves", action="store_true", help="export the per-step curves instead of the summary")
    add_store_flag(store)
    store.set_defaults(handler="lab.cli.store:cmd_store")
