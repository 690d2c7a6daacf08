"""SMS templates: the one place their text lives, and rendering that refuses a wrong parameter.

The texts carry no signature: rendering puts `【{SIGN_NAME}】` in front (see `settings.NOTIFY`),
the same sign the gateway is given, so "【庆阳政务】您的验证码为…" comes out with the default.
A gateway account registers each template; a change here must be registered there too.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Final

from yiwang.core.errors import YiwangError
from yiwang.notify.errors import NotifyErrorCode

SMS_TEMPLATES: Final[Mapping[str, str]] = {
    "verification_code": "您的验证码为{code}，{minutes}分钟内有效，请勿泄露给他人。",
    "case_submitted": "您的办件已提交，办件编号{case_no}，查询密码{password}。",
    "case_accepted": "您的办件{case_no}已受理，承诺{days}个工作日内办结。",
    "case_correction": "您的办件{case_no}需要补正材料，请登录平台查看补正告知书。",
    "case_completed": "您的办件{case_no}已办结，请登录平台查看结果。",
    "case_refused": "您的办件{case_no}不予受理，请登录平台查看不予受理通知书。",
    "case_extended": "您的办件{case_no}审批期限已依法延长{days}个工作日。",
    "case_special": "您的办件{case_no}进入特别程序（{kind}），该期间不计入办理时限。",
    "case_delivered": "您的办件{case_no}办理结果已送达（{method}）。",
    "review_invitation": "您的办件{case_no}已办结，请对本次服务作出评价。",
    "review_invitation_link": "您的办件{case_no}已办结，请对本次服务评价：{url}",
    "review_rectified": "您对政务服务的评价已处理（{resolution}），感谢您的监督。",
    "booking_confirmed": "您已预约{when}到{hall}办理“{matter}”，预约码{code}。"
    "请在开始前30分钟内到大厅取号机凭预约码签到。",
    "booking_reminder": "温馨提示：您预约了{when}到{hall}办理“{matter}”，预约码{code}。"
    "如不能前往，请提前在平台取消预约。",
}

# Characters a parameter may not carry: a second 【sign】 or a line break would let a value pose
# as another sender or forge a second message.
_FORBIDDEN_IN_PARAM: Final = re.compile(r"[【】\[\]\r\n\x00-\x1f]")
MAX_PARAM_LENGTH: Final = 64


class TemplateRenderError(YiwangError):
    """A template code or its parameters do not fit: a mistake in the calling code, hence 500.

    Parameters come from the platform (codes, case numbers), never free text from a person.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, code=NotifyErrorCode.TEMPLATE_INVALID, status=500)


def template_placeholders(code: str) -> frozenset[str]:
    """The placeholder names of a template."""
    text = _template_text(code)
    names: set[str] = set()
    for _literal, field, _spec, _conversion in string.Formatter().parse(text):
        if field is None:
            continue
        if not field.isidentifier():
            raise TemplateRenderError(f"短信模板“{code}”的占位符“{{{field}}}”不正确")
        names.add(field)
    return frozenset(names)


def render_template(code: str, params: Mapping[str, str], *, sign_name: str) -> str:
    """The text of template `code` with `params` filled in, signed with `sign_name`.

    Every placeholder needs a parameter and every parameter a placeholder; values are strings
    of at most 64 characters without brackets or line breaks.
    """
    expected = template_placeholders(code)
    missing = sorted(expected - params.keys())
    if missing:
        raise TemplateRenderError(f"短信模板“{code}”缺少参数：{'、'.join(missing)}")
    unknown = sorted(set(params) - expected)
    if unknown:
        raise TemplateRenderError(f"短信模板“{code}”没有这些参数：{'、'.join(unknown)}")
    for name, value in params.items():
        if not isinstance(value, str):
            raise TemplateRenderError(f"短信模板“{code}”的参数“{name}”应为文本")
        if len(value) > MAX_PARAM_LENGTH or _FORBIDDEN_IN_PARAM.search(value):
            raise TemplateRenderError(
                f"短信模板“{code}”的参数“{name}”过长或含有方括号、换行等不允许的字符"
            )
    return f"【{sign_name}】" + _template_text(code).format_map(dict(params))


def _template_text(code: str) -> str:
    try:
        return SMS_TEMPLATES[code]
    except KeyError:
        raise TemplateRenderError(f"短信模板“{code}”不存在") from None
