"""Masking of personal data for display and logs. Plain unit tests: no database, no Django."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.core.identifiers import PROVINCE_CODES, resident_id_check_char
from yiwang.core.masking import (
    MaskingLogFilter,
    mask_name,
    mask_phone,
    mask_resident_id,
    mask_text,
    mask_uscc,
)

HYPOTHESIS = settings(database=None, deadline=None, max_examples=300)

VALID_ID = "11010519491231002X"
VALID_ID_2 = "621002199001011239"
MASKED_ID = "110105********002X"
MASKED_ID_2 = "621002********1239"
# 18 digits whose last digit is NOT the check character: an order number, say.
NOT_AN_ID = "621002199001011230"
PHONE = "13812345678"
MASKED_PHONE = "138****5678"

ALL_MASKERS = [mask_resident_id, mask_phone, mask_name, mask_uscc, mask_text]


@pytest.mark.parametrize("masker", ALL_MASKERS)
@pytest.mark.parametrize("empty", [None, ""])
def test_none_and_empty_give_empty_string(masker: object, empty: str | None) -> None:
    assert callable(masker)
    assert masker(empty) == ""


# --- mask_resident_id ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("621002199001011234", "621002********1234"),
        (VALID_ID, MASKED_ID),
        ("11010519491231002x", "110105********002x"),
        (" 621002199001011234 ", "621002********1234"),
        # Not 18 characters: only the last 2 are kept.
        ("110105491231002", "*************02"),
        ("1234567890", "********90"),
        ("123", "*23"),
        # Too short to keep anything.
        ("12", "**"),
        ("1", "*"),
    ],
)
def test_mask_resident_id(value: str, expected: str) -> None:
    assert mask_resident_id(value) == expected


def test_mask_resident_id_preserves_length_and_hides_birth_date() -> None:
    masked = mask_resident_id(VALID_ID_2)
    assert len(masked) == 18
    assert masked.count("*") == 8
    assert "19900101" not in masked


# --- mask_phone ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (PHONE, MASKED_PHONE),
        ("19912345678", "199****5678"),
        (" 13812345678\n", MASKED_PHONE),
        # Other lengths keep the first 3 and last 2.
        ("0934-8212345", "093*******45"),
        ("09348212345678", "093*********78"),
        ("8212345", "821**45"),
        ("123456", "123*56"),
        # Too short to keep 3 + 2 and still hide something: fully masked.
        ("12345", "*****"),
        ("110", "***"),
    ],
)
def test_mask_phone(value: str, expected: str) -> None:
    assert mask_phone(value) == expected


# --- mask_name ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("张三", "张*"),
        ("欧阳修", "欧**"),
        ("李四光", "李**"),
        ("诸葛孔明", "诸***"),
        ("阿依古丽·买买提", "阿*******"),
        (" 张三 ", "张*"),
        ("张", "张"),
        ("𠀋明", "𠀋*"),  # surname outside the BMP (CJK Extension B)
        ("Smith", "S***"),
        ("Li", "L***"),
        ("John Smith", "J***"),
        ("J", "J"),
        ("  ", ""),
    ],
)
def test_mask_name(value: str, expected: str) -> None:
    assert mask_name(value) == expected


def test_mask_name_latin_hides_length() -> None:
    assert mask_name("Al") == mask_name("Alexander") == "A***"


# --- mask_uscc ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("91350100M000100Y43", "91************0Y43"),
        ("11100000000013338W", "11************338W"),
        (" 91350100M000100Y43 ", "91************0Y43"),
        ("1234567", "12*4567"),
        ("123456", "******"),
    ],
)
def test_mask_uscc(value: str, expected: str) -> None:
    assert mask_uscc(value) == expected


# --- mask_text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"身份证号{VALID_ID}已提交", f"身份证号{MASKED_ID}已提交"),
        (f"id={VALID_ID_2}", f"id={MASKED_ID_2}"),
        ("id=11010519491231002x;", "id=110105********002x;"),
        (VALID_ID, MASKED_ID),
        (f"手机号{PHONE}，请回电", f"手机号{MASKED_PHONE}，请回电"),
        (f"phone: {PHONE}", f"phone: {MASKED_PHONE}"),
        (PHONE, MASKED_PHONE),
        (
            f"申请人{VALID_ID_2}，联系电话{PHONE}；紧急联系人15987654321",
            f"申请人{MASKED_ID_2}，联系电话{MASKED_PHONE}；紧急联系人159****4321",
        ),
        (f"{PHONE},{PHONE}", f"{MASKED_PHONE},{MASKED_PHONE}"),
        (f"{VALID_ID} {VALID_ID_2}", f"{MASKED_ID} {MASKED_ID_2}"),
        # Common ways of writing a mobile number.
        ("+8613812345678", "+86138****5678"),
        ("+86 13812345678", "+86 138****5678"),
        ("8613812345678", "86138****5678"),
        ("138-1234-5678", "138-****-5678"),
        ("138 1234 5678", "138 **** 5678"),
    ],
)
def test_mask_text_masks_ids_and_mobiles(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # 18 digits whose check character does not match: not an ID.
        f"订单号{NOT_AN_ID}",
        "流水号 123456789012345678",
        # Longer digit runs contain IDs / mobiles only by accident.
        f"9{VALID_ID_2}",
        f"{VALID_ID_2}0",
        f"trace 1{PHONE}",
        f"trace {PHONE}9",
        "2013812345678901",
        # Not a mobile: second digit must be 3-9, and 11 digits exactly.
        "12345678901",
        "10086",
        "1381234567",
        "0931-8212345",
        # Ordinary numbers, dates, amounts.
        "共 3 件，金额 1234.56 元，2025-06-15 10:30:00",
        "受理编号 QY20250615000123",
        "",
        # Separated mobile with inconsistent separators is left alone.
        "138-1234 5678",
    ],
)
def test_mask_text_leaves_ordinary_numbers_alone(text: str) -> None:
    assert mask_text(text) == text


def test_not_an_id_really_fails_the_check_character() -> None:
    assert resident_id_check_char(NOT_AN_ID[:17]) != NOT_AN_ID[17]
    assert resident_id_check_char(VALID_ID_2[:17]) == VALID_ID_2[17]


def test_mask_text_only_uses_the_check_character() -> None:
    # Impossible birth date and unknown province, but a right check character: still masked,
    # because leaking a mistyped number is worse than over-masking.
    first17 = "99000020230230123"
    number = first17 + resident_id_check_char(first17)
    assert mask_text(f"x {number} y") == f"x {number[:6]}********{number[14:]} y"


def test_mask_text_is_idempotent() -> None:
    text = f"申请人{VALID_ID}，电话{PHONE}，订单{NOT_AN_ID}"
    once = mask_text(text)
    assert once == f"申请人{MASKED_ID}，电话{MASKED_PHONE}，订单{NOT_AN_ID}"
    assert mask_text(once) == once


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    region = draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 1, 1)))
    seq = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    first17 = f"{province}{region}{born:%Y%m%d}{seq}"
    return first17 + resident_id_check_char(first17)


no_digits = st.text(
    alphabet=st.characters(exclude_categories=["Nd"]),
    max_size=20,
)


@HYPOTHESIS
@given(no_digits, valid_ids(), no_digits)
def test_mask_text_hides_any_valid_id_in_any_text(before: str, number: str, after: str) -> None:
    masked = mask_text(before + number + after)
    assert number not in masked
    assert masked == before + mask_resident_id(number) + after


@HYPOTHESIS
@given(
    no_digits,
    st.from_regex(re.compile(r"1[3-9][0-9]{9}"), fullmatch=True),
    no_digits,
)
def test_mask_text_hides_any_mobile_in_any_text(before: str, phone: str, after: str) -> None:
    masked = mask_text(before + phone + after)
    assert phone not in masked
    assert masked == before + phone[:3] + "****" + phone[7:] + after


@HYPOTHESIS
@given(st.text(alphabet="0123456789", min_size=19, max_size=40))
def test_mask_text_never_touches_long_digit_runs(run: str) -> None:
    assert mask_text(f"a{run}b") == f"a{run}b"


# --- MaskingLogFilter ---------------------------------------------------------------------


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


@pytest.fixture
def handler() -> ListHandler:
    return ListHandler()


@pytest.fixture
def logger(request: pytest.FixtureRequest, handler: ListHandler) -> Iterator[logging.Logger]:
    log = logging.getLogger(f"yiwang.tests.masking.{request.node.name}")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    log.addHandler(handler)
    yield log
    log.removeHandler(handler)
    for flt in list(log.filters):
        log.removeFilter(flt)
    for flt in list(handler.filters):
        handler.removeFilter(flt)


def test_log_filter_masks_formatted_args(logger: logging.Logger, handler: ListHandler) -> None:
    handler.addFilter(MaskingLogFilter())
    logger.info("申请人 %s 的手机号 %s 已更新", VALID_ID, PHONE)
    assert len(handler.records) == 1
    record = handler.records[0]
    assert record.msg == f"申请人 {MASKED_ID} 的手机号 {MASKED_PHONE} 已更新"
    assert record.args == ()
    assert record.getMessage() == record.msg
    assert handler.lines == [f"INFO 申请人 {MASKED_ID} 的手机号 {MASKED_PHONE} 已更新"]
    assert VALID_ID not in handler.lines[0]
    assert PHONE not in handler.lines[0]


def test_log_filter_masks_literal_message(logger: logging.Logger, handler: ListHandler) -> None:
    handler.addFilter(MaskingLogFilter())
    logger.warning(f"user {PHONE} failed login")
    assert handler.lines == [f"WARNING user {MASKED_PHONE} failed login"]


def test_log_filter_masks_mapping_args(logger: logging.Logger, handler: ListHandler) -> None:
    handler.addFilter(MaskingLogFilter())
    logger.info("phone=%(phone)s id=%(id)s", {"phone": PHONE, "id": VALID_ID})
    assert handler.lines == [f"INFO phone={MASKED_PHONE} id={MASKED_ID}"]
    assert handler.records[0].args == ()


def test_log_filter_masks_non_string_args(logger: logging.Logger, handler: ListHandler) -> None:
    handler.addFilter(MaskingLogFilter())
    logger.info("phone %d, applicant %r", int(PHONE), {"id": VALID_ID})
    assert handler.lines == [f"INFO phone {MASKED_PHONE}, applicant {{'id': '{MASKED_ID}'}}"]


def test_log_filter_keeps_ordinary_numbers(logger: logging.Logger, handler: ListHandler) -> None:
    handler.addFilter(MaskingLogFilter())
    logger.info("order %s amount %s", NOT_AN_ID, "1234.56")
    assert handler.lines == [f"INFO order {NOT_AN_ID} amount 1234.56"]


def test_log_filter_does_not_drop_records(logger: logging.Logger, handler: ListHandler) -> None:
    handler.addFilter(MaskingLogFilter())
    logger.debug("a")
    logger.error("b %s", "c")
    assert [r.getMessage() for r in handler.records] == ["a", "b c"]


def test_log_filter_on_the_logger(logger: logging.Logger, handler: ListHandler) -> None:
    logger.addFilter(MaskingLogFilter())
    logger.info("id %s", VALID_ID)
    assert handler.lines == [f"INFO id {MASKED_ID}"]


def test_without_filter_the_data_would_leak(logger: logging.Logger, handler: ListHandler) -> None:
    # Control: proves the capture works and the filter is what makes the difference.
    logger.info("id %s", VALID_ID)
    assert handler.lines == [f"INFO id {VALID_ID}"]


def test_log_filter_masks_tracebacks(logger: logging.Logger, handler: ListHandler) -> None:
    handler.addFilter(MaskingLogFilter())
    try:
        raise ValueError(f"bad applicant {VALID_ID} / {PHONE}")
    except ValueError:
        logger.exception("lookup failed for %s", PHONE)
    output = handler.lines[0]
    assert output.startswith(f"ERROR lookup failed for {MASKED_PHONE}\nTraceback")
    assert f"ValueError: bad applicant {MASKED_ID} / {MASKED_PHONE}" in output
    assert VALID_ID not in output
    assert PHONE not in output


def test_log_filter_masks_stack_info(logger: logging.Logger, handler: ListHandler) -> None:
    handler.addFilter(MaskingLogFilter())
    # The stack shows the source line of the call, trailing comment included.
    logger.info("here", stack_info=True)  # call back 13812345678
    record = handler.records[0]
    assert record.stack_info is not None
    assert record.stack_info.startswith("Stack (most recent call last)")
    assert "# call back 138****5678" in record.stack_info
    assert "# call back 138****5678" in handler.lines[0]
    assert PHONE not in handler.lines[0]


def test_log_filter_survives_bad_format_args(
    logger: logging.Logger, handler: ListHandler, capsys: pytest.CaptureFixture[str]
) -> None:
    handler.addFilter(MaskingLogFilter())
    logger.info("count %d", PHONE)  # wrong type for %d
    assert handler.lines == [f"INFO count %d ('{MASKED_PHONE}',)"]
    # Logging did not print its "--- Logging error ---" report (which would show the args).
    assert "Logging error" not in capsys.readouterr().err


def test_log_filter_with_a_stream_handler(logger: logging.Logger) -> None:
    stream = io.StringIO()
    stream_handler = logging.StreamHandler(stream)
    stream_handler.addFilter(MaskingLogFilter())
    logger.addHandler(stream_handler)
    try:
        logger.warning("身份证 %s 手机 %s", VALID_ID_2, PHONE)
    finally:
        logger.removeHandler(stream_handler)
    assert stream.getvalue() == f"身份证 {MASKED_ID_2} 手机 {MASKED_PHONE}\n"


def test_log_filter_is_idempotent(logger: logging.Logger, handler: ListHandler) -> None:
    handler.addFilter(MaskingLogFilter())
    handler.addFilter(MaskingLogFilter())
    logger.info("%s %s", VALID_ID, PHONE)
    assert handler.lines == [f"INFO {MASKED_ID} {MASKED_PHONE}"]
