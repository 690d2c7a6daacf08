"""Rebuild the fonts in `fonts/` from Noto Serif CJK (a developer tool, never run in production).

    python -m yiwang.cases.notices.fontbuild \\
        --regular /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc \\
        --bold /usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc

The .ttc files come from Debian's `fonts-noto-cjk` (`apt-get download fonts-noto-cjk && dpkg -x …`)
or from the upstream noto-cjk release; both are under the SIL Open Font License 1.1.

Noto Serif CJK has PostScript (CFF) outlines, which reportlab cannot embed, so the subset is
converted to TrueType (quadratic) outlines. The regular face keeps every character in
`body_codepoints()`; the bold face only the characters of the six titles. See docs/notices.md.
Needs `fonttools` (a dev dependency).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from yiwang.cases.notices.kinds import title_characters

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR_FILE = "YiwangSerifSC-Regular.ttf"
BOLD_FILE = "YiwangSerifSC-Bold.ttf"
FAMILY = "Yiwang Serif SC"
SC_INDEX = 2  # in NotoSerifCJK-*.ttc: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
DESCRIPTION = (
    "Subset of Noto Serif CJK SC with TrueType outlines, made for the notices of the Yiwang "
    "platform. Renamed as a Modified Version under the SIL Open Font License 1.1."
)
# Tables reportlab never reads: vertical metrics, OpenType layout, the digital signature.
DROPPED_TABLES = ["VORG", "vhea", "vmtx", "GSUB", "GPOS", "GDEF", "BASE", "DSIG"]


def body_codepoints() -> set[int]:
    """ASCII and Latin (names in pinyin or with accents), the punctuation and symbols of formal
    Chinese text, and the whole CJK Unified Ideographs block (U+4E00–U+9FFF, 20,992 characters:
    every GBK hanzi, so rare name characters are covered too)."""
    ranges = [
        (0x0020, 0x007E),  # ASCII
        (0x00A0, 0x017F),  # Latin-1 and Latin Extended-A: · × ÷ § ° and accented names
        (0x01CD, 0x01DC),  # pinyin tone marks ǎ ǐ ǒ ǔ ǖ ǘ ǚ ǜ
        (0x2010, 0x2027),  # dashes, quotes, bullet, ellipsis
        (0x2030, 0x2033),  # ‰ ′ ″
        (0x203B, 0x203B),  # ※
        (0x2103, 0x2103),  # ℃
        (0x2116, 0x2116),  # №
        (0x2160, 0x216B),  # Ⅰ–Ⅻ
        (0x2460, 0x2473),  # ①–⑳
        (0x25A0, 0x25CF),  # □ ■ ○ ●
        (0x3000, 0x303F),  # CJK symbols and punctuation: 、。《》〔〕【】
        (0x4E00, 0x9FFF),  # CJK Unified Ideographs
        (0xFF01, 0xFF5E),  # full-width forms
        (0xFFE0, 0xFFE5),  # ￠ ￡ ￥
    ]
    return {cp for low, high in ranges for cp in range(low, high + 1)}


def _fonttools(module: str) -> Any:
    """A fontTools module (untyped, and a dev dependency only: imported when used)."""
    return importlib.import_module(f"fontTools.{module}")


def _subset(font: Any, codepoints: Iterable[int]) -> None:
    subset = _fonttools("subset")
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.name_languages = [0x409]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    options.drop_tables += DROPPED_TABLES
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)


def _to_truetype(font: Any, max_err: float = 1.0) -> None:
    """Replace the CFF outlines by quadratic TrueType ones (fontTools' otf2ttf recipe)."""
    cu2qu_pen = _fonttools("pens.cu2quPen").Cu2QuPen
    tt_glyph_pen = _fonttools("pens.ttGlyphPen").TTGlyphPen
    new_table = _fonttools("ttLib").newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = tt_glyph_pen(glyph_set)
        glyph_set[name].draw(cu2qu_pen(pen, max_err, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = new_table("loca")
    glyf = font["glyf"] = new_table("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    maxp = font["maxp"] = new_table("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attr in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    post = font["post"]
    post.formatType = 3.0  # no glyph names: smaller, and nothing reads them
    font.sfntVersion = "\x00\x01\x00\x00"


def _rename(font: Any, *, style: str) -> None:
    name = font["name"]
    postscript = f"YiwangSerifSC-{style}"
    full = FAMILY if style == "Regular" else f"{FAMILY} {style}"
    for record_id, value in (
        (1, FAMILY),
        (2, style),
        (3, f"{postscript};subset of Noto Serif CJK SC"),
        (4, full),
        (6, postscript),
        (10, DESCRIPTION),
    ):
        name.setName(value, record_id, 3, 1, 0x409)
    name.names = [record for record in name.names if record.platformID == 3]


def build_font(*, source: Path, target: Path, codepoints: Iterable[int], style: str) -> int:
    """Subset, convert and rename one face; returns the size of the written file in bytes."""
    # Keep the source's timestamps, so that the same source always gives the same bytes.
    font = _fonttools("ttLib").TTFont(str(source), fontNumber=SC_INDEX, recalcTimestamp=False)
    _subset(font, codepoints)
    _to_truetype(font)
    _rename(font, style=style)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(target))
    return target.stat().st_size


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regular", type=Path, required=True, help="NotoSerifCJK-Regular.ttc")
    parser.add_argument("--bold", type=Path, required=True, help="NotoSerifCJK-Bold.ttc")
    parser.add_argument("--out", type=Path, default=FONT_DIR)
    args = parser.parse_args(argv)
    regular = build_font(
        source=args.regular,
        target=args.out / REGULAR_FILE,
        codepoints=body_codepoints(),
        style="Regular",
    )
    bold = build_font(
        source=args.bold,
        target=args.out / BOLD_FILE,
        codepoints={ord(ch) for ch in title_characters()} | {0x20},
        style="Bold",
    )
    print(f"{REGULAR_FILE}: {regular:,} bytes; {BOLD_FILE}: {bold:,} bytes")


if __name__ == "__main__":
    main()
