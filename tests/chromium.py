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
    "--disable-sync",
    "--disable-domain-reliability",
    "--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter",
    # With the flags above Chromium still looked up content-autofill.googleapis.com,
    # accounts.google.com and update.googleapis.com (strace): no name resolves but loopback's.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
