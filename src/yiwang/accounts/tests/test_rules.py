"""Identity rules, exhaustively."""

from __future__ import annotations

from itertools import combinations

import pytest

from yiwang.accounts.models import EvidenceKind, RealNameLevel
from yiwang.accounts.rules import MATCHABLE_ITEMS, identifier_kind, luhn_ok, real_name_level

ITEMS = sorted(MATCHABLE_ITEMS)


@pytest.mark.parametrize("count", range(len(ITEMS) + 1))
def test_real_name_level_needs_two_of_the_five_items(count: int) -> None:
    for items in combinations(ITEMS, count):
        expected = RealNameLevel.VERIFIED if count >= 2 else RealNameLevel.BASIC
        assert real_name_level(items) == expected
        with_visit = (*items, EvidenceKind.IN_PERSON)
        expected_visit = RealNameLevel.IN_PERSON if count >= 2 else RealNameLevel.BASIC
        assert real_name_level(with_visit) == expected_visit


@pytest.mark.parametrize(
    ("identifier", "kind"),
    [
        ("11010519491231002X", "resident_id"),
        (" 11010519491231002x ", "resident_id"),
        ("13812345678", "phone"),
        ("12812345678", "username"),
        ("window01", "username"),
        ("1381234567", "username"),
    ],
)
def test_identifier_kind(identifier: str, kind: str) -> None:
    assert identifier_kind(identifier.upper() if kind == "resident_id" else identifier) == kind


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("6222021234567890128", True),
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("41111111111", False),
        ("411111111111111a", False),
    ],
)
def test_luhn(number: str, ok: bool) -> None:
    assert luhn_ok(number) is ok
