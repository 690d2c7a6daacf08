"""Forms parse input only; the rules are in services."""

from __future__ import annotations

from django import forms

from yiwang.accounts.models import AgentScope, EvidenceKind, Role

REQUIRED = {"required": "必填"}


class RegisterForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=30, error_messages=REQUIRED)
    resident_id = forms.CharField(label="身份证号码", max_length=18, error_messages=REQUIRED)
    phone = forms.CharField(label="手机号码", max_length=11, error_messages=REQUIRED)
    code = forms.CharField(label="短信验证码", max_length=8, error_messages=REQUIRED)
    password = forms.CharField(
        label="密码", widget=forms.PasswordInput, max_length=128, error_messages=REQUIRED
    )
    password2 = forms.CharField(
        label="确认密码", widget=forms.PasswordInput, max_length=128, error_messages=REQUIRED
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        return data


class PhoneForm(forms.Form):
    phone = forms.CharField(label="手机号码", max_length=11, error_messages=REQUIRED)


class PasswordLoginForm(forms.Form):
    identifier = forms.CharField(
        label="身份证号码或手机号码", max_length=150, error_messages=REQUIRED
    )
    password = forms.CharField(
        label="密码", widget=forms.PasswordInput, max_length=128, error_messages=REQUIRED
    )


class CodeLoginForm(forms.Form):
    phone = forms.CharField(label="手机号码", max_length=11, error_messages=REQUIRED)
    code = forms.CharField(label="短信验证码", max_length=8, error_messages=REQUIRED)


class StaffLoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, error_messages=REQUIRED)
    password = forms.CharField(
        label="密码", widget=forms.PasswordInput, max_length=128, error_messages=REQUIRED
    )


class SecondFactorForm(forms.Form):
    method = forms.ChoiceField(
        label="验证方式", choices=[("totp", "动态口令"), ("sms", "短信验证码")], initial="totp"
    )
    token = forms.CharField(label="动态口令或短信验证码", max_length=8, error_messages=REQUIRED)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label="比对项",
        choices=[(k.value, k.label) for k in EvidenceKind if k not in ("phone", "in_person")],
    )
    number = forms.CharField(label="号码", max_length=30, error_messages=REQUIRED)


class EnterpriseForm(forms.Form):
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, error_messages=REQUIRED)
    name = forms.CharField(label="单位名称", max_length=200, error_messages=REQUIRED)
    legal_representative_name = forms.CharField(label="法定代表人姓名", max_length=50)
    legal_representative_resident_id = forms.CharField(label="法定代表人身份证号码", max_length=18)


class AgentGrantForm(forms.Form):
    agent_name = forms.CharField(label="经办人姓名", max_length=50, error_messages=REQUIRED)
    agent_resident_id = forms.CharField(
        label="经办人身份证号码", max_length=18, error_messages=REQUIRED
    )
    scope = forms.ChoiceField(label="授权范围", choices=AgentScope.choices)
    valid_until = forms.DateField(
        label="有效期至",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "必填", "invalid": "日期格式应为 YYYY-MM-DD"},
    )


class StaffCreateForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, error_messages=REQUIRED)
    name = forms.CharField(label="姓名", max_length=50, error_messages=REQUIRED)
    department = forms.IntegerField(label="部门", error_messages=REQUIRED)
    phone = forms.CharField(label="手机号码", max_length=11, required=False)
    password = forms.CharField(
        label="初始密码", widget=forms.PasswordInput, max_length=128, error_messages=REQUIRED
    )


class ApiClientForm(forms.Form):
    name = forms.CharField(label="系统名称", max_length=100, error_messages=REQUIRED)
    username = forms.CharField(
        label="代表的工作人员（用户名）", max_length=150, error_messages=REQUIRED
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=Role.choices)
