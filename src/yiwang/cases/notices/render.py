"""Lay a notice out as an A4 PDF (reportlab), with the Chinese text embedded.

Fonts: `fonts/YiwangSerifSC-Regular.ttf` (a TrueType subset of Noto Serif CJK SC covering the
whole CJK Unified Ideographs block) for everything, and a bold face holding only the title
characters; reportlab embeds the glyphs a document uses. A character outside the shipped font
(CJK Extension A, for example) is set in the standard CID font STSong-Light, which the viewer
supplies. docs/notices.md gives the reasons.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from reportlab.lib import textsplit as reportlab_textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as reportlab_paragraph

from yiwang.cases.notices.notice import Notice, notice_check
from yiwang.cases.notices.wording import DEFAULT_QUERY_HINT, Line, date_zh, notice_body

FONT_DIR = Path(__file__).resolve().parent / "fonts"
BODY_FONT = "YiwangSerifSC"
TITLE_FONT = "YiwangSerifSC-Bold"
FALLBACK_FONT = "STSong-Light"  # Adobe-GB1 CID font, not embedded: only for uncovered characters

BODY_SIZE = 14  # 四号
TITLE_SIZE = 22  # 二号
SMALL_SIZE = 8
QR_SIZE = 28 * mm
QR_COLUMN = 75 * mm  # wide enough for the 43-character case number in the small size
MARGIN_X = 26 * mm
# Control, format (bidi overrides, BOM, zero-width), surrogate, private-use and unassigned code
# points: nothing to print, and a format character would pull in the fallback font.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# Chinese punctuation that must not begin a line. reportlab's CJK line breaker knows the Japanese
# set (、。）」…) but not the full-width comma, colon, semicolon and closing quotes of Chinese;
# such a character then hangs in the right margin instead (标点悬挂).
NO_LINE_START = "，：；！？”’》〉』」】〕）…·"


def _teach_line_breaker() -> None:
    """Add the Chinese punctuation to reportlab's no-line-start set (idempotent). Both copies:
    a one-run paragraph is broken by `textsplit`, a mixed-font one by `paragraph`."""
    for module in (reportlab_textsplit, reportlab_paragraph):
        known: str = getattr(module, "ALL_CANNOT_START", "")
        missing = "".join(ch for ch in NO_LINE_START if ch not in known)
        if missing:
            setattr(module, "ALL_CANNOT_START", known + missing)  # noqa: B010 (untyped in stubs)


@dataclass(frozen=True)
class _Fonts:
    body: frozenset[int]  # code points the embedded body font covers
    title: frozenset[int]


@functools.cache
def _fonts() -> _Fonts:
    """Register the fonts with reportlab once per process."""
    body = TTFont(BODY_FONT, str(FONT_DIR / "YiwangSerifSC-Regular.ttf"))
    title = TTFont(TITLE_FONT, str(FONT_DIR / "YiwangSerifSC-Bold.ttf"))
    pdfmetrics.registerFont(body)
    pdfmetrics.registerFont(title)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    _teach_line_breaker()
    return _Fonts(body=frozenset(body.face.charToGlyph), title=frozenset(title.face.charToGlyph))


def _markup(text: str, covered: frozenset[int]) -> str:
    """Paragraph markup for plain text: escaped, with uncovered BMP characters in the CID font.

    Characters beyond the BMP have no glyph anywhere we can promise; they are left in the body
    font, which prints its empty box rather than dropping them silently.
    """
    out: list[str] = []
    fallback = False
    for ch in text:
        if ch in "\t\n\r":
            ch = " "
        elif unicodedata.category(ch) in _INVISIBLE:
            continue
        wants = ord(ch) not in covered and ord(ch) <= 0xFFFF and not ch.isspace()
        if wants != fallback:
            out.append(f'<font face="{FALLBACK_FONT}">' if wants else "</font>")
            fallback = wants
        out.append(escape(ch))
    if fallback:
        out.append("</font>")
    return "".join(out)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "body",
        fontName=BODY_FONT,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.75,
        alignment=TA_JUSTIFY,
        wordWrap="CJK",
        firstLineIndent=2 * BODY_SIZE,
        spaceAfter=2,
    )
    return {
        "organ": ParagraphStyle(
            "organ", parent=base, fontSize=16, leading=24, alignment=TA_CENTER, firstLineIndent=0
        ),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=TITLE_FONT,
            fontSize=TITLE_SIZE,
            leading=TITLE_SIZE * 1.5,
            alignment=TA_CENTER,
            firstLineIndent=0,
        ),
        "number": ParagraphStyle(
            "number", parent=base, fontSize=12, leading=18, alignment=TA_RIGHT, firstLineIndent=0
        ),
        "addressee": ParagraphStyle(
            "addressee", parent=base, alignment=TA_LEFT, firstLineIndent=0, spaceBefore=6
        ),
        "body": base,
        # A numbered item hangs: the label sits in the indent, wrapped lines align with the text.
        "item": ParagraphStyle(
            "item", parent=base, leftIndent=4 * BODY_SIZE, firstLineIndent=-2 * BODY_SIZE
        ),
        "sign": ParagraphStyle(
            "sign", parent=base, alignment=TA_RIGHT, firstLineIndent=0, spaceAfter=0
        ),
        "small": ParagraphStyle(
            "small",
            parent=base,
            fontSize=SMALL_SIZE,
            leading=SMALL_SIZE * 1.4,
            alignment=TA_LEFT,
            firstLineIndent=0,
            spaceAfter=0,
        ),
    }


def _qr_png(url: str) -> bytes:
    """A 1-bit PNG, 8 pixels a module, quiet zone included: crisp when scaled for print."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def _closing(
    notice: Notice, styles: dict[str, ParagraphStyle], covered: frozenset[int]
) -> Flowable:
    """QR code and case number at the left; the department and date at the right, where the
    seal goes."""
    hint = notice.query_hint.strip() or DEFAULT_QUERY_HINT
    qr_cell: list[Flowable] = [
        Image(io.BytesIO(_qr_png(notice.progress_url)), width=QR_SIZE, height=QR_SIZE),
        Paragraph(_markup(hint, covered), styles["small"]),
        Paragraph("办件编号：", styles["small"]),
        Paragraph(_markup(notice.case_number, covered), styles["small"]),
    ]
    sign_cell: list[Flowable] = [
        Spacer(1, 10 * mm),
        Paragraph(_markup(notice.department_name.strip(), covered), styles["sign"]),
        Paragraph(_markup(date_zh(notice.issued_on), covered), styles["sign"]),
    ]
    width = A4[0] - 2 * MARGIN_X
    table = Table([[qr_cell, sign_cell]], colWidths=[QR_COLUMN, width - QR_COLUMN])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), BODY_FONT),  # else the cells name Helvetica
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _page_number(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    """— 1 — centred at the foot of each page (GB/T 9704 style)."""
    canvas.saveState()
    canvas.setFont(BODY_FONT, 10)
    canvas.drawCentredString(A4[0] / 2, 14 * mm, f"— {doc.page} —")
    canvas.restoreState()


def _line(line: Line, styles: dict[str, ParagraphStyle], covered: frozenset[int]) -> Paragraph:
    if line.label:
        return Paragraph(_markup(line.label + line.text, covered), styles["item"])
    return Paragraph(_markup(line.text, covered), styles["body"])


def notice_pdf(notice: Notice) -> bytes:
    """The notice as an A4 PDF; ValueError (Chinese) when a part its kind requires is missing.

    The output is deterministic: the same notice gives the same bytes.
    """
    notice_check(notice)
    fonts = _fonts()
    styles = _styles()
    title = notice.kind.label
    title_style = styles["title"]
    if not {ord(ch) for ch in title} <= fonts.title:
        title_style = ParagraphStyle("title-regular", parent=title_style, fontName=BODY_FONT)
    covered = fonts.body

    story: list[Flowable] = [
        Paragraph(_markup(notice.department_name.strip(), covered), styles["organ"]),
        Paragraph(escape(title), title_style),
        Paragraph(_markup(notice.document_number.strip(), covered), styles["number"]),
        Spacer(1, 4 * mm),
        Paragraph(_markup(f"{notice.applicant_name.strip()}：", covered), styles["addressee"]),
        *(_line(line, styles, covered) for line in notice_body(notice)),
        Spacer(1, 8 * mm),
        KeepTogether([_closing(notice, styles, covered)]),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=f"{title} {notice.document_number.strip()}",
        author=notice.department_name.strip(),
        subject=f"办件编号 {notice.case_number}",
        creator="一网通办",
        invariant=True,
        initialFontName=BODY_FONT,  # else each page names Helvetica, unembedded and unused
        initialFontSize=BODY_SIZE,
    )
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()
