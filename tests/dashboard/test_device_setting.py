"""The dashboard's `device` setting: where the server's workers train (secrets `device`, else LAB_DEVICE, else cpu)."""

from __future__ import annotations

import pytest
import torch

from lab.dashboard import settings, work


def test_the_device_comes_from_the_environment_and_defaults_to_the_cpu(monkeypatch):
    monkeypatch.delenv("LAB_DEVICE", raising=False)
    assert settings.device() == "cpu"
    monkeypatch.setenv("LAB_DEVICE", " cuda:1 ")
    assert settings.device() == "cuda:1"


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA GPU is here")
def test_a_server_asked_for_a_gpu_it_lacks_says_so(monkeypatch):
    monkeypatch.setenv("LAB_DEVICE", "cuda")
    work.service.clear()
    try:
        with pytest.raises(Exception, match="no CUDA GPU"):
            work.service()
    finally:
        work.service.clear()
