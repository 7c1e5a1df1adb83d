"""The report and the served pages in a real headless Chromium (the distribution's package, driven by
Playwright): every image loads, nothing is blank, the what-if form answers, no request leaves 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (.ci/run installs it: apt-get install -y chromium)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(trained, tmp_path_factory):
    """The report written for the trained warehouse, and a live server on a free 127.0.0.1 port."""
    import uvicorn

    from scorehouse.features.warehouse import Warehouse
    from scorehouse.jobs.presentation.app import create_app, load
    from scorehouse.jobs.report import report

    folder = tmp_path_factory.mktemp("site")
    with Warehouse.for_settings(trained, read_only=True) as warehouse:
        report(warehouse, trained, out=folder / "report.html")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(load(trained, folder / "report.html")), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield {"report": folder / "report.html", "base": f"http://127.0.0.1:{port}", "folder": folder}
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(browser, site):
    """A page that records every request and refuses any that would leave this machine."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.requests, page.refused = [], []

    def guard(route):
        url = route.request.url
        page.requests.append(url)
        if url.startswith((site["base"] + "/", "file://", "data:", "about:")):
            route.continue_()
        else:
            page.refused.append(url)
            route.abort()

    page.route("**/*", guard)
    yield page
    assert page.refused == [], f"requests that would have left 127.0.0.1: {page.refused}"
    context.close()


def check_rendered(page, screenshot: Path, min_images: int) -> None:
    """Every <img> decoded with a size, the text is there, and the screenshot is not one flat colour."""
    images = page.eval_on_selector_all("img", "all => all.map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
    assert len(images) >= min_images
    assert all(complete and width > 50 and height > 50 for complete, width, height in images), images
    assert len(page.inner_text("body")) > 200
    page.screenshot(path=str(screenshot), full_page=True)
    import matplotlib.image

    pixels = matplotlib.image.imread(str(screenshot))[..., :3]
    assert pixels.std() > 0.05  # a blank page is one colour
    assert (pixels.mean(axis=2) < 0.5).mean() > 0.01  # some dark ink: text, axes, bars


def test_report_file_renders_every_figure(page, site):
    page.goto(site["report"].as_uri())
    check_rendered(page, site["folder"] / "report.png", min_images=9)
    assert page.locator("figcaption").count() >= 9


def test_served_report_what_if_and_customer_pages(page, site):
    page.goto(site["base"] + "/")
    check_rendered(page, site["folder"] / "served-report.png", min_images=9)

    page.goto(site["base"] + "/what-if")
    page.fill("#frequency", "5")
    page.fill("#monetary", "400")
    page.fill("#recency_days", "12")
    page.click("#predict")
    page.wait_for_selector("#answer")
    answer = page.inner_text("#answer")
    assert "Expected spend in the next 30 days" in answer and "Chance of buying" in answer
    assert "frequency=5" in page.url
    page.screenshot(path=str(site["folder"] / "what-if.png"), full_page=True)

    page.goto(site["base"] + "/customer")
    page.locator("a[href^='/customer?id=']").first.click()
    page.wait_for_selector("#answer")
    assert "What moved the spend prediction" in page.inner_text("body")
    page.screenshot(path=str(site["folder"] / "customer.png"), full_page=True)
    assert all(url.startswith(site["base"]) for url in page.requests)
