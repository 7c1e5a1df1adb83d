"""Regenerate the README's screenshots (``make screenshots``): the report and the served pages of the
demo warehouse, in the distribution's headless Chromium driven by Playwright.

Needs ``make demo`` first (the warehouse and report.html in the working directory) and
``apt-get install -y chromium``. Writes docs/screenshots/{report-top,report-evaluation,what-if,customer}.png.
"""

from __future__ import annotations

import shutil
import socket
import sys
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from scorehouse.config import load_settings
from scorehouse.jobs.presentation.app import create_app, load

OUT = Path(__file__).parent / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> int:
    report = Path("report.html")
    if not report.is_file():
        print("no report.html here: run `make demo` (or `scorehouse report`) first", file=sys.stderr)
        return 1
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(load(load_settings(None), report)), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
            page = browser.new_page(viewport={"width": 1100, "height": 1300})
            page.goto(report.resolve().as_uri())
            page.screenshot(path=str(OUT / "report-top.png"))
            page.evaluate("document.getElementById('s3').scrollIntoView()")
            page.screenshot(path=str(OUT / "report-evaluation.png"))
            page.goto(f"{base}/what-if?frequency=5&monetary=400&recency_days=12")
            page.wait_for_selector("#answer")
            page.screenshot(path=str(OUT / "what-if.png"))
            page.goto(f"{base}/customer")
            page.locator("a[href^='/customer?id=']").first.click()
            page.wait_for_selector("#answer")
            page.screenshot(path=str(OUT / "customer.png"))
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    for path in sorted(OUT.glob("*.png")):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
