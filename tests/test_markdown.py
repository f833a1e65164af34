"""Markdown files back as Markdown (translate/formats/markdown.py): blocks, formatting on their words, lines kept.

Pure: each block is "translated" word by word through a small glossary, its
words linked one to one (or by the links a case gives), as the model's
alignment would link them; no model runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
from markdown_it import MarkdownIt

from translate.align import alignment_from_links
from translate.errors import InputError
from translate.formats import by_block, document_text
from translate.formats.markdown import MAX_BYTES, MarkdownDocument
from translate.segment import segment_text
from translate.types import AlignedPair

WORDS = {
    "القط": "cat",
    "الأسود": "black",
    "نام": "slept",
    "هنا": "here",
    "عنوان": "title",
    "فصل": "chapter",
    "أول": "first",
    "ثان": "second",
    "كتاب": "book",
    "قلم": "pen",
    "اقتباس": "quote",
    "حكيم": "wise",
    "عنصر": "item",
    "آخر": "other",
    "صورة": "image",
    "جدول": "table",
    "نجمة": "*star*",
    "رقم": "#1",
    "الأول": "1.",
    "شرطة": "-",
    "خط": "a_b",
    "أنبوب": "a|b",
    "|": "|",
    "إضافة": "+",
    "رمز": "<b>&amp;",
}


def _md() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _pair(index: int, source: str, target: str, links: Sequence[tuple[int, int]], start: int = 0) -> AlignedPair:
    alignment = alignment_from_links(source, target, links)
    return AlignedPair(index, 0, source, target, start=start, end=start + len(source), alignment=alignment)


def _word_by_word(block_text: str, index: int = 0) -> AlignedPair:
    """The block in English through :data:`WORDS`, each word linked to its own."""
    words = block_text.split()
    target = " ".join(WORDS[w] for w in words)
    return _pair(index, block_text, target, [(i, i) for i in range(len(words))])


def _english(source: str, *, bilingual: bool = False) -> str:
    doc = MarkdownDocument("doc.md", source.encode("utf-8"))
    sentences = [[_word_by_word(block.text, k)] for k, block in enumerate(doc.blocks)]
    return doc.render(sentences, bilingual=bilingual).decode("utf-8")


def _shape(markdown: str) -> list[tuple[str, str, list[str]]]:
    """The document's structure: each token's type and markup, and an inline's formatting and objects in order."""
    shape = []
    for token in _md().parse(markdown):
        children = [c.type for c in token.children or [] if c.type not in ("text", "softbreak", "hardbreak")]
        shape.append((token.type, token.markup, children))
    return shape


def _lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


CASES = [
    ("atx heading", "# عنوان أول\n", "# title first\n"),
    ("atx heading closed", "> ## عنوان ##  \n", "> ## title ##  \n"),
    ("setext heading", "عنوان\nفصل\n===\n", "title chapter\n===\n"),
    ("paragraph over lines", "القط الأسود\nنام  \nهنا\n\nكتاب\n", "cat black slept here\n\nbook\n"),
    ("blockquote", "> اقتباس\n> حكيم\n>\n> كتاب\n", "> quote wise\n>\n> book\n"),
    ("lazy blockquote line", "> اقتباس\nحكيم\n", "> quote wise\n"),
    ("bullet list", "- عنصر أول\n- عنصر\n  ثان\n", "- item first\n- item second\n"),
    ("ordered list", "1. عنصر\n   آخر\n2. كتاب\n   - قلم\n", "1. item other\n2. book\n   - pen\n"),
    ("table", "| كتاب | قلم |\n|---|:-:|\n| صورة | جدول |\n", "| book | pen |\n|---|:-:|\n| image | table |\n"),
    ("table in a quote", "> كتاب | `x`\n> ---|---\n> قلم \\| | جدول\n", "> book | `x`\n> ---|---\n> pen \\| | table\n"),
    ("bold", "القط **الأسود** نام\n", "cat **black** slept\n"),
    ("emphasis kinds", "_القط_ __نام__ ~~هنا~~ *كتاب*\n", "_cat_ __slept__ ~~here~~ *book*\n"),
    (
        "link",
        'القط [الأسود نام](https://example.org/a "عنوان") هنا\n',
        'cat [black slept](https://example.org/a "عنوان") here\n',
    ),
    (
        "link over code and a word",
        "القط [`x` الأسود](https://e.org) نام\n",
        "cat [`x` black](https://e.org) slept\n",
    ),
    ("code and image", "القط `x = 1` نام ![صورة](a.png) هنا\n", "cat `x = 1` slept ![صورة](a.png) here\n"),
    ("raw html and autolink", "القط <b>نام</b> <https://e.org/x>\n", "cat <b>slept</b> <https://e.org/x>\n"),
    ("fenced code", "```\nالقط نام\n```\n\n    القط\n\nالقط نام\n", "```\nالقط نام\n```\n\n    القط\n\ncat slept\n"),
    ("html block", "<div>\nالقط نام\n</div>\n\nهنا\n", "<div>\nالقط نام\n</div>\n\nhere\n"),
    ("front matter", "---\ntitle: عنوان\n---\n\nالقط\n", "---\ntitle: عنوان\n---\n\ncat\n"),
    ("escapes", "# نجمة رقم\n\nنجمة خط رمز\n", "# \\*star\\* \\#1\n\n\\*star\\* a\\_b \\<b\\>\\&amp;\n"),
    ("list-like start", "الأول كتاب\n\nشرطة قلم\n\nإضافة هنا\n", "1\\. book\n\n\\- pen\n\n\\+ here\n"),
    ("pipe in a cell", "| أنبوب |\n|---|\n| أنبوب |\n\nأنبوب\n", "| a\\|b |\n|---|\n| a\\|b |\n\na|b\n"),
]


@pytest.mark.parametrize(("source", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_block_is_patched_in_place(source: str, expected: str) -> None:
    written = _english(source)
    assert written == expected
    assert _shape(written) == _shape(source)


@pytest.mark.parametrize("source", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_every_line_but_a_blocks_content_stays_byte_for_byte(source: str) -> None:
    first: set[int] = set()
    rest: set[int] = set()
    for token in _md().parse(re.sub(r"\A---\n.*?\n---\n", lambda m: "\n" * m.group().count("\n"), source, flags=re.S)):
        if token.type == "inline" and token.map and token.content.strip():
            first.add(token.map[0])
            rest.update(range(token.map[0] + 1, token.map[1]))
    kept = [(i, line) for i, line in enumerate(_lines(source)) if i not in rest]
    written = _lines(_english(source))
    assert len(written) == len(kept)
    for (i, line), out in zip(kept, written, strict=True):
        if i not in first:
            assert out == line


def test_bold_lands_on_the_aligned_english_word_wherever_it_stands() -> None:
    # القط **الأسود** نام: "the black cat slept", the bold word second in the English.
    doc = MarkdownDocument("doc.md", "القط **الأسود** نام\n".encode())
    source = doc.blocks[0].text
    pair = _pair(0, source, "the black cat slept", [(0, 2), (1, 1), (2, 3)])
    assert doc.render([[pair]]).decode() == "the **black** cat slept\n"
    assert doc.approximate == 0


def test_a_link_keeps_its_href_and_moves_with_its_words() -> None:
    doc = MarkdownDocument("doc.md", "القط [الأسود](https://example.org/ص) نام\n".encode())
    source = doc.blocks[0].text
    pair = _pair(0, source, "the black cat slept", [(0, 2), (1, 1), (2, 3)])
    written = doc.render([[pair]]).decode()
    assert written == "the [black](https://example.org/%D8%B5) cat slept\n"
    link = next(c for c in _md().parse(written)[1].children or [] if c.type == "link_open")
    assert link.attrGet("href") == "https://example.org/%D8%B5"


def test_a_mark_the_alignment_takes_nowhere_is_kept_and_counted() -> None:
    doc = MarkdownDocument("doc.md", "القط **الأسود** نام\n".encode())
    pair = _pair(0, doc.blocks[0].text, "the cat slept", [(0, 1), (2, 2)])
    written = doc.render([[pair]]).decode()
    assert written.count("**") == 2
    assert doc.approximate == 1


def test_blocks_and_objects_read_from_the_inline_tokens() -> None:
    doc = MarkdownDocument("doc.md", "# عنوان\n\nالقط `x` **نام** ![صورة](a.png)\n\n```\nكود\n```\n".encode())
    assert [b.text for b in doc.blocks] == ["عنوان", "القط  نام "]
    spans = doc.blocks[1].spans
    assert [(s.start, s.end) for s in spans] == [(0, 5), (5, 5), (5, 6), (6, 9), (9, 10), (10, 10)]


def test_sentences_segmented_over_the_document_land_in_their_blocks() -> None:
    source = "# عنوان\n\n> القط نام. القط\n> هنا.\n"
    doc = MarkdownDocument("doc.md", source.encode())
    text, starts = document_text(doc.blocks)
    pairs = []
    for segment in segment_text(text):
        words = segment.text.split()
        target = " ".join(WORDS[w.rstrip(".")] + "." * w.endswith(".") for w in words)
        pairs.append(_pair(segment.index, segment.text, target, [(i, i) for i in range(len(words))], segment.start))
    written = doc.render(by_block(pairs, starts, doc.blocks)).decode()
    assert written == "# title\n\n> cat slept. cat here.\n"


BILINGUAL = [
    ("paragraph", "القط نام\nهنا\n\nكتاب\n", "القط نام\nهنا\n\ncat slept here\n\nكتاب\n\nbook\n"),
    ("heading", "## عنوان ##\n\nفصل\n---\n", "## عنوان ##\n\n## title ##\n\nفصل\n---\n\nchapter\n---\n"),
    ("list item", "- عنصر\n- قلم\n", "- عنصر\n\n  item\n- قلم\n\n  pen\n"),
    ("ordered item", "10. عنصر\n", "10. عنصر\n\n    item\n"),
    ("blockquote", "> القط\n> نام\n\nهنا\n", "> القط\n> نام\n>\n> cat slept\n\nهنا\n\nhere\n"),
    ("nested", "> - القط\n", "> - القط\n>\n>   cat\n"),
    # Without Arabic, an item or a paragraph stays as written and gains no twin (issue 33).
    ("english item", "- English *only*\n- القط\n", "- English *only*\n- القط\n\n  cat\n"),
    ("english paragraph", "See <https://example.com> now\n\nالقط\n", "See <https://example.com> now\n\nالقط\n\ncat\n"),
    (
        "table cell",
        "| كتاب | قلم |\n|---|---|\n| صورة | `x` |\n",
        "| كتاب<br>book | قلم<br>pen |\n|---|---|\n| صورة<br>image | `x` |\n",
    ),
]


def _blocks_in_containers(markdown: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each inline's content, its block (``h2``, ``p``, ``td``...) and the containers around it."""
    containers: list[str] = []
    found = []
    tokens = _md().parse(markdown)
    for k, token in enumerate(tokens):
        if token.type == "inline":
            found.append((token.content, tokens[k - 1].tag, tuple(containers)))
        elif token.nesting == 1 and token.type not in ("paragraph_open", "heading_open"):
            containers.append(token.type)
        elif token.nesting == -1 and token.type not in ("paragraph_close", "heading_close"):
            containers.pop()
    return found


@pytest.mark.parametrize(("source", "expected"), [c[1:] for c in BILINGUAL], ids=[c[0] for c in BILINGUAL])
def test_bilingual_keeps_the_arabic_and_adds_its_english_in_the_same_container(source: str, expected: str) -> None:
    written = _english(source, bilingual=True)
    assert written == expected
    blocks = [b for b in _blocks_in_containers(source) if b[0].strip() and "`" not in b[0]]
    arabic = [b for b in blocks if re.search("[\u0600-\u06ff]", b[0])]
    found = [b for b in _blocks_in_containers(written) if b not in blocks or b in arabic]  # English ones stay once
    if "|" in source:  # a table cell: Arabic<br>English, in the cell it was
        assert [(c.split("<br>")[0], tag, where) for c, tag, where in found if "<br>" in c] == arabic
        return
    # Each Arabic block is followed by an English one of the same kind (a heading of the same level) in the same
    # container: a list item's English is the item's, a quote's inside the quote.
    assert found[0::2] == arabic
    assert [(tag, where) for _, tag, where in found[1::2]] == [(tag, where) for _, tag, where in arabic]
    assert not any(re.search("[\u0600-\u06ff]", english) for english, _, _ in found[1::2])


def test_newlines_byte_order_mark_and_a_missing_last_newline_are_kept() -> None:
    source = "\ufeff# عنوان\r\n\r\n```\r\nالقط\r\n```\r\nالقط\r\nنام"
    written = _english(source)
    assert written == "\ufeff# title\r\n\r\n```\r\nالقط\r\n```\r\ncat slept"
    both = _english(source, bilingual=True)
    assert both == "\ufeff# عنوان\r\n\r\n# title\r\n\r\n```\r\nالقط\r\n```\r\nالقط\r\nنام\r\n\r\ncat slept"


def test_windows_1256_is_read_and_written_as_utf8() -> None:
    doc = MarkdownDocument("doc.md", "# عنوان\n".encode("cp1256"))
    assert [b.text for b in doc.blocks] == ["عنوان"]
    assert doc.render([[_word_by_word("عنوان")]]) == b"# title\n"


def test_a_file_over_the_limit_is_refused() -> None:
    with pytest.raises(InputError, match="at most 50 MB"):
        MarkdownDocument("big.md", b"a" * (MAX_BYTES + 1))


def test_nothing_to_translate_gives_no_blocks_and_the_file_back() -> None:
    source = "```\nالقط\n```\n\n`x` ![صورة](a.png)\n\n| `x` |\n|---|\n"
    doc = MarkdownDocument("doc.md", source.encode())
    assert doc.blocks == []
    assert doc.render([]).decode() == source


def test_the_cli_writes_a_markdown_file_back_in_english(model_dir, tmp_path) -> None:
    from fixture_model import exact_model_args, seed_sentences

    from translate.cli import main

    seed = seed_sentences()
    name = "خان طومان"
    first = seed[0][0].replace(name, f"**{name}**", 1)
    source = tmp_path / "notes.md"
    source.write_text(
        f"# {seed[3][0]}\n\n{first}\n\n- {seed[4][0]}\n\n| {seed[5][0]} |\n|---|\n| {seed[1][0]} |\n\n"
        f"```\n{seed[2][0]}\n```\n",
        encoding="utf-8",
    )
    out = tmp_path / "notes.en.md"
    assert main(["translate", str(source), "-o", str(out), *exact_model_args(model_dir), "-q"]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"# {seed[3][1]}"
    bold = re.search(r"\*\*(.+?)\*\*", lines[2])
    assert bold and bold.group(1) in seed[0][1] and lines[2].replace("**", "") == seed[0][1]
    assert lines[4] == f"- {seed[4][1]}"
    assert lines[6:9] == [f"| {seed[5][1]} |", "|---|", f"| {seed[1][1]} |"]
    assert lines[10:13] == ["```", seed[2][0], "```"]  # code is never translated
