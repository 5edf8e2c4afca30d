"""Texts of the depth page (English, 日本語), merged into lab.i18n.STRINGS."""

STRINGS: dict[str, tuple[str, str]] = {}
