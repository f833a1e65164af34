"""Documents whose structure must survive translation, made here: a verse book with anchors and back-links, a
footer menu of links; and what an English copy kept of their ids, links and verse markers."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections import Counter
from dataclasses import dataclass

from fixture_model import seed_sentences
from lxml import etree

XHTML_NS = "http://www.w3.org/1999/xhtml"
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
MARKER = re.compile(r"﴿\s*[0-9٠-٩۰-۹]+\s*﴾")
CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
    "</container>"
)
FOOTER = (
    '<div class="footer"><a href="/">الرئيسية</a> | <a href="/rss/">آر إس إس</a> | <a href="/mobile/tv/">تلفزيون'
    '</a> | <a href="https://twitter.com/x">تويتر</a> | <a href="sms:123">رسالة</a></div>'
)
"""The lead's repro of a saved news page's footer menu (issue 33)."""


def verses(count: int) -> list[str]:
    """``count`` verses of Arabic with no full stop (a surah is one "sentence" to a segmenter), 4 to 11 words."""
    words = [w for arabic, _ in seed_sentences() for w in arabic.replace(".", "").replace("؟", "").split()]
    found, at = [], 0
    for n in range(count):
        size = 4 + n % 8
        found.append(" ".join(words[(at + k) % len(words)] for k in range(size)))
        at += size
    return found


def _chapter(body: str) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="{XHTML_NS}" xml:lang="ar" lang="ar" dir="rtl">'
        f"<head><title>سورة</title></head><body>{body}</body></html>"
    )


def verse_book(total: int = 200) -> bytes:
    """An EPUB as a Quran with tafsir is made: 3 chapters of ``total`` verses, each chapter one paragraph.

    Chapter 1 starts each verse with an empty ``<a id="aya-N"/>``; chapters 2 and 3 wrap each verse in
    ``<a id="aya-N" href="notes.xhtml#note-N">``. Every verse ends with its marker ``﴿N﴾`` (Arabic-Indic
    digits). The notes chapter holds one note per verse, ``id="note-N"``, starting with a link back to its verse.
    """
    text = verses(total)
    thirds = [range(1, total // 3 + 1), range(total // 3 + 1, 2 * total // 3 + 1), range(2 * total // 3 + 1, total + 1)]
    chapters = {}
    where = {}
    for c, numbers in enumerate(thirds, start=1):
        parts = []
        for n in numbers:
            marker = f"﴿{str(n).translate(ARABIC_DIGITS)}﴾"
            if c == 1:
                parts.append(f'<a id="aya-{n}"/>{text[n - 1]} {marker} ')
            else:
                parts.append(f'<a id="aya-{n}" href="notes.xhtml#note-{n}">{text[n - 1]}</a> {marker} ')
            where[n] = f"c{c}.xhtml"
        chapters[f"OEBPS/c{c}.xhtml"] = _chapter(f"<h1>سورة {c}</h1><p>{''.join(parts).strip()}</p>")
    notes = "".join(
        f'<p id="note-{n}"><a href="{where[n]}#aya-{n}">{n}</a> تفسير {text[n - 1]}</p>' for n in range(1, total + 1)
    )
    chapters["OEBPS/notes.xhtml"] = _chapter(notes)
    manifest = "".join(
        f'<item id="{m.rsplit("/", 1)[1][:-6]}" href="{m.rsplit("/", 1)[1]}" media-type="application/xhtml+xml"/>'
        for m in chapters
    )
    spine = "".join(f'<itemref idref="{m.rsplit("/", 1)[1][:-6]}"/>' for m in chapters)
    opf = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id" xml:lang="ar" dir="rtl">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">verses</dc:identifier>'
        f"<dc:title>كتاب</dc:title><dc:language>ar</dc:language></metadata><manifest>{manifest}</manifest>"
        f'<spine page-progression-direction="rtl">{spine}</spine></package>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", CONTAINER)
        book.writestr("OEBPS/content.opf", opf)
        for member, data in chapters.items():
            book.writestr(member, data)
    return out.getvalue()


@dataclass(frozen=True)
class Audit:
    """What an English book kept of the Arabic one's ids, links and verse markers."""

    ids: int  # ids in the Arabic chapters
    ids_lost: int  # ids of the Arabic not in the English
    duplicates: int  # ids written more than once: each extra copy
    links: int  # links of the Arabic whose target exists in it
    links_lost: int  # of those, hrefs not in the English
    dangling: int  # links of the English whose target existed in the Arabic but not in the English
    markers: int  # verse markers of the Arabic
    markers_lost: int


def _chapters(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {m: etree.fromstring(book.read(m)) for m in book.namelist() if m.endswith(".xhtml")}


def _ids(chapters: dict[str, etree._Element]) -> Counter[tuple[str, str]]:
    return Counter((m, e.get("id")) for m, root in chapters.items() for e in root.iter() if e.get("id"))


def _links(chapters: dict[str, etree._Element]) -> list[tuple[str, tuple[str, str]]]:
    """(the href as written, the (member, id) it points to) of each link between chapters."""
    found = []
    for member, root in chapters.items():
        for a in root.iter(f"{{{XHTML_NS}}}a"):
            href = a.get("href")
            if href and "#" in href and ":" not in href:
                path, _, fragment = href.partition("#")
                target = posixpath.normpath(posixpath.join(posixpath.dirname(member), path)) if path else member
                found.append((f"{member}:{href}", (target, fragment)))
    return found


def _markers(chapters: dict[str, etree._Element]) -> Counter[str]:
    found: Counter[str] = Counter()
    for root in chapters.values():
        found.update(
            m.group().translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
            for m in MARKER.finditer("".join(root.itertext()))
        )
    return found


def audit(arabic: bytes, english: bytes) -> Audit:
    before, after = _chapters(arabic), _chapters(english)
    ids_before, ids_after = _ids(before), _ids(after)
    links_before = [(href, target) for href, target in _links(before) if ids_before[target]]
    hrefs_after = Counter(href for href, _ in _links(after))
    dangling = sum(1 for _, target in _links(after) if ids_before[target] and not ids_after[target])
    markers_before, markers_after = _markers(before), _markers(after)
    return Audit(
        ids=sum(ids_before.values()),
        ids_lost=sum(1 for key in ids_before if not ids_after[key]),
        duplicates=sum(count - 1 for count in ids_after.values() if count > 1),
        links=len(links_before),
        links_lost=sum(1 for href, _ in links_before if not hrefs_after[href]),
        dangling=dangling,
        markers=sum(markers_before.values()),
        markers_lost=sum((markers_before - markers_after).values()),
    )
