"""Resident ID numbers, unified social credit codes and region codes.

Plain unit tests: no database, no Django settings.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.core.identifiers import (
    PROVINCE_CODES,
    USCC_ALPHABET,
    USCC_REGISTRATION_AUTHORITIES,
    IdentifierError,
    check_region_code,
    check_resident_id,
    check_uscc,
    organization_code_check_char,
    region_code_12,
    region_level,
    region_prefix,
    resident_id_birth_date,
    resident_id_check_char,
    resident_id_gender,
    uscc_check_char,
    uscc_complete,
)

# No example database on disk (it would land in the working tree), no per-example deadline.
HYPOTHESIS = settings(
    database=None,
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow],
)

TODAY = date(2025, 6, 15)

# The example from GB 11643-1999 itself.
GB_EXAMPLE_ID = "11010519491231002X"
# The second example from GB 11643-1999: the check character is right, but the holder was born
# in 1880, before the 1900 lower bound this module enforces.
GB_EXAMPLE_ID_1880 = "440524188001010014"

# Literal valid numbers (check characters computed independently, see `iso7064_ok`).
LITERAL_VALID_IDS = [
    GB_EXAMPLE_ID,
    "621002199001011239",  # 庆阳市西峰区
    "621002200002290028",  # born on a leap day
    "11000019900307001X",  # region digits 3-6 all zero are allowed
    "440306198512310313",
    "710000198001010010",  # 台湾省
    "810000198001010014",  # 香港
    "820000198001010016",  # 澳门
]

REAL_USCCS = [
    "91350100M000100Y43",
    "91110000802100433B",
    "11100000000013338W",
    "11220000013544541J",
    "11430000006122244L",
    "12100000400010398P",
]


def iso7064_ok(number: str) -> bool:
    """Independent oracle: ISO 7064 MOD 11-2 over all 18 characters gives remainder 1."""
    values = [10 if ch == "X" else int(ch) for ch in number]
    return sum(v * pow(2, 17 - i, 11) for i, v in enumerate(values)) % 11 == 1


def raises_code(code: str, func: object, *args: object, **kwargs: object) -> IdentifierError:
    assert callable(func)
    with pytest.raises(IdentifierError) as info:
        func(*args, **kwargs)
    assert info.value.code == code, (info.value.code, str(info.value))
    return info.value


def with_check(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


# --- strategies ---------------------------------------------------------------------------

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def valid_first17(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    rest_of_region = draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    return f"{province}{rest_of_region}{born:%Y%m%d}{sequence}"


valid_ids = valid_first17().map(with_check)


# --- IdentifierError ----------------------------------------------------------------------


def test_identifier_error_is_a_value_error_with_code_and_chinese_message() -> None:
    exc = IdentifierError("id_checksum", "身份证号码校验位不正确，请核对后重新输入")
    assert isinstance(exc, ValueError)
    assert exc.code == "id_checksum"
    assert exc.message == "身份证号码校验位不正确，请核对后重新输入"
    assert str(exc) == "身份证号码校验位不正确，请核对后重新输入"
    assert "id_checksum" in repr(exc)


def test_identifier_error_can_be_caught_as_value_error() -> None:
    with pytest.raises(ValueError, match="校验位不正确"):
        check_resident_id("110105194912310021")


# --- resident_id_check_char ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),
        ("44052418800101001", "4"),
        ("00000000000000000", "1"),  # sum 0 -> index 0 -> "1"
        ("10000000000000000", "5"),  # weight 7: sum 7 -> "10X98765432"[7]
        ("00000000000000001", "X"),  # weight 2: sum 2 -> "X"
    ],
)
def test_resident_id_check_char_known_values(first17: str, expected: str) -> None:
    assert resident_id_check_char(first17) == expected


def test_resident_id_check_char_maps_every_remainder() -> None:
    # Position 8 has weight 1, so digit d there gives remainder d for d in 0..9; 10 via "55".
    table = "10X98765432"
    for remainder in range(10):
        first17 = "0000000" + str(remainder) + "0" * 9
        assert resident_id_check_char(first17) == table[remainder]
    # Weight 5 at position 4: 2 * 5 = 10.
    assert resident_id_check_char("00020000000000000") == table[10] == "2"


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021"])
def test_resident_id_check_char_rejects_wrong_length(bad: str) -> None:
    err = raises_code("id_length", resident_id_check_char, bad)
    assert f"当前为{len(bad)}位" in str(err)


@pytest.mark.parametrize("bad", ["1101051949123100X", "11010519491231 02", "１1010519491231002"])
def test_resident_id_check_char_rejects_non_digits(bad: str) -> None:
    raises_code("id_chars", resident_id_check_char, bad)


@HYPOTHESIS
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_any_17_digits_plus_computed_check_char_satisfies_iso7064(first17: str) -> None:
    check = resident_id_check_char(first17)
    assert check in "0123456789X"
    assert len(check) == 1
    assert iso7064_ok(first17 + check)
    # The check character is the only one that works.
    for other in "0123456789X":
        if other != check:
            assert not iso7064_ok(first17 + other)


# --- check_resident_id: valid numbers -----------------------------------------------------


@pytest.mark.parametrize("number", LITERAL_VALID_IDS)
def test_literal_valid_ids_pass_unchanged(number: str) -> None:
    assert iso7064_ok(number)
    assert check_resident_id(number, today=TODAY) == number


def test_gb_example_id_passes_with_real_today() -> None:
    assert check_resident_id(GB_EXAMPLE_ID) == GB_EXAMPLE_ID


def test_gb_1880_example_has_a_valid_check_char_but_is_before_1900() -> None:
    assert iso7064_ok(GB_EXAMPLE_ID_1880)
    assert resident_id_check_char(GB_EXAMPLE_ID_1880[:17]) == "4"
    err = raises_code("id_birth_date", check_resident_id, GB_EXAMPLE_ID_1880, today=TODAY)
    assert str(err) == "身份证号码中的出生日期 1880-01-01 早于1900年，请核对后重新输入"


@HYPOTHESIS
@given(valid_ids)
def test_generated_valid_ids_pass_unchanged(number: str) -> None:
    assert check_resident_id(number, today=TODAY) == number


@HYPOTHESIS
@given(valid_first17().filter(lambda s: resident_id_check_char(s) == "X"))
def test_generated_ids_ending_in_x_pass_in_either_case(first17: str) -> None:
    assert check_resident_id(first17 + "X", today=TODAY) == first17 + "X"
    assert check_resident_id(first17 + "x", today=TODAY) == first17 + "X"


def test_lowercase_x_is_upper_cased() -> None:
    assert check_resident_id("11010519491231002x", today=TODAY) == "11010519491231002X"
    assert check_resident_id("11000019900307001x", today=TODAY) == "11000019900307001X"


@pytest.mark.parametrize(
    "padded",
    [
        " 11010519491231002X",
        "11010519491231002X ",
        "\t11010519491231002x\n",
        "\u300011010519491231002X\u3000",  # ideographic (full-width) spaces
    ],
)
def test_surrounding_whitespace_is_stripped(padded: str) -> None:
    assert check_resident_id(padded, today=TODAY) == GB_EXAMPLE_ID


def test_full_width_digits_and_x_are_folded_to_ascii() -> None:
    assert check_resident_id("１１０１０５１９４９１２３１００２ｘ", today=TODAY) == GB_EXAMPLE_ID


@pytest.mark.parametrize("province", sorted(PROVINCE_CODES))
def test_every_province_code_is_accepted(province: str) -> None:
    number = with_check(f"{province}0000" + "19900101" + "123")
    assert check_resident_id(number, today=TODAY) == number


def test_province_code_list_is_exactly_the_real_one() -> None:
    expected = (
        [str(n) for n in range(11, 16)]
        + ["21", "22", "23"]
        + [str(n) for n in range(31, 38)]
        + [str(n) for n in range(41, 47)]
        + [str(n) for n in range(50, 55)]
        + [str(n) for n in range(61, 66)]
        + ["71", "81", "82"]
    )
    assert sorted(PROVINCE_CODES) == sorted(expected)
    assert len(PROVINCE_CODES) == 34
    assert PROVINCE_CODES["62"] == "甘肃省"


# --- check_resident_id: rejections --------------------------------------------------------


@pytest.mark.parametrize("empty", ["", "   ", "\n\t", "\u3000"])
def test_empty_is_rejected(empty: str) -> None:
    err = raises_code("id_empty", check_resident_id, empty)
    assert str(err) == "请输入身份证号码"


@pytest.mark.parametrize("legacy", ["110105491231002", " 440524800101001 "])
def test_15_digit_legacy_number_is_rejected_with_explanation(legacy: str) -> None:
    err = raises_code("id_legacy_15", check_resident_id, legacy)
    assert "15位旧号码已停止使用" in str(err)
    assert "请使用18位身份证号码" in str(err)


def test_15_characters_that_are_not_all_digits_are_a_length_error() -> None:
    err = raises_code("id_length", check_resident_id, "11010549123100X")
    assert str(err) == "身份证号码应为18位，当前为15位"


@pytest.mark.parametrize(
    ("value", "length"),
    [
        ("1", 1),
        ("11010519491231002", 17),
        ("11010519491231002X1", 19),
        ("1101051949123100211", 19),
        ("110105 19491231 002X", 20),  # inner spaces are not removed
    ],
)
def test_wrong_length_is_rejected_with_the_actual_length(value: str, length: int) -> None:
    err = raises_code("id_length", check_resident_id, value)
    assert str(err) == f"身份证号码应为18位，当前为{length}位"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1101051949123100AX", "“A”"),
        ("X10105194912310021", "“X”"),
        ("11010519491231-02X", "“-”"),
        ("110105 94912310021", "空格"),
        ("11010519491231002X"[:5] + "٣" + "19491231002X", "“٣”"),  # Arabic-Indic digit
    ],
)
def test_non_digits_in_first_17_are_rejected(value: str, shown: str) -> None:
    assert len(value) == 18
    err = raises_code("id_chars", check_resident_id, value)
    assert str(err) == f"身份证号码的前17位只能是数字，不能含有{shown}"


@pytest.mark.parametrize("last", ["Y", "A", "-", "*"])
def test_last_character_must_be_digit_or_x(last: str) -> None:
    err = raises_code("id_chars", check_resident_id, "11010519491231002" + last)
    assert str(err) == f"身份证号码的最后一位只能是数字或字母X，不能是“{last}”"


@pytest.mark.parametrize("province", ["99", "00", "10", "16", "20", "24", "47", "55", "66", "83"])
def test_unknown_province_is_rejected(province: str) -> None:
    number = with_check(f"{province}1002" + "19900101" + "123")
    err = raises_code("id_region", check_resident_id, number, today=TODAY)
    assert str(err) == f"身份证号码前6位的地区代码 {province}1002 不正确，请核对后重新输入"


def test_every_non_province_two_digit_prefix_is_rejected() -> None:
    for n in range(100):
        prefix = f"{n:02d}"
        number = with_check(f"{prefix}0101" + "19900101" + "123")
        if prefix in PROVINCE_CODES:
            assert check_resident_id(number, today=TODAY) == number
        else:
            raises_code("id_region", check_resident_id, number, today=TODAY)


@pytest.mark.parametrize(
    ("birth", "shown"),
    [
        ("20230230", "2023-02-30"),  # February 30
        ("20231301", "2023-13-01"),  # month 13
        ("20230001", "2023-00-01"),  # month 0
        ("20230100", "2023-01-00"),  # day 0
        ("20230431", "2023-04-31"),  # April has 30 days
        ("20230229", "2023-02-29"),  # 2023 is not a leap year
        ("19000229", "1900-02-29"),  # 1900 is not a leap year
        ("00000000", "0000-00-00"),
    ],
)
def test_impossible_birth_dates_are_rejected(birth: str, shown: str) -> None:
    number = with_check("621002" + birth + "123")
    err = raises_code("id_birth_date", check_resident_id, number, today=TODAY)
    assert str(err) == f"身份证号码中的出生日期 {shown} 不是有效日期"


@pytest.mark.parametrize("birth", ["20000229", "20240229", "19000101", "19991231"])
def test_edge_dates_that_exist_are_accepted(birth: str) -> None:
    number = with_check("621002" + birth + "123")
    assert check_resident_id(number, today=TODAY) == number


def test_birth_date_before_1900_is_rejected() -> None:
    number = with_check("621002" + "18991231" + "123")
    err = raises_code("id_birth_date", check_resident_id, number, today=TODAY)
    assert str(err) == "身份证号码中的出生日期 1899-12-31 早于1900年，请核对后重新输入"


def test_birth_date_in_the_future_is_rejected_relative_to_injected_today() -> None:
    number = with_check("621002" + "20250616" + "123")
    err = raises_code("id_birth_date", check_resident_id, number, today=date(2025, 6, 15))
    assert str(err) == "身份证号码中的出生日期 2025-06-16 晚于今天，请核对后重新输入"
    # Born today is fine, and so is the same number once the day has come.
    assert check_resident_id(number, today=date(2025, 6, 16)) == number
    assert check_resident_id(number, today=date(2026, 1, 1)) == number


def test_birth_date_in_the_future_is_rejected_with_real_today() -> None:
    tomorrow = date.today() + timedelta(days=1)
    number = with_check(f"621002{tomorrow:%Y%m%d}123")
    raises_code("id_birth_date", check_resident_id, number)


def test_wrong_check_character_is_rejected() -> None:
    err = raises_code("id_checksum", check_resident_id, "110105194912310021", today=TODAY)
    assert str(err) == "身份证号码校验位不正确，请核对后重新输入"


@pytest.mark.parametrize("number", LITERAL_VALID_IDS)
def test_every_other_check_character_is_rejected(number: str) -> None:
    for other in "0123456789X":
        if other != number[-1]:
            raises_code("id_checksum", check_resident_id, number[:17] + other, today=TODAY)


def test_checks_run_in_documented_order() -> None:
    # Wrong region, impossible date and wrong check character: the region is reported first.
    raises_code("id_region", check_resident_id, "990000" + "20230230" + "1230", today=TODAY)
    # Valid region, impossible date, wrong check character: the date is reported.
    number = with_check("621002" + "20230230" + "123")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    raises_code("id_birth_date", check_resident_id, wrong, today=TODAY)


@HYPOTHESIS
@given(valid_ids, st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_any_single_character_change_is_rejected(number: str, index: int, new: str) -> None:
    if number[index] == new:
        new = "0" if new != "0" else "1"
    changed = number[:index] + new + number[index + 1 :]
    with pytest.raises(IdentifierError) as info:
        check_resident_id(changed, today=TODAY)
    assert info.value.code in {"id_chars", "id_region", "id_birth_date", "id_checksum"}
    if index == 17:
        assert info.value.code == "id_checksum"


@HYPOTHESIS
@given(valid_ids, st.integers(min_value=0, max_value=16))
def test_any_adjacent_transposition_is_rejected(number: str, index: int) -> None:
    if number[index] == number[index + 1]:
        return
    swapped = number[:index] + number[index + 1] + number[index] + number[index + 2 :]
    with pytest.raises(IdentifierError):
        check_resident_id(swapped, today=TODAY)


@HYPOTHESIS
@given(st.text(max_size=25))
def test_arbitrary_text_either_passes_normalized_or_raises_identifier_error(text: str) -> None:
    try:
        result = check_resident_id(text, today=TODAY)
    except IdentifierError as exc:
        assert exc.code.startswith("id_")
        assert str(exc)
    else:
        assert len(result) == 18
        assert iso7064_ok(result)


# --- birth date and gender helpers --------------------------------------------------------


def test_resident_id_birth_date() -> None:
    assert resident_id_birth_date(GB_EXAMPLE_ID) == date(1949, 12, 31)
    assert resident_id_birth_date(" 11010519491231002x ") == date(1949, 12, 31)
    assert resident_id_birth_date("621002200002290028", today=TODAY) == date(2000, 2, 29)


def test_resident_id_birth_date_rejects_invalid_numbers() -> None:
    raises_code("id_checksum", resident_id_birth_date, "110105194912310021")
    raises_code("id_legacy_15", resident_id_birth_date, "110105491231002")
    number = with_check("621002" + "20250616" + "123")
    raises_code("id_birth_date", resident_id_birth_date, number, today=TODAY)


def test_resident_id_gender() -> None:
    assert resident_id_gender(GB_EXAMPLE_ID) == "女"  # 17th digit 2
    assert resident_id_gender("621002199001011239") == "男"  # 17th digit 3
    assert resident_id_gender("440306198512310313") == "男"  # 17th digit 1
    assert resident_id_gender("621002200002290028") == "女"  # 17th digit 2


def test_resident_id_gender_rejects_invalid_numbers() -> None:
    raises_code("id_checksum", resident_id_gender, "110105194912310021")


@HYPOTHESIS
@given(valid_first17(), st.sampled_from("0123456789"))
def test_gender_follows_parity_of_17th_digit(first17: str, digit17: str) -> None:
    number = with_check(first17[:16] + digit17)
    assert resident_id_gender(number, today=TODAY) == ("男" if int(digit17) % 2 else "女")
    assert resident_id_birth_date(number, today=TODAY) == date(
        int(first17[6:10]), int(first17[10:12]), int(first17[12:14])
    )


# --- organization codes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first8", "expected"),
    [
        ("M000100Y", "4"),  # from 91350100M000100Y43
        ("80210043", "3"),  # from 91110000802100433B
        ("00001333", "8"),  # from 11100000000013338W
        ("01354454", "1"),
        ("00612224", "4"),
        ("40001039", "8"),
        ("00000000", "0"),  # 11 - 0 = 11 -> "0"
        ("40000000", "X"),  # 4 * 3 = 12, 11 - 1 = 10 -> "X"
        ("10000000", "8"),  # 1 * 3 = 3 -> 8
        ("A0000000", "3"),  # A = 10, 10 * 3 = 30, 30 % 11 = 8 -> 3
        ("Z0000000", "5"),  # Z = 35, 35 * 3 = 105, 105 % 11 = 6, 11 - 6 = 5
    ],
)
def test_organization_code_check_char_known_values(first8: str, expected: str) -> None:
    assert organization_code_check_char(first8) == expected


def test_organization_code_check_char_accepts_lower_case() -> None:
    assert organization_code_check_char("m000100y") == "4"


@HYPOTHESIS
@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=8, max_size=8))
def test_organization_code_check_char_matches_the_formula(first8: str) -> None:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    values = [int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10 for ch in first8]
    check = 11 - sum(v * w for v, w in zip(values, weights, strict=True)) % 11
    expected = {10: "X", 11: "0"}.get(check, str(check))
    assert organization_code_check_char(first8) == expected


@pytest.mark.parametrize(("bad", "code"), [("1234567", "org_length"), ("123456789", "org_length")])
def test_organization_code_check_char_rejects_wrong_length(bad: str, code: str) -> None:
    raises_code(code, organization_code_check_char, bad)


@pytest.mark.parametrize("bad", ["1234567-", "1234 678", "1234567中"])
def test_organization_code_check_char_rejects_bad_chars(bad: str) -> None:
    raises_code("org_chars", organization_code_check_char, bad)


# --- unified social credit codes ----------------------------------------------------------


@pytest.mark.parametrize("code", REAL_USCCS)
def test_real_usccs_pass_unchanged(code: str) -> None:
    assert check_uscc(code) == code


@pytest.mark.parametrize("code", REAL_USCCS)
def test_uscc_is_normalized(code: str) -> None:
    assert check_uscc(code.lower()) == code
    assert check_uscc(f"  {code.lower()}\n") == code
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    assert check_uscc(full_width) == code


def test_uscc_normalized_value_is_exact() -> None:
    assert check_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert check_uscc("91110000802100433b") == "91110000802100433B"


@pytest.mark.parametrize("code", REAL_USCCS)
def test_uscc_check_char_of_real_codes(code: str) -> None:
    assert uscc_check_char(code[:17]) == code[17]
    assert uscc_check_char(code[:17].lower()) == code[17]


def test_uscc_check_char_formula() -> None:
    # All zeros: sum 0 -> 31 - 0 = 31 -> "0".
    assert uscc_check_char("0" * 17) == "0"
    # A single "1" at position 1 (weight 1): 31 - 1 = 30 -> "Y".
    assert uscc_check_char("1" + "0" * 16) == "Y"
    # "Y" (30) at position 2 (weight 3): 90 % 31 = 28, 31 - 28 = 3.
    assert uscc_check_char("0Y" + "0" * 15) == "3"


@HYPOTHESIS
@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_uscc_check_char_makes_the_weighted_sum_divisible_by_31(first17: str) -> None:
    weights = [pow(3, i, 31) for i in range(17)]
    assert weights[:5] == [1, 3, 9, 27, 19]
    check = uscc_check_char(first17)
    full = first17 + check
    values = [USCC_ALPHABET.index(ch) for ch in full]
    assert (sum(v * w for v, w in zip(values, [*weights, 1], strict=True))) % 31 == 0


@pytest.mark.parametrize("bad", ["", "9135010", "91350100M000100Y43"])
def test_uscc_check_char_rejects_wrong_length(bad: str) -> None:
    raises_code("uscc_length", uscc_check_char, bad)


def test_uscc_check_char_rejects_forbidden_letters() -> None:
    err = raises_code("uscc_chars", uscc_check_char, "91350100M000100I4")
    assert str(err) == "统一社会信用代码含有不允许的字符“I”"


@pytest.mark.parametrize("empty", ["", "  ", "\u3000"])
def test_empty_uscc_is_rejected(empty: str) -> None:
    err = raises_code("uscc_empty", check_uscc, empty)
    assert str(err) == "请输入统一社会信用代码"


@pytest.mark.parametrize(
    ("value", "length"),
    [
        ("91350100M000100Y4", 17),
        ("91350100M000100Y433", 19),
        ("M000100Y4", 9),  # an old organization code on its own
        ("9135 0100M000100Y43", 19),
    ],
)
def test_uscc_wrong_length(value: str, length: int) -> None:
    err = raises_code("uscc_length", check_uscc, value)
    assert str(err) == f"统一社会信用代码应为18位，当前为{length}位"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
@pytest.mark.parametrize("position", [0, 8, 15, 17])
def test_uscc_forbidden_letters(letter: str, position: int) -> None:
    code = REAL_USCCS[0]
    value = code[:position] + letter + code[position + 1 :]
    err = raises_code("uscc_chars", check_uscc, value)
    assert str(err) == f"统一社会信用代码含有不允许的字符“{letter}”"
    # Lower case is upper-cased first and reported in upper case.
    err = raises_code("uscc_chars", check_uscc, value.lower())
    assert str(err) == f"统一社会信用代码含有不允许的字符“{letter}”"


@pytest.mark.parametrize(("bad", "shown"), [("-", "“-”"), ("中", "“中”"), (" ", "空格")])
def test_uscc_other_bad_characters(bad: str, shown: str) -> None:
    value = "91350100" + bad + "000100Y43"
    assert len(value) == 18
    err = raises_code("uscc_chars", check_uscc, value)
    assert str(err) == f"统一社会信用代码含有不允许的字符{shown}"


def test_uscc_forbidden_letters_in_uscc_complete_and_alphabet() -> None:
    assert len(USCC_ALPHABET) == 31
    assert not set("IOZSV") & set(USCC_ALPHABET)
    raises_code("uscc_chars", uscc_complete, "91350100M0001O0Y4")


def test_uscc_bad_check_character() -> None:
    err = raises_code("uscc_checksum", check_uscc, "91350100M000100Y44")
    assert str(err) == "统一社会信用代码校验位不正确，请核对后重新输入"


@pytest.mark.parametrize("code", REAL_USCCS)
def test_uscc_every_other_check_character_is_rejected(code: str) -> None:
    for other in USCC_ALPHABET:
        if other != code[17]:
            raises_code("uscc_checksum", check_uscc, code[:17] + other)


def test_uscc_bad_organization_code_check() -> None:
    # Organization code M000100Y with check character 5 instead of 4, and a USCC check
    # character recomputed so that only the embedded check is wrong.
    first17 = "91350100M000100Y5"
    value = first17 + uscc_check_char(first17)
    err = raises_code("uscc_org_checksum", check_uscc, value)
    assert str(err) == "统一社会信用代码第9至17位的组织机构代码 M000100Y5 校验位不正确"


@pytest.mark.parametrize("authority", ["0", "B", "C", "M", "X"])
def test_uscc_unknown_registration_authority(authority: str) -> None:
    first17 = authority + REAL_USCCS[0][1:17]
    err = raises_code("uscc_authority", check_uscc, first17 + uscc_check_char(first17))
    assert str(err) == f"统一社会信用代码第1位登记管理部门代码“{authority}”不正确"


def test_uscc_registration_authorities_are_the_real_list() -> None:
    assert sorted(USCC_REGISTRATION_AUTHORITIES) == sorted("123456789ANY")
    assert USCC_REGISTRATION_AUTHORITIES["9"] == "市场监管"
    for authority in USCC_REGISTRATION_AUTHORITIES:
        first17 = authority + REAL_USCCS[0][1:17]
        assert check_uscc(first17 + uscc_check_char(first17)) == first17 + uscc_check_char(first17)


def test_uscc_region_must_be_digits() -> None:
    first17 = "91A50100M000100Y4"
    err = raises_code("uscc_region", check_uscc, first17 + uscc_check_char(first17))
    assert "第3至8位" in str(err)


def test_uscc_central_level_region_100000_is_accepted() -> None:
    assert check_uscc("11100000000013338W")[2:8] == "100000"


# --- uscc_complete ------------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL_USCCS)
def test_uscc_complete_reproduces_real_codes(code: str) -> None:
    assert uscc_complete(code[:17]) == code
    assert uscc_complete(code[:17].lower()) == code


def test_uscc_complete_builds_codes_from_an_organization_code() -> None:
    # Built through the public helpers only, as the demo-data generator does.
    org = "MA7QYB3D"
    body = "92621002" + org + organization_code_check_char(org)
    assert body == "92621002MA7QYB3D" + organization_code_check_char("MA7QYB3D")
    code = uscc_complete(body)
    assert len(code) == 18
    assert code[:17] == body
    assert code[17] == uscc_check_char(body)
    assert check_uscc(code) == code


def test_uscc_complete_rejects_bad_org_check() -> None:
    err = raises_code("uscc_org_checksum", uscc_complete, "91350100M000100Y5")
    assert "M000100Y5" in str(err)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91350100M000100Y", "uscc_length"),
        ("91350100M000100Y43", "uscc_length"),
        ("", "uscc_length"),
        ("B1350100M000100Y4", "uscc_authority"),
        ("91A50100M000100Y4", "uscc_region"),
        ("91350100M000100S4", "uscc_chars"),
    ],
)
def test_uscc_complete_validates_the_first_17(value: str, code: str) -> None:
    raises_code(code, uscc_complete, value)


@st.composite
def valid_uscc(draw: st.DrawFn) -> str:
    authority = draw(st.sampled_from(sorted(USCC_REGISTRATION_AUTHORITIES)))
    category = draw(st.sampled_from(USCC_ALPHABET))
    region = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    org8 = draw(st.text(alphabet=USCC_ALPHABET, min_size=8, max_size=8))
    org_check = organization_code_check_char(org8)
    return uscc_complete(authority + category + region + org8 + org_check)


@HYPOTHESIS
@given(valid_uscc())
def test_generated_usccs_pass(code: str) -> None:
    assert len(code) == 18
    assert check_uscc(code) == code
    assert check_uscc(code.lower()) == code


@HYPOTHESIS
@given(
    valid_uscc(),
    st.integers(min_value=0, max_value=17),
    st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
)
def test_any_single_character_change_in_a_uscc_is_rejected(code: str, index: int, new: str) -> None:
    if code[index] == new:
        return
    changed = code[:index] + new + code[index + 1 :]
    with pytest.raises(IdentifierError) as info:
        check_uscc(changed)
    if new in "IOZSV":
        assert info.value.code == "uscc_chars"
    else:
        # Every substitution changes the weighted sum by a non-multiple of 31.
        assert info.value.code == "uscc_checksum"


# --- region codes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("621002", "621002"),
        ("620000", "620000"),
        ("110000", "110000"),
        ("621002001000", "621002001000"),
        ("621002001001", "621002001001"),
        (" 621002 ", "621002"),
        ("６２１００２", "621002"),
        ("820000", "820000"),
    ],
)
def test_check_region_code_accepts(value: str, expected: str) -> None:
    assert check_region_code(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "请输入行政区划代码"),
        ("   ", "请输入行政区划代码"),
        ("62100", "应为6位或12位数字"),
        ("6210020", "应为6位或12位数字"),
        ("621002001", "应为6位或12位数字"),  # 9 digits: pad with region_code_12 first
        ("6210020010001", "应为6位或12位数字"),
        ("62100A", "应为6位或12位数字"),
        ("621 02", "应为6位或12位数字"),
        ("990000", "前2位 99 不是有效的省级代码"),
        ("000000", "前2位 00 不是有效的省级代码"),
        ("830000", "前2位 83 不是有效的省级代码"),
        ("990000000000", "前2位 99 不是有效的省级代码"),
    ],
)
def test_check_region_code_rejects(value: str, fragment: str) -> None:
    err = raises_code("region_code", check_region_code, value)
    assert fragment in str(err)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("621002", "621002000000"),
        ("621000", "621000000000"),
        ("620000", "620000000000"),
        ("621002001", "621002001000"),
        ("621002001001", "621002001001"),
        (" 621002 ", "621002000000"),
    ],
)
def test_region_code_12_pads(value: str, expected: str) -> None:
    assert region_code_12(value) == expected


@pytest.mark.parametrize("bad", ["", "62", "6210", "62100", "6210020", "6210020010", "99000", "x"])
def test_region_code_12_rejects_other_lengths(bad: str) -> None:
    raises_code("region_code", region_code_12, bad)


@pytest.mark.parametrize("bad", ["990000", "000000001", "62100A"])
def test_region_code_12_rejects_bad_codes(bad: str) -> None:
    raises_code("region_code", region_code_12, bad)


@pytest.mark.parametrize(
    ("code12", "level", "prefix"),
    [
        ("620000000000", "province", "62"),
        ("110000000000", "province", "11"),
        ("621000000000", "city", "6210"),  # 庆阳市
        ("621100000000", "city", "6211"),  # 定西市
        ("620100000000", "city", "6201"),  # 兰州市
        ("110100000000", "city", "1101"),
        ("621002000000", "county", "621002"),  # 西峰区
        ("621021000000", "county", "621021"),  # 庆城县
        ("621002001000", "township", "621002001"),
        ("621002100000", "township", "621002100"),
        ("621002001001", "village", "621002001001"),
        ("621002001200", "village", "621002001200"),
        ("621002000001", "village", "621002000001"),
    ],
)
def test_region_level_and_prefix(code12: str, level: str, prefix: str) -> None:
    assert region_level(code12) == level
    assert region_prefix(code12) == prefix
    assert code12.startswith(prefix)


def test_region_prefix_is_not_stripped_zeros() -> None:
    qingyang = region_prefix("621000000000")
    assert qingyang == "6210"
    assert qingyang != "621000000000".rstrip("0")
    # 定西 codes must not fall under 庆阳.
    assert not "621102000000".startswith(qingyang)
    assert "621002001001".startswith(qingyang)
    # Same for a township whose number ends in zero.
    assert region_prefix("621002010000") == "621002010"


@pytest.mark.parametrize("bad", ["621002", "621002001", "62100200100", "6210020010001", "abc"])
def test_region_level_and_prefix_require_12_digits(bad: str) -> None:
    err = raises_code("region_code", region_level, bad)
    assert "应为12位数字" in str(err)
    raises_code("region_code", region_prefix, bad)


def test_region_level_rejects_unknown_province() -> None:
    raises_code("region_code", region_level, "990000000000")
    raises_code("region_code", region_prefix, "000000000000")


@HYPOTHESIS
@given(
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.text(alphabet="0123456789", min_size=10, max_size=10),
    st.integers(min_value=0, max_value=4),
)
def test_region_prefix_properties(province: str, rest: str, level_index: int) -> None:
    # Zero out the tail to land on each level with some probability.
    keep = [0, 2, 4, 7, 10][level_index]
    code = province + rest[:keep] + "0" * (10 - keep)
    prefix = region_prefix(code)
    level = region_level(code)
    assert (
        len(prefix) == {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}[level]
    )
    assert code.startswith(prefix)
    assert prefix.ljust(12, "0") == code
    # The prefix of the code padded back from its prefix is the same.
    assert region_prefix(prefix.ljust(12, "0")) == prefix
