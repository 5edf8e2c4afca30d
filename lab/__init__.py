"""The AND-learning optimizer lab: repeated, exact, vectorised PyTorch trials of the lecture's experiment."""

from lab.core.config import ConfigError, TrialConfig

__all__ = ["ConfigError", "TrialConfig"]
