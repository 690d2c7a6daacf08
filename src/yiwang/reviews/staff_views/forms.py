"""Forms of the staff ticket pages, one per action. They only parse input: what a ticket needs is
checked by `services`, whose refusal is shown on the form (see `yiwang.accounts.web.form_error`)."""

from __future__ import annotations

from django import forms

from yiwang.reviews import services
from yiwang.reviews.models import Resolution


def _text(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


class VisitForm(forms.Form):
    method = forms.ChoiceField(
        label="回访方式",
        required=False,
        choices=[("", "请选择"), *services.VISIT_METHODS.items()],
    )
    note = _text("回访情况（核实结果）")


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label="处理方式", required=False, choices=Resolution.choices, widget=forms.RadioSelect
    )
    ledger_due_on = forms.DateField(
        label="台账整改期限",
        required=False,
        help_text="建立台账限期整改时填写，不晚于工单整改期限",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    outcome = _text("处理结果（建立台账时填写整改计划）")


class OutcomeForm(forms.Form):
    outcome = _text("整改结果")


class AppealForm(forms.Form):
    reason = _text("申诉理由（误评、恶意差评的事实和依据）")


class CloseForm(forms.Form):
    note = _text("办结意见（选填）")


class SendBackForm(forms.Form):
    note = _text("退回理由")


class DecideForm(forms.Form):
    upheld = forms.ChoiceField(
        label="复核结论",
        choices=[
            ("yes", "申诉成立：该评价不计入指标（记录保留）"),
            ("no", "申诉不成立：工单恢复办理"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择复核结论", "invalid_choice": "请选择复核结论"},
    )
    note = _text("复核意见")
