"""Pure helpers for region codes, place names and demo credit codes.

Code arithmetic itself (levels, prefixes, check characters) lives in `yiwang.core.identifiers`;
this module only adds what the regions domain needs on top of it.
"""

from __future__ import annotations

import hashlib
from typing import Final

from yiwang.core.identifiers import organization_code_check_char, uscc_complete

#: Top-down order of the levels, used to create parents before their children.
LEVEL_ORDER: Final[tuple[str, ...]] = ("province", "city", "county", "township", "village")

# A character that sorts right after "9": every digit string starting with `p` lies in [p, p + ":").
_AFTER_DIGITS: Final = ":"

_TOWNSHIP_SUFFIXES: Final = ("办事处街道", "街道办事处", "街道", "回族乡", "镇", "乡")


def prefix_range(prefix: str) -> tuple[str, str]:
    """The half-open range [low, high) of digit strings that start with `prefix`.

    Scoping by `code >= low AND code < high` means the same as `code LIKE 'prefix%'`, but both
    SQLite and PostgreSQL answer it from a plain B-tree index (SQLite's LIKE is case-insensitive
    and so cannot use one; PostgreSQL needs a pattern-ops index).
    """
    if not (prefix.isascii() and prefix.isdigit()):
        raise ValueError(f"a region prefix is made of digits, got {prefix!r}")
    return prefix, prefix + _AFTER_DIGITS


def county_short_name(name: str) -> str:
    """西峰区 → 西峰, 庆城县 → 庆城; a two-character name keeps its suffix (环县, 宁县)."""
    if len(name) <= 2:
        return name
    return name[:-1]


def township_short_name(name: str) -> str:
    """肖金镇 → 肖金, 北街办事处街道 → 北街, 五顷塬回族乡 → 五顷塬."""
    for suffix in _TOWNSHIP_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def township_display_name(name: str) -> str:
    """The everyday name of a township: 北街办事处街道 → 北街街道, 肖金镇 stays 肖金镇."""
    if name.endswith("办事处街道"):
        return name.removesuffix("办事处街道") + "街道"
    return name


def demo_organization_body(seed: str, *, salt: int = 0) -> str:
    """Eight digits derived from `seed` (and `salt`, to step past a collision), same every run."""
    digest = hashlib.sha256(f"{seed}#{salt}".encode()).hexdigest()
    return f"{int(digest, 16) % 10**8:08d}"


def demo_uscc(*, kind_code: str, region6: str, organization_body: str) -> str:
    """A structurally valid, made-up unified social credit code (统一社会信用代码).

    `kind_code` is positions 1-2 (registration authority and type: "11" 机构编制/机关, "12"
    机构编制/事业单位, "13" 机构编制/群众团体), `region6` the 6-digit code of the registering
    region, `organization_body` the 8 characters of the organization code before its GB 11714
    check character. The GB 32100 check character is appended by `uscc_complete`.
    """
    if len(kind_code) != 2 or len(region6) != 6:
        raise ValueError("kind_code has 2 characters and region6 has 6 digits")
    organization_code = organization_body + organization_code_check_char(organization_body)
    return uscc_complete(kind_code + region6 + organization_code)
