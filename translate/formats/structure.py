"""What a page's English must keep of its structure: each id exactly as often as the Arabic had it, each link
target too. Counted before and after writing; what differs is said, one line each (``Document.unkept``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

MARKED = ("id", "name", "href")
"""What makes an inline element structure to keep (a place to link to, a link), not only formatting."""


@dataclass(frozen=True)
class Structure:
    """The ids of a tree and the targets of its links, each with how often it stands."""

    ids: Counter[str]
    hrefs: Counter[str]


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def describe(element: Any) -> str:
    """``<a id="x" href="#y">``: the element as a person finds it in the source."""
    found = [f'{a}="{element.get(a)}"' for a in MARKED if element.get(a) is not None]
    return f"<{_local(element)} {' '.join(found)}>"


def structure(root: Any) -> Structure:
    """The ids and link targets of the (X)HTML tree ``root``."""
    ids: Counter[str] = Counter()
    hrefs: Counter[str] = Counter()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # a comment, a processing instruction
        if element.get("id") is not None:
            ids[element.get("id")] += 1
        if _local(element) == "a" and element.get("href") is not None:
            hrefs[element.get("href")] += 1
    return Structure(ids, hrefs)


def compare(before: Structure, after: Structure) -> list[str]:
    """A line for each id not there exactly as often as it was, each link target lost or repeated."""
    found = []
    for kind, was, now in (("id", before.ids, after.ids), ("link to", before.hrefs, after.hrefs)):
        for key in was.keys() | now.keys():
            if was[key] != now[key]:
                found.append(f'{kind} "{key}": {was[key]} in the Arabic, {now[key]} in the English')
    return sorted(found)
