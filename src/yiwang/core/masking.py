"""Masking of personal data (个人信息脱敏) for display and for log records.

All functions are pure, accept `None` and return "" for `None` or "". They never validate: a
value that is not a well-formed identifier is still masked, just more aggressively.
"""

from __future__ import annotations

import logging
import re
from typing import Final

from yiwang.core.identifiers import resident_id_check_char

__all__ = [
    "MaskingLogFilter",
    "mask_name",
    "mask_phone",
    "mask_resident_id",
    "mask_text",
    "mask_uscc",
]

_MASK: Final = "*"


def _keep(value: str, head: int, tail: int) -> str:
    """Keep `head` leading and `tail` trailing characters, mask the rest (length preserved).

    If nothing would be masked the whole value is masked instead.
    """
    hidden = len(value) - head - tail
    if hidden <= 0:
        return _MASK * len(value)
    return value[:head] + _MASK * hidden + value[len(value) - tail :]


def mask_resident_id(value: str | None) -> str:
    """ "621002199001011234" → "621002********1234" (first 6 and last 4 kept).

    Anything that is not 18 characters long keeps only its last 2 characters (values of 1 or 2
    characters are masked entirely). Surrounding whitespace is stripped.
    """
    if not value:
        return ""
    value = value.strip()
    if len(value) == 18:
        return _keep(value, 6, 4)
    return _keep(value, 0, 2)


def mask_phone(value: str | None) -> str:
    """ "13812345678" → "138****5678"; other lengths keep the first 3 and last 2 characters.

    Values of 5 characters or fewer are masked entirely. Surrounding whitespace is stripped.
    """
    if not value:
        return ""
    value = value.strip()
    if len(value) == 11:
        return _keep(value, 3, 4)
    return _keep(value, 3, 2)


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3400 <= code <= 0x4DBF  # CJK Extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK Unified Ideographs
        or 0xF900 <= code <= 0xFAFF  # CJK Compatibility Ideographs
        or 0x20000 <= code <= 0x3FFFF  # Extensions B and later (planes 2 and 3)
    )


def mask_name(value: str | None) -> str:
    """Keep only the first character (the surname).

    Chinese names: every other character becomes "*" ("张三" → "张*", "欧阳修" → "欧**",
    "阿依古丽·买买提" → "阿*******"). Other names: first letter + "***" whatever the length
    ("Smith" → "S***"), which also hides the length. A one-character name is returned as is.
    """
    if not value:
        return ""
    value = value.strip()
    if not value:
        return ""
    if any(_is_cjk(ch) for ch in value):
        return value[0] + _MASK * (len(value) - 1)
    if len(value) == 1:
        return value
    return value[0] + _MASK * 3


def mask_uscc(value: str | None) -> str:
    """ "91350100M000100Y43" → "91************0Y43" (first 2 and last 4 kept)."""
    if not value:
        return ""
    return _keep(value.strip(), 2, 4)


# An 18-character resident ID number not glued to other digits. Only the check character is
# verified (see `_mask_id_match`), so arbitrary 18-digit numbers such as order numbers are left
# alone 10 times out of 11.
_RESIDENT_ID_RE: Final = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")

# A mainland mobile number, optionally with a +86/86 prefix and 3-4-4 grouping, not part of a
# longer digit run.
_MOBILE_RE: Final = re.compile(
    r"(?<![0-9])(?P<prefix>(?:\+|00)?86[- ]?)?"
    r"(?P<number>1[3-9][0-9](?P<sep>[- ]?)[0-9]{4}(?P=sep)[0-9]{4})(?![0-9])"
)


def _mask_id_match(match: re.Match[str]) -> str:
    candidate = match.group(0)
    if resident_id_check_char(candidate[:17]) != candidate[17].upper():
        return candidate
    return mask_resident_id(candidate)


def _mask_mobile_match(match: re.Match[str]) -> str:
    number = match.group("number")
    sep = match.group("sep")
    digits = number.replace(sep, "") if sep else number
    masked = mask_phone(digits)
    if sep:
        masked = sep.join((masked[:3], masked[3:7], masked[7:]))
    return (match.group("prefix") or "") + masked


def mask_text(text: str | None) -> str:
    """Mask resident ID numbers and mainland mobile numbers found in free text.

    An 18-character run of 17 digits plus a digit or X counts as an ID number only if its check
    character is right (date and region are not looked at), and is masked like
    `mask_resident_id`. Mobile numbers (1[3-9] + 9 digits, also written "138-1234-5678",
    "138 1234 5678" or with a "+86" prefix) are masked like `mask_phone`. Digits that are part of
    a longer digit run are left alone.
    """
    if not text:
        return ""
    text = _RESIDENT_ID_RE.sub(_mask_id_match, text)
    return _MOBILE_RE.sub(_mask_mobile_match, text)


class MaskingLogFilter(logging.Filter):
    """Rewrite log records so they carry no resident ID or mobile numbers.

    The message is formatted with its arguments first, then masked:
    `record.msg = mask_text(record.getMessage())`, `record.args = ()`. A traceback
    (`exc_info`) and `stack_info` are rendered and masked as well.

    Attach it to *handlers*: a filter on a logger only sees records logged on that very logger,
    not the ones propagated from its children.
    """

    _formatter: Final = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # The arguments do not fit the format string. Logging would report the error by
            # printing the record's arguments unmasked, so render both plainly instead.
            message = f"{record.msg} {record.args!r}"
        record.msg = mask_text(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
