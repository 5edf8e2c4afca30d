"""Fixtures shared by the page tests: an empty result store per test, and the data behind download buttons."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    """An empty store for this test, no host compute limit from the environment, and empty caches."""
    monkeypatch.setenv("LAB_STORE", str(tmp_path / "store"))
    monkeypatch.delenv("LAB_MAX_WORK", raising=False)
    st.cache_data.clear()
    yield tmp_path / "store"
    st.cache_data.clear()


@pytest.fixture
def download_bytes(monkeypatch):
    """The bytes behind a download button: data given as such, or the callable's result (deferred downloads)."""
    files: dict = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def record(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        url = add(self, data, mimetype, coordinates, file_name, is_for_static_download)
        files[url.rsplit("/", 1)[-1].split(".")[0]] = data if isinstance(data, bytes) else str(data).encode()
        return url

    def record_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = add_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        files[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)

    def data(button) -> bytes:
        proto = button.proto
        if proto.deferred_file_id:
            return files[proto.deferred_file_id]()
        return files[proto.url.rsplit("/", 1)[-1].split(".")[0]]

    return data


@pytest.fixture
def downloads(download_bytes):
    """A download button's CSV as a DataFrame."""
    return lambda button: pd.read_csv(io.BytesIO(download_bytes(button)))
