"""A right-to-left book made as a PDF the way visual-order producers make one (reportlab, no shaping engine).

Each line is shaped into presentation forms and reordered by a small
Unicode bidi algorithm (weak types W2/W7, neutrals N1/N2 with the paragraph
right to left, levels reversed as L1-L2 say, brackets of right-to-left text
drawn mirrored), then drawn as one string from the right margin, as
arabic-reshaper + python-bidi + reportlab (and mPDF) do. The book has a title
page, an imprint, a table of contents with dot leaders and Arabic-Indic page
numbers, English and Arabic headings set larger, English runs, numbers and
brackets inside Arabic lines, a running footer with the page number, and a
paragraph that goes on over a page break: what :mod:`translate.formats.pdf`
must read back as the logical text below.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
PAGE = (420.0, 460.0)  # short pages, so that a paragraph goes on over a page break
MARGIN = 50.0
BODY, HEADING, TITLE = 11.0, 16.0, 22.0
FOOTER = "كتاب الأخلاق"


@dataclass(frozen=True)
class Part:
    """A block of the book in logical order: its text, its size, and whether a new page starts before it."""

    text: str
    size: float = BODY
    new_page: bool = False
    toc: str = ""  # a table of contents' page number: the line is text, a leader, the number


LONG = (
    "قال أرسطو في كتاب الأخلاق (Nicomachean Ethics) إن كل فن وكل بحث يقصد إلى خير ما، "
    "وقد ترجمه إلى الإنكليزية هـ. راكهام (H. Rackham) عام 1926 في سلسلة Loeb Classical Library "
    "التي نشرتها جامعة هارفارد، وبلغ عدد صفحاته 649 صفحة. "
    "ويرى الشراح أن الخير الأسمى هو السعادة، وأن السعادة نشاط للنفس وفق الفضيلة [1] في حياة كاملة، "
    "وأن الفضيلة نوعان: فضيلة عقلية تنشأ بالتعليم وتنمو به، وفضيلة خلقية تأتي من العادة "
    "ولذلك سميت في اليونانية ethos، وهي كلمة قريبة من كلمة العادة (ethos) نفسها. "
    "ولا تنشأ فينا الفضائل الخلقية بالطبع ولا على خلاف الطبع، بل نحن مهيؤون بالطبع لقبولها "
    "ثم نكملها بالعادة، كما يصير المرء بناء بالبناء وعازفا بالعزف على القيثارة، "
    "ويصير عادلا بفعل العدل ومعتدلا بفعل الاعتدال وشجاعا بفعل الشجاعة. "
    "ويشهد لذلك ما يجري في المدن، فإن المشرعين يجعلون المواطنين أخيارا بالتعويد، "
    "وهذا مراد كل مشرع، ومن لم يحسن ذلك أخطأ غايته، وبهذا تفترق الدساتير الجيدة عن الرديئة. "
    "وفي إحصاء حديث لعام 2019 بلغت نسبة القراء 3.5% من السكان، "
    "وهي نسبة قال عنها تقرير منظمة اليونسكو (UNESCO) إنها لا تزال دون المأمول بكثير "
    "في بلاد كان فيها للكتاب شأن عظيم منذ القرن التاسع."
)

OPENING = (
    "هذا الكتاب هو أشهر ما كتب أرسطو في الأخلاق، وقد نقله إسحاق بن حنين إلى العربية في القرن الثالث للهجرة "
    "عن ترجمة سريانية، ثم شرحه ابن رشد في القرن السادس، ونشره عبد الرحمن بدوي في الكويت سنة 1979 "
    "عن مخطوطة فاس الوحيدة، وهي في 10 مقالات تبدأ كل منها بتعريف موضوعها ثم تعرض آراء من سبقه فيه "
    "وتنتهي بما يراه هو صوابا، وتقع المخطوطة في 181 ورقة [2] كتبت بخط مغربي واضح سنة ٦١٩ للهجرة."
)

BOOK = [
    Part("كتاب الأخلاق", TITLE),
    Part("The Nicomachean Ethics", HEADING),
    Part("ترجمة عن النص اليوناني مع مقدمة وحواش."),
    Part("الطبعة الأولى", HEADING, new_page=True),
    Part("Published by Example Press, London 2016."),
    Part("حقوق الطبع محفوظة للناشر"),
    Part("المحتويات", HEADING, new_page=True),
    Part("Chapter One", toc="٤"),
    Part("الفصل الثاني", toc="٦"),
    Part("Chapter Three", toc="٩"),
    Part("Chapter One", HEADING, new_page=True),
    Part("الفصل الأول: في الخير والسعادة", HEADING),
    Part(OPENING),
    Part(LONG),
    Part("الفصل الثاني", HEADING, new_page=True),
    Part("في الفضيلة الخلقية وأنها وسط بين رذيلتين (كما يقول أرسطو)، وأن الوسط يختلف باختلاف الناس."),
]


def logical_text() -> str:
    """The book's text in logical order, as a reader should give it (footers left out)."""
    return "\n".join(" ".join(_lines(part, PAGE[0] - 2 * MARGIN, _measure())) for part in BOOK)


def _measure():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("DejaVu", str(DEJAVU)))
    return lambda text, size: pdfmetrics.stringWidth(shaped(text), "DejaVu", size)


_RIGHT_JOINING = set("اأإآدذرزوؤةى")


def shaped(text: str) -> str:
    """Arabic letters as the presentation forms a producer without a shaping engine draws (lam-alef apart)."""
    out = []
    for k, ch in enumerate(text):
        name = unicodedata.name(ch, "")
        if not name.startswith("ARABIC LETTER"):
            out.append(ch)
            continue
        before = text[k - 1] if k else " "
        after = text[k + 1] if k + 1 < len(text) else " "
        joins_before = unicodedata.name(before, "").startswith("ARABIC LETTER") and before not in _RIGHT_JOINING
        joins_after = unicodedata.name(after, "").startswith("ARABIC LETTER") and ch not in _RIGHT_JOINING
        form = {(True, True): "MEDIAL", (True, False): "FINAL", (False, True): "INITIAL"}.get(
            (joins_before, joins_after), "ISOLATED"
        )
        try:
            out.append(unicodedata.lookup(f"{name} {form} FORM"))
        except KeyError:
            out.append(ch)
    return "".join(out)


def _kind(ch: str) -> str:
    if "\u0660" <= ch <= "\u0669":
        return "AN"
    if ch.isdigit():
        return "EN"
    if unicodedata.bidirectional(ch) in ("R", "AL"):
        return "R"
    if ch.isalpha():
        return "L"
    return "N"


def visual(line: str) -> str:
    """A line of a right-to-left paragraph laid out left to right, as drawn (simplified UBA, no N0)."""
    kinds = [_kind(ch) for ch in line]
    strong = "R"  # the paragraph's direction stands before the line
    for k, kind in enumerate(kinds):
        if kind in ("R", "L"):
            strong = kind
        elif kind == "EN":
            kinds[k] = "AN" if strong == "R" else "L"  # W2, W7
    for k in range(1, len(kinds) - 1):  # W4: one stop or comma between two digits is part of the number
        if line[k] in ".," and kinds[k - 1] == kinds[k + 1] and kinds[k - 1] in ("AN", "L") and line[k + 1].isdigit():
            kinds[k] = kinds[k - 1]
    # N1/N2: neutrals between two of the same direction (numbers count as R) take it, others the paragraph's
    k = 0
    while k < len(kinds):
        if kinds[k] != "N":
            k += 1
            continue
        end = k
        while end < len(kinds) and kinds[end] == "N":
            end += 1
        before = "R" if k == 0 or kinds[k - 1] != "L" else "L"
        after = "R" if end == len(kinds) or kinds[end] != "L" else "L"
        kinds[k:end] = [before if before == after else "R"] * (end - k)
        k = end
    levels = [1 if kind == "R" else 2 for kind in kinds]
    chars = [_MIRROR.get(ch, ch) if level == 1 else ch for ch, level in zip(shaped(line), levels, strict=True)]
    order = list(range(len(chars)))
    for level in (2, 1):  # L2: reverse every run at this level or higher, highest first
        k = 0
        while k < len(order):
            if levels[order[k]] < level:
                k += 1
                continue
            end = k
            while end < len(order) and levels[order[end]] >= level:
                end += 1
            order[k:end] = order[k:end][::-1]
            k = end
    return "".join(chars[k] for k in order)


_MIRROR = {"(": ")", ")": "(", "[": "]", "]": "[", "«": "»", "»": "«"}


def _lines(part: Part, width: float, measure) -> list[str]:
    if part.toc:
        room = width - measure(f"{part.text}  {part.toc}", part.size)
        dots = "." * int(room / measure(".", part.size))
        return [f"{part.text} {dots} {part.toc}"]
    lines: list[str] = []
    for word in part.text.split():
        if lines and measure(f"{lines[-1]} {word}", part.size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def book_pdf(*, justified: bool = False) -> bytes:
    """The book as a PDF (reportlab, DejaVu Sans): each line shaped, laid out by :func:`visual`, drawn from the
    right margin; a footer with the book's title and the page number (Arabic-Indic) on every page.

    ``justified``: each word of a paragraph's lines (its last line aside) drawn on its own, the spaces between
    them widened to fill the line, as mPDF draws a justified page."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas

    measure = _measure()
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=PAGE)
    width, height = PAGE
    number = 1
    y = height - MARGIN

    def footer() -> None:
        page.setFont("DejaVu", 9)
        text = visual(f"{FOOTER} {str(number).translate(str.maketrans('0123456789', '٠١٢٣٤٥٦٧٨٩'))}")
        page.drawRightString(width - MARGIN, MARGIN - 20, text)

    for k, part in enumerate(BOOK):
        if part.new_page and k:
            footer()
            page.showPage()
            number += 1
            y = height - MARGIN
        y -= part.size if k and not part.new_page else 0  # a wider gap between blocks
        lines = _lines(part, width - 2 * MARGIN, measure)
        for n, line in enumerate(lines):
            if y - part.size * 1.4 < MARGIN:
                footer()
                page.showPage()
                number += 1
                y = height - MARGIN
            y -= part.size * 1.4
            page.setFont("DejaVu", part.size)
            drawn = visual(line)
            if not justified or n == len(lines) - 1 or part.toc or len(drawn.split()) < 2:
                page.drawRightString(width - MARGIN, y, drawn)
                continue
            words = drawn.split()
            room = width - 2 * MARGIN - sum(pdfmetrics.stringWidth(w, "DejaVu", part.size) for w in words)
            x = MARGIN
            for word in words:
                page.drawString(x, y, word)
                x += pdfmetrics.stringWidth(word, "DejaVu", part.size) + room / (len(words) - 1)
    footer()
    page.showPage()
    page.save()
    return out.getvalue()
