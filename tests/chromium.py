"""How the tests, the reader benchmark and the README screenshots launch a browser.

Debian's chromium, driven by Playwright, which never downloads a browser here;
its own networking (updates, component downloads, first-run pings) is off.
"""

from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
