"""Forms for editing a draft in the workbench: they parse input; rules stay in services."""

from __future__ import annotations

from typing import Any

from django import forms

from yiwang.accounts.models import Role
from yiwang.catalog.codes import (
    ENTERPRISE_THEMES,
    PERSON_THEMES,
    HandlingForm,
    ServiceObject,
)
from yiwang.catalog.models import ItemVersion

EDITABLE = [
    "name", "case_kind", "legal_limit", "legal_limit_unit", "legal_limit_note", "promised_limit",
    "promised_limit_unit", "promised_limit_note", "acceptance_conditions", "charged",
    "fee_basis", "online", "online_depth", "min_real_name_level", "visits", "visits_reason",
    "place", "hours", "consult_phone", "complaint_phone", "bookable", "payable_online",
    "deliverable", "kiosk", "result_name", "form_schema",
]  # fmt: skip


class DraftForm(forms.ModelForm[ItemVersion]):
    service_objects = forms.MultipleChoiceField(
        label="服务对象", choices=ServiceObject.choices, widget=forms.CheckboxSelectMultiple
    )
    handling_forms = forms.MultipleChoiceField(
        label="办理形式", choices=HandlingForm.choices, widget=forms.CheckboxSelectMultiple
    )
    person_themes = forms.MultipleChoiceField(
        label="自然人主题",
        choices=[(t, t) for t in PERSON_THEMES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    enterprise_themes = forms.MultipleChoiceField(
        label="法人主题",
        choices=[(t, t) for t in ENTERPRISE_THEMES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ItemVersion
        fields = [*EDITABLE, "service_objects", "handling_forms", "person_themes",
                  "enterprise_themes"]  # fmt: skip

    def clean_form_schema(self) -> Any:
        """An empty box means no application form fields (an empty list)."""
        return self.cleaned_data.get("form_schema") or []

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MaterialForm(forms.Form):
    name = forms.CharField(label="材料名称", max_length=300)
    issuer = forms.CharField(label="出具单位", max_length=200, required=False)
    originals = forms.IntegerField(label="原件", min_value=0, max_value=99, initial=1)
    copies = forms.IntegerField(label="复印件", min_value=0, max_value=99, initial=0)
    required = forms.BooleanField(label="必要", required=False, initial=True)
    license_type_code = forms.CharField(label="可替代证照类型", max_length=40, required=False)


class StepForm(forms.Form):
    name = forms.CharField(label="环节名称", max_length=100)
    role = forms.ChoiceField(label="办理角色", choices=Role.choices)
    limit = forms.IntegerField(label="时限（工作日）", min_value=0, max_value=365, initial=1)


MaterialFormSet = forms.formset_factory(MaterialForm, extra=1, can_delete=True)
StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True)


def formset_rows(formset: forms.BaseFormSet[Any]) -> list[dict[str, Any]]:
    """The filled, not deleted rows of a valid formset, in order."""
    return [
        {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("suspended", "暂停办理"), ("published", "恢复办理"), ("revoked", "取消事项")]
    )
    reason = forms.CharField(label="原因", max_length=500, required=False)
