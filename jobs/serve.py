"""``scorehouse serve``: the report, the what-if form, customer pages and a JSON API over HTTP.

Read-only over the warehouse and bound to 127.0.0.1 unless ``--host`` says otherwise. The champions
are loaded once at start-up (restart after a retraining to serve the new ones); see
``jobs.presentation.app`` for the routes.
"""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from scorehouse.jobs.presentation.app import create_app, load

log = logging.getLogger("scorehouse")


def serve(settings, *, host: str = "127.0.0.1", port: int = 8000, report_path: str | Path = "report.html") -> None:
    """Load the champions, then serve until interrupted."""
    served = load(settings, Path(report_path))
    log.info("serving http://%s:%d/ (what-if at /what-if, customers at /customer, API /customers/{id} "
             "and POST /predict); Ctrl-C stops", host, port)
    uvicorn.run(create_app(served), host=host, port=port, log_level="warning")
