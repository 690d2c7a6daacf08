"""Templates render with exactly their parameters, signed; anything else is refused clearly."""

from __future__ import annotations

import pytest

from yiwang.notify.templates import (
    SMS_TEMPLATES,
    TemplateRenderError,
    render_template,
    template_placeholders,
)


def test_verification_code_renders_signed() -> None:
    text = render_template(
        "verification_code", {"code": "482913", "minutes": "5"}, sign_name="庆阳政务"
    )
    assert text == "【庆阳政务】您的验证码为482913，5分钟内有效，请勿泄露给他人。"


def test_case_submitted_renders_signed() -> None:
    text = render_template(
        "case_submitted", {"case_no": "62100020261128000123", "password": "a7K2"}, sign_name="庆阳"
    )
    assert text == "【庆阳】您的办件已提交，办件编号62100020261128000123，查询密码a7K2。"


def test_every_template_has_well_formed_placeholders() -> None:
    for code in SMS_TEMPLATES:
        names = template_placeholders(code)
        params = {name: "1" for name in names}
        assert render_template(code, params, sign_name="庆阳政务").startswith("【庆阳政务】")
    assert template_placeholders("verification_code") == {"code", "minutes"}


@pytest.mark.parametrize(
    ("code", "params", "message"),
    [
        ("verification_code", {"code": "1234"}, "短信模板“verification_code”缺少参数：minutes"),
        (
            "verification_code",
            {"code": "1234", "minutes": "5", "name": "张三"},
            "短信模板“verification_code”没有这些参数：name",
        ),
        ("no_such_template", {}, "短信模板“no_such_template”不存在"),
        (
            "verification_code",
            {"code": "1234", "minutes": 5},
            "短信模板“verification_code”的参数“minutes”应为文本",
        ),
        ("case_accepted", {"case_no": "【某银行】", "days": "3"}, "不允许的字符"),
        ("case_accepted", {"case_no": "1\n2", "days": "3"}, "不允许的字符"),
        ("case_accepted", {"case_no": "9" * 65, "days": "3"}, "过长"),
    ],
)
def test_wrong_parameters_are_refused_clearly(
    code: str, params: dict[str, str], message: str
) -> None:
    with pytest.raises(TemplateRenderError) as excinfo:
        render_template(code, params, sign_name="庆阳政务")
    assert message in excinfo.value.message
    assert excinfo.value.code == "sms_template_invalid"
