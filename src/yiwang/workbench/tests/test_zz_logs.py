"""Runs last (pytest-django runs tests without a database after the others, and this file is
collected last): no log line written during the suite shows an ID number or phone in clear."""

from __future__ import annotations

import logging
import re

from yiwang.conftest import SUITE_LOG
from yiwang.core.identifiers import resident_id_check_char

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def _leaks(line: str) -> list[str]:
    found = MOBILE.findall(line)
    found += [
        m for m in RESIDENT_ID.findall(line) if resident_id_check_char(m[:17]) == m[-1].upper()
    ]
    return found


def test_the_capture_sees_log_lines_as_the_handlers_write_them() -> None:
    before = len(SUITE_LOG.lines)
    logging.getLogger("yiwang.test").warning(
        "申请人 %s 手机 %s", "11010519491231002X", "13812345678"
    )
    line = SUITE_LOG.lines[before]
    assert "110105********002X" in line and "138****5678" in line
    assert _leaks("x 13812345678 y") == ["13812345678"]
    assert _leaks("id 11010519491231002X") == ["11010519491231002X"]


def test_no_log_line_of_the_suite_shows_an_id_number_or_phone() -> None:
    assert len(SUITE_LOG.lines) > 20, "the suite should have logged something to check"
    leaking = [(line, leaks) for line in SUITE_LOG.lines if (leaks := _leaks(line))]
    assert leaking == []
