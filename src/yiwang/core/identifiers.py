"""Public identifiers used by government services: resident IDs, USCCs and region codes.

* Resident identity card numbers (公民身份号码), GB 11643-1999: 18 characters, the last one an
  ISO 7064 MOD 11-2 check character.
* Unified social credit codes (统一社会信用代码), GB 32100-2015: 18 characters over a 31-letter
  alphabet, embedding a GB 11714 organization code with its own check character.
* Administrative division codes (行政区划代码), GB/T 2260 (6 digits), and the 12-digit statistical
  division codes (统计用区划代码) that extend them down to townships and villages.

Every `check_*` function normalizes its input, validates it and returns the normalized value, or
raises `IdentifierError` whose `code` is a short stable English string and whose message (the
`str()` of the exception) is a Chinese sentence that can be shown to the applicant as-is.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Final

__all__ = [
    "PROVINCE_CODES",
    "USCC_ALPHABET",
    "USCC_REGISTRATION_AUTHORITIES",
    "IdentifierError",
    "check_region_code",
    "check_resident_id",
    "check_uscc",
    "organization_code_check_char",
    "region_code_12",
    "region_level",
    "region_prefix",
    "resident_id_birth_date",
    "resident_id_check_char",
    "resident_id_gender",
    "uscc_check_char",
    "uscc_complete",
]


class IdentifierError(ValueError):
    """An identifier failed validation.

    `code` is a short English string for programs ("id_checksum", "uscc_length", ...);
    `message` (also `str(exc)`) is the Chinese explanation for people.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"IdentifierError(code={self.code!r}, message={self.message!r})"


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------

#: First two digits of GB/T 2260 codes: the provincial-level divisions.
PROVINCE_CODES: Final[dict[str, str]] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}

_ASCII_DIGITS: Final = frozenset("0123456789")


def _normalize(value: str) -> str:
    """NFKC-fold (full-width digits and letters become ASCII), strip, upper-case."""
    return unicodedata.normalize("NFKC", value).strip().upper()


def _is_digits(value: str) -> bool:
    """True for a non-empty string of ASCII digits only (`str.isdigit` also accepts "²", "٣")."""
    return bool(value) and all(ch in _ASCII_DIGITS for ch in value)


def _first_bad_char(value: str, allowed: frozenset[str] | str) -> str | None:
    for ch in value:
        if ch not in allowed:
            return ch
    return None


def _describe_char(ch: str) -> str:
    """Quote a character for a message; whitespace and control characters are named."""
    if ch.isspace():
        return "空格"
    if not ch.isprintable():
        return f"U+{ord(ch):04X}"
    return f"“{ch}”"


# --------------------------------------------------------------------------------------------
# Resident identity card numbers (GB 11643-1999)
# --------------------------------------------------------------------------------------------

_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS: Final = "10X98765432"
_ID_MIN_BIRTH_YEAR: Final = 1900


def resident_id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character ("0"-"9" or "X") for the first 17 digits."""
    if len(first17) != 17:
        raise IdentifierError(
            "id_length", f"计算校验位需要身份证号码的前17位数字，当前为{len(first17)}位"
        )
    if not _is_digits(first17):
        raise IdentifierError("id_chars", "身份证号码的前17位只能是数字")
    total = sum(int(ch) * weight for ch, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def check_resident_id(value: str, *, today: date | None = None) -> str:
    """Validate an 18-character resident identity card number and return it normalized.

    Normalization: NFKC folding (full-width "１２Ｘ" become "12X"), surrounding whitespace
    stripped, a lower-case "x" check character upper-cased.

    Checks, in order: not empty; not a 15-digit legacy number; 18 characters; 17 digits plus a
    digit or "X"; region; birth date; check character.

    The region check is deliberately shallow: the first two digits must be a real
    provincial-level code (`PROVINCE_CODES`); the other four region digits only have to be
    digits and are not looked up -- divisions are renamed and merged over the years
    while the numbers issued under the old codes stay valid, so a code that is no longer (or was
    never) in the current GB/T 2260 list is not a reason to reject a number, and the last four
    digits may be "0000".

    The birth date (digits 7-14, YYYYMMDD) must be a real calendar date, in or after 1900 and not
    after `today` (default: `date.today()`).
    """
    normalized = _normalize(value)
    if not normalized:
        raise IdentifierError("id_empty", "请输入身份证号码")
    if len(normalized) == 15 and _is_digits(normalized):
        raise IdentifierError("id_legacy_15", "15位旧号码已停止使用，请使用18位身份证号码")
    if len(normalized) != 18:
        raise IdentifierError("id_length", f"身份证号码应为18位，当前为{len(normalized)}位")
    bad = _first_bad_char(normalized[:17], _ASCII_DIGITS)
    if bad is not None:
        raise IdentifierError(
            "id_chars", f"身份证号码的前17位只能是数字，不能含有{_describe_char(bad)}"
        )
    last = normalized[17]
    if last not in _ASCII_DIGITS and last != "X":
        raise IdentifierError(
            "id_chars", f"身份证号码的最后一位只能是数字或字母X，不能是{_describe_char(last)}"
        )

    if normalized[:2] not in PROVINCE_CODES:
        raise IdentifierError(
            "id_region",
            f"身份证号码前6位的地区代码 {normalized[:6]} 不正确，请核对后重新输入",
        )

    _birth_date_of(normalized, today=today)

    if resident_id_check_char(normalized[:17]) != last:
        raise IdentifierError("id_checksum", "身份证号码校验位不正确，请核对后重新输入")
    return normalized


def _birth_date_of(normalized: str, *, today: date | None) -> date:
    digits = normalized[6:14]
    shown = f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdentifierError(
            "id_birth_date", f"身份证号码中的出生日期 {shown} 不是有效日期"
        ) from None
    if born.year < _ID_MIN_BIRTH_YEAR:
        raise IdentifierError(
            "id_birth_date", f"身份证号码中的出生日期 {shown} 早于1900年，请核对后重新输入"
        )
    if born > (today if today is not None else date.today()):
        raise IdentifierError(
            "id_birth_date", f"身份证号码中的出生日期 {shown} 晚于今天，请核对后重新输入"
        )
    return born


def resident_id_birth_date(value: str, *, today: date | None = None) -> date:
    """The date of birth encoded in a resident ID number (validated with `check_resident_id`)."""
    return _birth_date_of(check_resident_id(value, today=today), today=today)


def resident_id_gender(value: str, *, today: date | None = None) -> str:
    """ "男" or "女" from the 17th digit (odd: male) of a valid resident ID number."""
    normalized = check_resident_id(value, today=today)
    return "男" if int(normalized[16]) % 2 == 1 else "女"


# --------------------------------------------------------------------------------------------
# Organization codes (GB 11714) and unified social credit codes (GB 32100-2015)
# --------------------------------------------------------------------------------------------

#: The 31 characters a USCC may contain: digits and capital letters except I, O, Z, S, V.
USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES: Final[dict[str, int]] = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

#: Position 1 of a USCC: the registration authority (登记管理部门代码).
USCC_REGISTRATION_AUTHORITIES: Final[dict[str, str]] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "市场监管",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARS: Final = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def organization_code_check_char(first8: str) -> str:
    """The GB 11714 check character ("0"-"9" or "X") of an organization code's first 8 chars.

    Each character is a digit or a capital letter A-Z (valued 10-35); lower case is accepted.
    """
    body = first8.upper()
    if len(body) != 8:
        raise IdentifierError(
            "org_length", f"计算校验位需要组织机构代码的前8位，当前为{len(body)}位"
        )
    bad = _first_bad_char(body, _ORG_CHARS)
    if bad is not None:
        raise IdentifierError("org_chars", f"组织机构代码含有不允许的字符{_describe_char(bad)}")
    total = sum(int(ch, 36) * weight for ch, weight in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a USCC (upper-cased)."""
    body = first17.upper()
    if len(body) != 17:
        raise IdentifierError(
            "uscc_length", f"计算校验位需要统一社会信用代码的前17位，当前为{len(body)}位"
        )
    _check_uscc_chars(body)
    total = sum(_USCC_VALUES[ch] * weight for ch, weight in zip(body, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _check_uscc_chars(body: str) -> None:
    bad = _first_bad_char(body, USCC_ALPHABET)
    if bad is not None:
        raise IdentifierError(
            "uscc_chars", f"统一社会信用代码含有不允许的字符{_describe_char(bad)}"
        )


def _check_uscc_structure(body: str) -> None:
    """Validate positions 1-17: alphabet, registration authority, region, organization code."""
    _check_uscc_chars(body)
    if body[0] not in USCC_REGISTRATION_AUTHORITIES:
        raise IdentifierError(
            "uscc_authority",
            f"统一社会信用代码第1位登记管理部门代码{_describe_char(body[0])}不正确",
        )
    if not _is_digits(body[2:8]):
        raise IdentifierError(
            "uscc_region", "统一社会信用代码第3至8位应为6位数字的登记管理机关行政区划码"
        )
    org = body[8:17]
    if organization_code_check_char(org[:8]) != org[8]:
        raise IdentifierError(
            "uscc_org_checksum",
            f"统一社会信用代码第9至17位的组织机构代码 {org} 校验位不正确",
        )


def uscc_complete(first17: str) -> str:
    """Append the check character to the first 17 characters of a USCC.

    The 17 characters are validated (alphabet, registration authority, region digits and the
    embedded organization code's own check character) and `IdentifierError` is raised otherwise.
    """
    body = _normalize(first17)
    if len(body) != 17:
        raise IdentifierError(
            "uscc_length", f"统一社会信用代码的前17位应为17位，当前为{len(body)}位"
        )
    _check_uscc_structure(body)
    return body + uscc_check_char(body)


def check_uscc(value: str) -> str:
    """Validate a unified social credit code and return it normalized.

    Normalization: NFKC folding, surrounding whitespace stripped, upper-cased.

    Checks, in order: not empty; 18 characters; only characters of `USCC_ALPHABET` (reporting
    the first offending one); check character (position 18); registration authority
    (position 1, see `USCC_REGISTRATION_AUTHORITIES`); region (positions 3-8, six digits -- not
    checked against the province list, since central-level registrations use "100000"); the
    embedded GB 11714 organization code's check character (positions 9-17).

    The overall check character is verified before the structure so that a plain typo gets the
    general "check character" message.
    """
    normalized = _normalize(value)
    if not normalized:
        raise IdentifierError("uscc_empty", "请输入统一社会信用代码")
    if len(normalized) != 18:
        raise IdentifierError("uscc_length", f"统一社会信用代码应为18位，当前为{len(normalized)}位")
    _check_uscc_chars(normalized)
    if uscc_check_char(normalized[:17]) != normalized[17]:
        raise IdentifierError("uscc_checksum", "统一社会信用代码校验位不正确，请核对后重新输入")
    _check_uscc_structure(normalized[:17])
    return normalized


# --------------------------------------------------------------------------------------------
# Region codes (GB/T 2260 and 12-digit statistical division codes)
# --------------------------------------------------------------------------------------------

_REGION_CODE_RE: Final = re.compile(r"[0-9]{6}|[0-9]{12}")


def check_region_code(value: str) -> str:
    """Validate a 6-digit GB/T 2260 code or a 12-digit statistical code; return it stripped.

    Only digits are allowed and the first two must be a real provincial-level code; the rest is
    not looked up (see `check_resident_id`).
    """
    normalized = _normalize(value)
    if not normalized:
        raise IdentifierError("region_code", "请输入行政区划代码")
    if not _REGION_CODE_RE.fullmatch(normalized):
        raise IdentifierError(
            "region_code",
            f"行政区划代码应为6位或12位数字，“{normalized}”不符合要求",
        )
    if normalized[:2] not in PROVINCE_CODES:
        raise IdentifierError(
            "region_code",
            f"行政区划代码 {normalized} 的前2位 {normalized[:2]} 不是有效的省级代码",
        )
    return normalized


def region_code_12(value: str) -> str:
    """Pad a 6-digit (down to county) or 9-digit (township) code with zeros to 12 digits.

    A 12-digit code is returned unchanged. The province part is validated.
    """
    normalized = _normalize(value)
    if len(normalized) not in (6, 9, 12) or not _is_digits(normalized):
        raise IdentifierError(
            "region_code",
            f"行政区划代码应为6位、9位或12位数字，“{normalized}”不符合要求",
        )
    return check_region_code(normalized.ljust(12, "0"))


def _check_code12(code12: str) -> str:
    normalized = _normalize(code12)
    if len(normalized) != 12 or not _is_digits(normalized):
        raise IdentifierError(
            "region_code", f"统计用区划代码应为12位数字，“{normalized}”不符合要求"
        )
    return check_region_code(normalized)


def region_level(code12: str) -> str:
    """ "province", "city", "county", "township" or "village" for a 12-digit code.

    province: last 10 digits zero; city: last 8 zero; county: last 6 zero; township: last 3 zero;
    anything else is a village-level (村/社区) code.
    """
    code = _check_code12(code12)
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    if code[6:] == "0" * 6:
        return "county"
    if code[9:] == "000":
        return "township"
    return "village"


_PREFIX_LENGTHS: Final[dict[str, int]] = {
    "province": 2,
    "city": 4,
    "county": 6,
    "township": 9,
    "village": 12,
}


def region_prefix(code12: str) -> str:
    """The significant prefix of a 12-digit code, by level (2, 4, 6, 9 or 12 digits).

    Every code inside a division starts with its prefix: 621000000000 (庆阳市) → "6210",
    621002000000 (西峰区) → "621002", 621002001000 → "621002001". Stripping trailing zeros
    instead would be wrong: 庆阳市 would give "621", which is also a prefix of every code in
    621100000000 (定西市).
    """
    code = _check_code12(code12)
    return code[: _PREFIX_LENGTHS[region_level(code)]]
