"""Fixtures shared by the page tests: an empty result store per test or one store per module, the data behind download
buttons, and a Streamlit server with a browser (the helpers that drive it: tests/helpers.py)."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from helpers import FIRST_VISIT, ROOT, WIDTHS, open_page
from streamlit.runtime.media_file_manager import MediaFileManager

import lab.compute.sweep
from lab.compute.workers import train_unit
from lab.dashboard import memo

# the servers and app runs of the tests do not warm themselves (lab.dashboard.selfwarm): each test asks for what it
# checks; a test of the self-warm turns it on for its own server
os.environ["LAB_SELF_WARM"] = "0"

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


SLOW_MARKERS = ("browser", "exactness", "background")  # these are `slow` too: `-m "not slow"` leaves them out


def in_a_parallel_worker() -> bool:
    """Whether this session is one of pytest-xdist's workers (pyproject.toml runs the suite on `-n auto`)."""
    return "PYTEST_XDIST_WORKER" in os.environ


def pytest_collection_modifyitems(items):
    """Tests marked browser, exactness or background, and those on a Streamlit server, are marked slow too.

    On one process, the tests marked `background` come last: their work runs in the background meanwhile
    (pytest_collection_finish). On parallel workers (`--dist loadgroup`), each module's tests stay together on one
    worker (its module-scoped servers, browsers and stores are made once), except the `background` tests: they come
    first and each goes to whichever worker is free, so that the longest runs start before the short tests."""
    parallel = in_a_parallel_worker()
    for item in items:
        if any(item.get_closest_marker(name) is not None for name in SLOW_MARKERS) or \
                "server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
        if parallel and item.get_closest_marker("background") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
    items.sort(key=lambda item: (item.get_closest_marker("background") is not None) != parallel)


BACKGROUND_MODULES: list = []  # the modules whose background work this session started


def pytest_collection_finish(session):
    """Start the background work of the selected `background` tests, grouped by module, as soon as they are known
    (not when only collecting). Not on parallel workers: each collects every test but runs only some, and runs a
    `background` test's work when the test comes."""
    if session.config.option.collectonly or in_a_parallel_worker():
        return
    by_module: dict = {}
    for item in session.items:
        if item.get_closest_marker("background") is not None:
            by_module.setdefault(item.module, []).append(item)
    for module, items in by_module.items():
        BACKGROUND_MODULES.append(module)
        module.start_in_background(items)


def pytest_sessionfinish(session):
    """Stop background work nobody will wait for any more (a session ended early: -x, Ctrl-C, a crash)."""
    for module in BACKGROUND_MODULES:
        module.stop_background()


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    """An empty store for this test, no host compute limit from the environment, and empty caches (Streamlit's and
    the server's cache of results)."""
    monkeypatch.setenv("LAB_STORE", str(tmp_path / "store"))
    monkeypatch.delenv("LAB_MAX_WORK", raising=False)
    st.cache_data.clear()
    memo.limit(memo.DEFAULT_MB * 2**20)
    memo.clear()
    yield tmp_path / "store"
    st.cache_data.clear()
    memo.limit(memo.DEFAULT_MB * 2**20)
    memo.clear()


@pytest.fixture(scope="module")
def shared_store(request, tmp_path_factory):
    """A store folder shared by the tests of one module: what they train is trained once."""
    return tmp_path_factory.mktemp(f"{request.module.__name__}-store")


@pytest.fixture
def shared_store_dir(shared_store, monkeypatch):
    """The module's store for this test, no host compute limit from the environment, and empty caches. Asked for as a
    test's argument in a module whose tests use `store_dir`, it comes after that one and replaces its empty store: for
    the tests that only check how a page treats its link, what they train is trained once."""
    monkeypatch.setenv("LAB_STORE", str(shared_store))
    monkeypatch.delenv("LAB_MAX_WORK", raising=False)
    st.cache_data.clear()
    yield shared_store
    st.cache_data.clear()


@pytest.fixture
def download_bytes(monkeypatch):
    """The bytes behind a download button: data given as such, or the callable's result (deferred downloads)."""
    files: dict = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def record(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        url = add(self, data, mimetype, coordinates, file_name, is_for_static_download)
        files[url.rsplit("/", 1)[-1].split(".")[0]] = data if isinstance(data, bytes) else str(data).encode()
        NAMES[url.rsplit("/", 1)[-1].split(".")[0]] = file_name
        return url

    def record_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = add_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        files[file_id] = data_callable
        NAMES[file_id] = file_name
        return file_id

    monkeypatch.setattr(MediaFileManager, "add", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)

    def data(button) -> bytes:
        proto = button.proto
        if proto.deferred_file_id:
            return files[proto.deferred_file_id]()
        return files[proto.url.rsplit("/", 1)[-1].split(".")[0]]

    return data


NAMES: dict = {}  # file id -> the file name a download button offers


@pytest.fixture
def download_name(download_bytes):
    """The file name a download button offers."""
    return lambda button: NAMES[button.proto.deferred_file_id or button.proto.url.rsplit("/", 1)[-1].split(".")[0]]


@pytest.fixture
def downloads(download_bytes):
    """A download button's CSV as a DataFrame."""
    return lambda button: pd.read_csv(io.BytesIO(download_bytes(button)))


# ---- the store's training, counted -----------------------------------------------------------------------------------
@pytest.fixture
def counted(monkeypatch):
    """The training behind lab.compute.sweep (its units, trained in this process), counting calls: the list of seed
    lists it was asked for."""
    calls = []

    def counting_train_unit(unit, *args, **kwargs):
        calls.append([seed for _, seeds in unit for seed in seeds])
        return train_unit(unit, *args, **kwargs)

    monkeypatch.setattr(lab.compute.sweep, "train_unit", counting_train_unit)
    return calls


# ---- a real server and browser -------------------------------------------------------------------------------------
SERVER_START_S = 120  # a server's start on a machine busy with other work


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """`streamlit run app.py` on a free port with an empty store, shared by the browser tests of the session (each
    page's first case computes that page's view); its URL. The server's output goes to server.log beside the store."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    port = _free_port()
    folder = tmp_path_factory.mktemp("server")
    env = {**os.environ, "LAB_STORE": str(folder / "store"), "LAB_SELF_WARM": "0"}
    streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
    log = (folder / "server.log").open("wb")  # a file, not a pipe nobody reads (a full pipe would stall the server)
    proc = subprocess.Popen(
        [streamlit, "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + SERVER_START_S
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                pytest.fail(f"the Streamlit server at {url} did not answer /_stcore/health within {SERVER_START_S} s "
                            f"(exit code {proc.poll()}; its log: {folder / 'server.log'})")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(server):
    """Debian's chromium through Playwright, for one module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def warm(browser, server):
    """Open the entry page once: until a server has run app.py, a deep link to a page runs that page's file alone
    (Streamlit's pages/-directory mode), without the navigation, language switch and wide layout."""
    context, _ = open_page(browser, f"{server}/?lang=en&steps=20", WIDTHS["desktop"], "en", timeout=FIRST_VISIT)
    context.close()
