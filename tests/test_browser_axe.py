"""The reader's page as axe-core (the accessibility checker browsers' dev tools use) finds it: nothing serious.

axe-core comes from npm (``tests/package.json``; ``.ci/run`` runs ``npm ci --prefix tests``), never from the
network at test time; it is injected into the page and run there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chromium import CHROMIUM

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed"),
    pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed: run `npm ci --prefix tests`"),
]

SERIOUS = ("serious", "critical")


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on ``page``, one line each: rule, impact, where, why."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, { resultTypes: ['violations'] })).violations")
    lines = []
    for rule in found:
        if rule["impact"] not in SERIOUS:
            continue
        for node in rule["nodes"]:
            why = (node.get("any") or node.get("all") or node.get("none") or [{}])[0].get("message", "")
            lines.append(f"{rule['id']} ({rule['impact']}): {json.dumps(node['target'])}: {why}")
    return lines


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_empty_and_the_translated_page_have_no_serious_accessibility_problem(
    open_page, reader, seed_pairs, theme: str
) -> None:
    page = open_page(f"{reader.url}?__theme={theme}", color_scheme=theme)  # the system agreeing with the page
    assert serious_violations(page) == []
    page.get_by_text("Sample article: khan-tuman.ar").click()  # picking a sample translates it at once
    page.wait_for_selector(f"#tj-status:has-text('{len(seed_pairs)} / {len(seed_pairs)} sentences')", timeout=60_000)
    page.wait_for_selector(".tj-doc[aria-busy='false'] .tj-en[contenteditable]")
    # A corrected row, pointed at: axe reads no generated content, so its ✎ is measured here.
    cell = page.locator(".tj-row[data-pair='1'] .tj-en")
    cell.click()
    page.keyboard.press("End")
    page.keyboard.type(" Indeed.")
    page.keyboard.press("Enter")
    page.wait_for_selector(".tj-row[data-pair='1'].tj-edited")
    page.locator(".tj-row[data-pair='1']").hover()
    page.wait_for_selector(".tj-row[data-pair='1']:hover")
    assert serious_violations(page) == []
    assert pencil_contrast(page, ".tj-row[data-pair='1']") >= 4.5


def pencil_contrast(page, row: str) -> float:
    """The contrast of the ✎ after a corrected English (``::after``) with its row's background (WCAG formula)."""
    return page.evaluate(
        """(row) => {
          const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
          const lum = ([r, g, b]) => {
            const f = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
          };
          const cell = document.querySelector(row + " .tj-en");
          if (getComputedStyle(cell, "::after").content !== '" ✎"') return 0;
          let el = cell;
          while (el && getComputedStyle(el).backgroundColor.match(/[\\d.]+/g)?.[3] === "0") el = el.parentElement;
          const a = lum(rgb(getComputedStyle(cell, "::after").color));
          const b = lum(rgb(getComputedStyle(el).backgroundColor));
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }""",
        row,
    )
