"""Typed settings and the error base: the ground floor of scorehouse; imports nothing of ours."""

from config.errors import ScorehouseError
from config.settings import Settings, SettingsError, load_settings

__all__ = ["ScorehouseError", "Settings", "SettingsError", "load_settings"]
