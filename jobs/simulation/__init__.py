"""The synthetic shop behind ``scorehouse generate``: its generative process and its oracle."""
