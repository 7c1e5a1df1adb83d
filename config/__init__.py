"""Typed settings and the error base: the ground floor of scorehouse; imports nothing of ours."""

from scorehouse.config.errors import ScorehouseError
from scorehouse.config.settings import (
    Settings,
    SettingsError,
    config_file_location,
    example_config,
    load_settings,
    write_example_config,
)

__all__ = [
    "ScorehouseError", "Settings", "SettingsError", "config_file_location", "example_config",
    "load_settings", "write_example_config",
]
