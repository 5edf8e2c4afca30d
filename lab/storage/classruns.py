"""The class runs: a teacher's run of one experiment that every student adds a trial to, kept in a real database.

- Where: SQLite by default, `class-runs/class-runs.sqlite` in the result store's folder (WAL mode: readers never wait
  for the writer); or any SQLAlchemy URL (a PostgreSQL server, `postgresql+psycopg://…`) given by the server's
  setting, for a host that forgets its disk. The class runs live beside the result store, not in it: the store's
  `clear` and its eviction never touch them.
- What: two tables. `class_runs`: code (in the students' link), the teacher secret's SHA-256, the config (canonical
  JSON and key), created / closed / revealed times. `submissions`: one row per (class code, seed), UNIQUE, with an
  optional nickname, solved, iterations to solve, final loss, a thinned loss curve (JSON) and when it came; an index
  on (code, id) serves every visitor's refresh (`runs_since`) without a scan.
- Schema: created and migrated by the app (`migrate`, run on open): `schema_version` holds the version applied.
- Atomic: one transaction per write. SQLite's writers begin IMMEDIATE (so two writers queue instead of failing), and
  the per-class count is checked inside the transaction that inserts (on PostgreSQL under a row lock on the class).
- Bounded: `MAX_PER_SESSION` runs per visitor's session and `MAX_PER_CLASS` per class (`BoundReached`, naming the
  bound); a second run of a seed in a class returns the first (`Added.first` False).
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from lab.core.config import MAX_SEED, TrialConfig

SCHEMA_VERSION = 1
FOLDER = "class-runs"  # in the result store's folder; the store leaves it alone (lab.storage.store.Store.foreign)
FILE = "class-runs.sqlite"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a projector
CODE_LENGTH = 6
MAX_NICKNAME = 24
MAX_PER_SESSION = 20  # runs one visitor's session may add (a student trying a few seeds; a script is stopped)
MAX_PER_CLASS = 1000  # runs one class may hold
CURVE_POINTS = 60  # points kept of each run's loss curve (what 100 viewers' refreshes send)

metadata = sa.MetaData()
schema_version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, primary_key=True))
class_runs = sa.Table(
    "class_runs", metadata,
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("teacher_hash", sa.String(64), nullable=False),
    sa.Column("config", sa.Text, nullable=False),
    sa.Column("config_key", sa.String(80), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("closed", sa.Float),
    sa.Column("revealed", sa.Float),
)
submissions = sa.Table(
    "submissions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(16), sa.ForeignKey("class_runs.code"), nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("nickname", sa.String(MAX_NICKNAME)),
    sa.Column("session", sa.String(64), nullable=False),
    sa.Column("solved", sa.Boolean, nullable=False),
    sa.Column("steps_to_solve", sa.Float),  # NULL: never solved
    sa.Column("final_loss", sa.Float),  # NULL: not a number (diverged)
    sa.Column("curve", sa.Text, nullable=False),  # JSON {"every": k, "loss": [...]}
    sa.Column("submitted", sa.Float, nullable=False),
    sa.UniqueConstraint("code", "seed", name="one_run_per_seed"),
    sa.Index("submissions_by_class", "code", "id"),
    sa.Index("submissions_by_session", "code", "session"),
)


class ClassRunError(ValueError):
    """A request the class store refuses; `reason` names which (a key of the page's texts), `values` fill it in."""

    def __init__(self, reason: str, **values):
        super().__init__(f"{reason}: {values}" if values else reason)
        self.reason, self.values = reason, values


class BoundReached(ClassRunError):
    """A per-session or per-class bound is reached."""


@dataclass(frozen=True)
class ClassRun:
    code: str
    config: TrialConfig
    created: float
    closed: float | None
    revealed: float | None

    @property
    def is_open(self) -> bool:
        return self.closed is None


@dataclass(frozen=True)
class Submission:
    id: int
    seed: int
    nickname: str | None
    solved: bool
    steps_to_solve: float  # NaN: never
    final_loss: float
    curve: dict
    submitted: float


@dataclass(frozen=True)
class Added:
    submission: Submission
    first: bool  # False: this seed was in the class already (the first run returned)


def default_url(store_root: str | Path) -> str:
    """The SQLite file in the store's folder (its folder made if needed)."""
    folder = Path(store_root) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder.resolve() / FILE}"


def thin_curve(loss, points: int = CURVE_POINTS) -> dict:
    """A loss curve kept at most `points` long: every k-th value from step 0, 4 significant digits (None: NaN)."""
    values = [float(v) for v in loss]
    every = max(1, math.ceil(len(values) / points))
    return {"every": every, "loss": [float(f"{v:.4g}") if math.isfinite(v) else None for v in values[::every]]}


def clean_nickname(text: str | None) -> str | None:
    """An optional nickname: printable, stripped, at most MAX_NICKNAME characters; None when empty."""
    if text is None:
        return None
    text = "".join(ch for ch in str(text) if ch.isprintable()).strip()
    if len(text) > MAX_NICKNAME:
        raise ClassRunError("class.err.nickname", limit=MAX_NICKNAME)
    return text or None


def check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ClassRunError("class.err.seed", max=MAX_SEED)
    return seed


def normal_code(code) -> str | None:
    """A code as typed or linked: upper case, without spaces; None if it cannot be a code."""
    text = str(code or "").strip().upper()
    return text if 4 <= len(text) <= 16 and all(ch in CODE_ALPHABET for ch in text) else None


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ClassStore:
    """The class runs of one database (`url`: SQLAlchemy's; the schema made or migrated on open)."""

    def __init__(self, url: str):
        self.url = url
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            self.engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                                           poolclass=sa.pool.NullPool)
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
        self.migrate()

    def _read(self):
        """A connection for reading (on SQLite a deferred transaction: readers never queue behind the writer)."""
        return self.engine.connect().execution_options(lab_read=True)

    def dispose(self) -> None:
        self.engine.dispose()

    @property
    def where(self) -> str:
        """The database, for people (a PostgreSQL URL without its password)."""
        return sa.make_url(self.url).render_as_string(hide_password=True)

    # ---- schema ------------------------------------------------------------------------------------------------
    def version(self) -> int:
        with self._read() as conn:
            if not sa.inspect(conn).has_table("schema_version"):
                return 0
            return conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0

    def migrate(self) -> None:
        """Bring the schema to SCHEMA_VERSION (from nothing: an empty file or database)."""
        if self.version() >= SCHEMA_VERSION:
            return
        with self.engine.begin() as conn:
            metadata.create_all(conn, checkfirst=True)  # version 1: the tables and their indexes
            if not conn.execute(sa.select(schema_version.c.version).where(
                    schema_version.c.version == SCHEMA_VERSION)).first():
                conn.execute(schema_version.insert().values(version=SCHEMA_VERSION))

    # ---- class runs ----------------------------------------------------------------------------------------------
    def start(self, config: TrialConfig) -> tuple[str, str]:
        """A new class run of `config`: (code, teacher secret). Only the secret's hash is kept."""
        secret = secrets.token_urlsafe(18)
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                with self.engine.begin() as conn:
                    conn.execute(class_runs.insert().values(
                        code=code, teacher_hash=secret_hash(secret), config=config.canonical_json(),
                        config_key=config.key(), created=time.time()))
                return code, secret
            except sa.exc.IntegrityError:  # that code is taken: draw another
                continue
        raise RuntimeError("no free class code after 20 draws")

    def get(self, code) -> ClassRun:
        """The class run of `code`; ClassRunError `class.err.code` if there is none."""
        name = normal_code(code)
        row = None
        if name is not None:
            with self._read() as conn:
                row = conn.execute(sa.select(class_runs).where(class_runs.c.code == name)).first()
        if row is None:
            raise ClassRunError("class.err.code", code=str(code)[:20])
        return ClassRun(row.code, TrialConfig.from_dict(json.loads(row.config)), row.created, row.closed,
                        row.revealed)

    def is_teacher(self, code, secret) -> bool:
        name = normal_code(code)
        if name is None or not secret:
            return False
        with self._read() as conn:
            stored = conn.execute(sa.select(class_runs.c.teacher_hash).where(class_runs.c.code == name)).scalar()
        return stored is not None and secrets.compare_digest(stored, secret_hash(str(secret)))

    def _teacher_sets(self, code, secret, **values) -> None:
        if not self.is_teacher(code, secret):
            raise ClassRunError("class.err.teacher")
        with self.engine.begin() as conn:
            conn.execute(class_runs.update().where(class_runs.c.code == normal_code(code)).values(**values))

    def close(self, code, secret) -> None:
        """The teacher closes the run: no more runs are added."""
        self._teacher_sets(code, secret, closed=time.time())

    def reveal(self, code, secret) -> None:
        """The teacher shows everyone the lab's reference distribution beside the class's."""
        self._teacher_sets(code, secret, revealed=time.time())

    # ---- submissions ---------------------------------------------------------------------------------------------
    def existing(self, code, seed: int) -> Submission | None:
        with self._read() as conn:
            row = conn.execute(sa.select(submissions).where(
                submissions.c.code == normal_code(code), submissions.c.seed == seed)).first()
        return None if row is None else _submission(row)

    def check_can_add(self, code, seed, session: str) -> ClassRun:
        """Refuse early (before training) what `add` would refuse: a bad seed, no such or a closed class, a bound."""
        check_seed(seed)
        run = self.get(code)
        if self.existing(run.code, seed) is not None:
            return run
        if not run.is_open:
            raise ClassRunError("class.err.closed")
        with self._read() as conn:
            self._check_bounds(conn, run.code, session)
        return run

    def _check_bounds(self, conn, code: str, session: str) -> None:
        in_class = conn.execute(sa.select(sa.func.count()).select_from(submissions).where(
            submissions.c.code == code)).scalar()
        if in_class >= MAX_PER_CLASS:
            raise BoundReached("class.err.class_full", limit=MAX_PER_CLASS)
        mine = conn.execute(sa.select(sa.func.count()).select_from(submissions).where(
            submissions.c.code == code, submissions.c.session == session)).scalar()
        if mine >= MAX_PER_SESSION:
            raise BoundReached("class.err.session_full", limit=MAX_PER_SESSION)

    def add(self, code, seed: int, session: str, *, solved: bool, steps_to_solve: float, final_loss: float,
            curve: dict, nickname: str | None = None) -> Added:
        """Add one trained run to the class, atomically; a seed already there returns the first run."""
        check_seed(seed)
        nickname = clean_nickname(nickname)
        run = self.get(code)
        if (first := self.existing(run.code, seed)) is not None:
            return Added(first, False)
        try:
            with self.engine.begin() as conn:
                live = conn.execute(sa.select(class_runs.c.closed).where(class_runs.c.code == run.code)
                                    .with_for_update()).first()  # PostgreSQL: one adder per class at a time
                if live.closed is not None:
                    raise ClassRunError("class.err.closed")
                self._check_bounds(conn, run.code, str(session)[:64])
                new_id = conn.execute(submissions.insert().values(
                    code=run.code, seed=seed, nickname=nickname, session=str(session)[:64], solved=bool(solved),
                    steps_to_solve=None if not math.isfinite(steps_to_solve) else float(steps_to_solve),
                    final_loss=None if not math.isfinite(final_loss) else float(final_loss),
                    curve=json.dumps(curve, separators=(",", ":")), submitted=time.time(),
                ).returning(submissions.c.id)).scalar_one()
        except sa.exc.IntegrityError:  # the same seed, added meanwhile by another press: the first one stands
            return Added(self.existing(run.code, seed), False)
        with self._read() as conn:
            row = conn.execute(sa.select(submissions).where(submissions.c.id == new_id)).first()
        return Added(_submission(row), True)

    def runs_since(self, code, after_id: int = 0) -> list[Submission]:
        """The class's runs with an id above `after_id`, in the order they came (an index range, not a scan)."""
        with self._read() as conn:
            rows = conn.execute(sa.select(submissions).where(
                submissions.c.code == normal_code(code), submissions.c.id > after_id).order_by(submissions.c.id))
            return [_submission(row) for row in rows]

    def latest(self, code) -> tuple[int, int]:
        """(the id of the class's last run, 0 with none; how many runs it holds): what a refresh asks first, from the
        index alone."""
        with self._read() as conn:
            last, n = conn.execute(sa.select(sa.func.max(submissions.c.id), sa.func.count()).where(
                submissions.c.code == normal_code(code))).one()
        return int(last or 0), int(n)

    def count(self, code) -> int:
        with self._read() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(submissions).where(
                submissions.c.code == normal_code(code))).scalar()


def _submission(row) -> Submission:
    return Submission(row.id, int(row.seed), row.nickname, bool(row.solved),
                      math.nan if row.steps_to_solve is None else float(row.steps_to_solve),
                      math.nan if row.final_loss is None else float(row.final_loss), json.loads(row.curve),
                      float(row.submitted))


def _sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event below begins the transactions
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # a writer takes the write lock at once (no deadlock upgrading a read lock); a reader reads a snapshot
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("lab_read") else "BEGIN IMMEDIATE")


_STORES: dict[str, ClassStore] = {}


def open_store(url: str) -> ClassStore:
    """One ClassStore per URL in a process (its engine and pool shared by the page's threads)."""
    if url not in _STORES:
        _STORES[url] = ClassStore(url)
    return _STORES[url]
