"""Errors the model layer raises for the person running the command."""

from scorehouse.config.errors import ScorehouseError


class ModelRefused(ScorehouseError):
    """A saved model failed verification (checksum, feature schema); the previous champion stays."""


class NotEnoughHistory(ScorehouseError):
    """The warehouse has too little history to train or validate; the message names the dates."""
