"""The HTML shell shared by the report and the served pages: inline CSS, system fonts, no scripts.

Nothing here refers to another host: the pages must open from a file or from 127.0.0.1 with no
network (the browser tests check that no request leaves the machine).
"""

from __future__ import annotations

import html

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1040px;
       padding: 1rem 1.5rem 3rem; color: #1d2430; background: #fff; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #d5dbe3; padding-bottom: 0.2rem; margin-top: 2rem; }
.subtitle, figcaption, .note { color: #4a5568; font-size: 0.9rem; }
figure { margin: 0.8rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eef1f5; }
figcaption { margin-top: 0.3rem; font-style: italic; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.82rem; }
th, td { border: 1px solid #d5dbe3; padding: 0.2rem 0.5rem; text-align: right; }
th { background: #f3f6f9; }
td:first-child, th:first-child { text-align: left; }
nav ol { columns: 2; font-size: 0.9rem; }
nav.top a { margin-right: 1rem; }
form label { display: inline-block; width: 17rem; }
form input, form select { width: 9rem; margin: 0.15rem 0; }
.answer { background: #f3f8fd; border-left: 4px solid #1f6fb2; padding: 0.6rem 1rem; }
.error { background: #fdf3f3; border-left: 4px solid #b21f1f; padding: 0.6rem 1rem; }
"""


def page(title: str, body: str, *, navigation: bool = False) -> str:
    """A complete HTML document around ``body`` (already HTML); ``navigation`` adds the served site's links."""
    links = ('<nav class="top"><a href="/">report</a><a href="/what-if">what-if</a>'
             '<a href="/customers">customers</a></nav>') if navigation else ""
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{links}\n{body}\n</body></html>\n"
    )
