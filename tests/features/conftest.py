"""Make the shared feature-test helpers (tests/sql/featurekit.py) importable from tests/features."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sql"))
