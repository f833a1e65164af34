"""Write aligned pairs as TSV, JSONL, TMX or plain text, and read TSV back.

Every writer consumes an ``Iterable[AlignedPair]`` and writes as pairs arrive,
so output streams while the model works. Text is UTF-8.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from translate.align import alignment_from_links, parse_pharaoh, pharaoh
from translate.types import AlignedPair, Check, TermUse
from translate.version import __version__

TSV_HEADER = ("index", "paragraph", "source", "target")
_TSV_OPTIONAL = frozenset({"alignment", "edited"})
_TSV_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_TSV_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_TSV_SPECIAL = re.compile(r"[\\\t\n\r]")
_TSV_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
# Characters XML 1.0 cannot hold at all, not even as references.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def tsv_escape(text: str) -> str:
    """Escape backslash, tab, newline and carriage return so a field stays on one line."""
    return _TSV_SPECIAL.sub(lambda m: _TSV_ESCAPES[m.group()], text)


def tsv_unescape(field: str) -> str:
    """Undo :func:`tsv_escape`; an unknown escape is kept as written."""
    return _TSV_ESCAPE.sub(lambda m: _TSV_UNESCAPES.get(m.group(1), m.group()), field)


def write_tsv(pairs: Iterable[AlignedPair], out: TextIO, *, mark_edits: bool = False, alignments: bool = False) -> int:
    """Aligned TSV: a header, then ``index paragraph source target`` per sentence.

    With ``alignments`` a column ``alignment`` holds the word alignment in
    Pharaoh format (``0-0 1-2``: Arabic word - English word; empty when the
    pair has none). With ``mark_edits`` a column ``edited`` holds 1 for a
    target a person corrected and 0 for machine output.
    """
    header = TSV_HEADER + (("alignment",) if alignments else ()) + (("edited",) if mark_edits else ())
    out.write("\t".join(header) + "\n")
    count = 0
    for pair in pairs:
        row = f"{pair.index}\t{pair.paragraph}\t{tsv_escape(pair.source)}\t{tsv_escape(pair.target)}"
        if alignments:
            row += "\t" + (pharaoh(pair.alignment.links) if pair.alignment is not None else "")
        if mark_edits:
            row += f"\t{int(pair.edited)}"
        out.write(row + "\n")
        count += 1
    return count


def read_tsv(lines: Iterable[str]) -> Iterator[AlignedPair]:
    """Read pairs back from :func:`write_tsv` output (offsets and confidence are not kept in TSV).

    Raise ``ValueError`` naming the line on anything that is not such a file.
    """
    rows = iter(lines)
    header = tuple(next(rows, "").rstrip("\r\n").split("\t"))
    extra = header[len(TSV_HEADER) :]
    if header[: len(TSV_HEADER)] != TSV_HEADER or len(set(extra)) != len(extra) or not set(extra) <= _TSV_OPTIONAL:
        raise ValueError(
            f"not a tarjama TSV: header is {list(header)!r}, expected {list(TSV_HEADER)!r} "
            f"and optionally {sorted(_TSV_OPTIONAL)!r}"
        )
    for number, line in enumerate(rows, start=2):
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) != len(header):
            raise ValueError(f"line {number}: expected {len(header)} tab-separated fields, got {len(fields)}")
        index, paragraph, source, target = fields[:4]
        named = dict(zip(extra, fields[4:], strict=True))
        pair = AlignedPair(
            int(index), int(paragraph), tsv_unescape(source), tsv_unescape(target), edited=named.get("edited") == "1"
        )
        if named.get("alignment"):
            pair = _with_alignment(pair, named["alignment"], None, (), where=f"line {number}")
        yield pair


def write_jsonl(pairs: Iterable[AlignedPair], out: TextIO, *, fields: Mapping[str, object] | None = None) -> int:
    """One JSON object per pair, with the Hugging Face ``translation`` convention.

    ``fields`` go first in every record: a corpus's document ``id``.

    ``alignment`` is the word alignment in Pharaoh format, ``score`` the
    model's confidence in the English (mean piece log-probability) and
    ``word_scores`` each English word's (lowest piece log-probability); all
    three are null for a pair without an alignment. ``terms`` lists the
    glossary terms found in the source: ``arabic``, ``english``, ``source``
    and ``target`` (character spans; ``target`` null when the English is not
    there) and ``applied``; empty without a glossary. ``checks`` lists what
    the fidelity checks found (:mod:`translate.checks`): ``kind``, ``detail``,
    ``source`` and ``target`` (character spans, or null); empty when clean.
    ``copied`` is true for a sentence with no Arabic to translate: never sent
    to the model, its English is the sentence as written.
    """
    count = 0
    for pair in pairs:
        out.write(_one_line(json.dumps(jsonl_record(pair, fields), ensure_ascii=False)) + "\n")
        count += 1
    return count


def jsonl_record(pair: AlignedPair, fields: Mapping[str, object] | None = None) -> dict[str, object]:
    """One pair as :func:`write_jsonl` writes it (and the server's API answers it)."""
    alignment = pair.alignment
    return {
        **(fields or {}),
        "index": pair.index,
        "paragraph": pair.paragraph,
        "translation": {"ar": pair.source, "en": pair.target},
        "start": pair.start,
        "end": pair.end,
        "pieces": pair.pieces,
        "truncated": pair.truncated,
        "repetitive": pair.repetitive,
        "edited": pair.edited,
        "alignment": pharaoh(alignment.links) if alignment is not None else None,
        "score": _rounded(alignment.score) if alignment is not None and alignment.score is not None else None,
        "word_scores": [_rounded(x) for x in alignment.word_scores] if alignment is not None else None,
        "terms": [dataclasses.asdict(term) for term in pair.terms],
        "checks": [dataclasses.asdict(check) for check in pair.checks],
        "copied": pair.copied,
    }


def read_jsonl(lines: Iterable[str]) -> Iterator[AlignedPair]:
    """Read pairs back from :func:`write_jsonl` output, alignments and scores included.

    Raise ``ValueError`` naming the line on anything that is not such a record.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            record = json.loads(line)
            translation = record["translation"]
            pair = AlignedPair(
                index=int(record["index"]),
                paragraph=int(record["paragraph"]),
                source=str(translation["ar"]),
                target=str(translation["en"]),
                start=record.get("start"),
                end=record.get("end"),
                pieces=int(record.get("pieces", 1)),
                truncated=bool(record.get("truncated", False)),
                edited=bool(record.get("edited", False)),
                repetitive=bool(record.get("repetitive", False)),
                terms=tuple(_term(item) for item in record.get("terms") or ()),
                checks=tuple(_check(item) for item in record.get("checks") or ()),
                copied=bool(record.get("copied", False)),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{where}: not a tarjama JSONL record ({exc})") from None
        if record.get("alignment") is not None:
            scores = record.get("word_scores") or ()
            pair = _with_alignment(pair, record["alignment"], record.get("score"), scores, where=where)
        yield pair


def _term(item: dict) -> TermUse:
    target = item["target"]
    return TermUse(
        arabic=str(item["arabic"]),
        english=str(item["english"]),
        source=(int(item["source"][0]), int(item["source"][1])),
        target=(int(target[0]), int(target[1])) if target is not None else None,
        applied=bool(item["applied"]),
    )


def _check(item: dict) -> Check:
    source, target = item.get("source"), item.get("target")
    return Check(
        kind=str(item["kind"]),
        detail=str(item["detail"]),
        source=(int(source[0]), int(source[1])) if source is not None else None,
        target=(int(target[0]), int(target[1])) if target is not None else None,
    )


def _with_alignment(
    pair: AlignedPair, links: str, score: float | None, word_scores: Sequence[float], *, where: str
) -> AlignedPair:
    try:
        alignment = alignment_from_links(
            pair.source, pair.target, parse_pharaoh(links), word_scores=word_scores, score=score
        )
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{where}: bad alignment ({exc})") from None
    return dataclasses.replace(pair, alignment=alignment)


def _rounded(value: float) -> float:
    # Four decimals are far finer than any threshold on these, and keep lines short.
    return round(value, 4)


def write_tmx(pairs: Iterable[AlignedPair], out: TextIO) -> int:
    """A TMX 1.4 translation memory (Arabic source, English target), one ``<tu>`` per pair.

    Each unit carries ``x-paragraph`` and ``x-origin`` (machine, human, or
    copied: no Arabic, the source as written) properties, ``x-flags`` (``truncated``, ``repetitive``) on a suspect
    machine translation, ``x-check`` (``kind: detail``) for each thing the
    fidelity checks found, and ``x-alignment`` (Pharaoh word links) and
    ``x-score`` (mean piece log-probability) on an aligned pair.
    """
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">\n')
    out.write(
        f'  <header creationtool="tarjama" creationtoolversion={quoteattr(__version__)} '
        'segtype="sentence" o-tmf="tarjama" adminlang="en" srclang="ar" datatype="plaintext"/>\n  <body>\n'
    )
    count = 0
    for pair in pairs:
        out.write(
            f'    <tu tuid="{pair.index + 1}">\n'
            f'      <prop type="x-paragraph">{pair.paragraph}</prop>\n'
            f'      <prop type="x-origin">{_origin(pair)}</prop>\n'
            f"{_tmx_flags(pair)}{_tmx_alignment(pair)}"
            f'      <tuv xml:lang="ar"><seg>{_xml_text(pair.source)}</seg></tuv>\n'
            f'      <tuv xml:lang="en"><seg>{_xml_text(pair.target)}</seg></tuv>\n'
            "    </tu>\n"
        )
        count += 1
    out.write("  </body>\n</tmx>\n")
    return count


def _origin(pair: AlignedPair) -> str:
    return "human" if pair.edited else "copied" if pair.copied else "machine"


def _tmx_flags(pair: AlignedPair) -> str:
    flags = [name for name in ("truncated", "repetitive") if getattr(pair, name)]
    props = f'      <prop type="x-flags">{" ".join(flags)}</prop>\n' if flags else ""
    for check in pair.checks:
        props += f'      <prop type="x-check">{_xml_text(check.kind + ": " + check.detail)}</prop>\n'
    return props


def _tmx_alignment(pair: AlignedPair) -> str:
    if pair.alignment is None:
        return ""
    props = f'      <prop type="x-alignment">{pharaoh(pair.alignment.links)}</prop>\n'
    if pair.alignment.score is not None:
        props += f'      <prop type="x-score">{_rounded(pair.alignment.score)}</prop>\n'
    return props


def write_text(pairs: Iterable[AlignedPair], out: TextIO) -> int:
    """The English only: sentences of a paragraph on one line, one line per paragraph."""
    count = 0
    paragraph: int | None = None
    for pair in pairs:
        if paragraph is not None:
            out.write("\n" if pair.paragraph != paragraph else " ")
        out.write(pair.target)
        paragraph = pair.paragraph
        count += 1
    if count:
        out.write("\n")
    return count


def _one_line(json_text: str) -> str:
    # json.dumps leaves NEL and the Unicode line/paragraph separators raw, and
    # many JSONL readers (str.splitlines among them) break lines at them.
    return json_text.replace("\x85", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _xml_text(text: str) -> str:
    # A raw carriage return would be read back as a newline; a reference keeps it.
    return escape(_XML_FORBIDDEN.sub("\ufffd", text), {"\r": "&#13;"})


WRITERS: dict[str, Callable[[Iterable[AlignedPair], TextIO], int]] = {
    "tsv": write_tsv,
    "jsonl": write_jsonl,
    "tmx": write_tmx,
    "txt": write_text,
}
"""Output format name -> writer."""

EXTENSIONS = {
    "tsv": ".tsv",
    "jsonl": ".jsonl",
    "tmx": ".tmx",
    "txt": ".en.txt",
    "docx": ".en.docx",
    "srt": ".en.srt",
    "vtt": ".en.vtt",
    "html": ".en.html",
    "md": ".en.md",
    "epub": ".en.epub",
    "pdf": ".en.pdf",
}
"""Output format name -> file name ending used with ``--out-dir`` (docx, srt, vtt, html, md, epub: the document
itself)."""


def output_name(name: str, fmt: str) -> str:
    """An input's output file name: ``.txt``, ``.ar`` and a corpus's ``.jsonl`` give way to the format's ending.

    Other endings are kept (``page.html`` gives ``page.html.tsv``), so inputs that differ only there stay apart.
    """
    from translate.formats import FORMATS

    for suffix in (".txt", ".ar", ".jsonl", *FORMATS.get(fmt, ())):  # report.docx: report.en.docx
        name = name.removesuffix(suffix)
    return name + EXTENSIONS[fmt]


def write_pairs(
    pairs: Iterable[AlignedPair],
    out: TextIO,
    fmt: str,
    *,
    alignments: bool = False,
    fields: Mapping[str, object] | None = None,
) -> int:
    """Write ``pairs`` to ``out`` in format ``fmt``; return how many were written.

    ``alignments`` adds TSV's alignment column; JSONL and TMX always carry
    the alignments the pairs have. ``fields`` (JSONL only) go first in
    every record.
    """
    try:
        writer = WRITERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(WRITERS)}") from None
    if fields and fmt != "jsonl":
        raise ValueError(f"extra fields are written only in JSONL, not {fmt}")
    if fmt == "tsv" and alignments:
        return write_tsv(pairs, out, alignments=True)
    if fields:
        return write_jsonl(pairs, out, fields=fields)
    return writer(pairs, out)
