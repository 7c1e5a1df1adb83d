"""Typed settings and the error base: the ground floor of scorehouse; imports nothing of ours."""

from scorehouse.config.errors import ScorehouseError
from scorehouse.config.settings import Settings, SettingsError, load_settings

__all__ = ["ScorehouseError", "Settings", "SettingsError", "load_settings"]
