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


WCAG_COLOURS = r"""
const rgb = (s) => s.match(/[\d.]+/g).map(Number);
const background = (node) => {
  for (; node; node = node.parentElement) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length < 4 || c[3] > 0) return c;
  }
  return [255, 255, 255];
};
const lum = ([r, g, b]) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
"""
"""Page-script helpers for WCAG contrast (a colour's numbers, the background an element is painted on, relative
luminance), prefixed to the browser tests' measuring functions."""
