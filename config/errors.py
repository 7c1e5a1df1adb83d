"""The one exception family the CLI turns into a single line and a non-zero exit."""


class ScorehouseError(Exception):
    """An expected failure with a message written for the person running the command."""

    exit_code = 1
