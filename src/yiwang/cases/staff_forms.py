"""Forms of the staff case pages. They only parse input: what a case needs (reasons, limits,
the applicant's identity, the application form) is checked by `services`, whose refusal is shown
on the form (see `yiwang.accounts.web.form_error`)."""

from __future__ import annotations

from typing import Any

from django import forms

from yiwang.cases import rules
from yiwang.cases.models import ApplicantType, CaseState, Delivery, SpecialKind
from yiwang.cases.services import Missing, WalkIn
from yiwang.catalog.models import Material


def _text(label: str, *, rows: int = 2, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": rows, "cols": 60}),
    )


RESULT_HELP = "留空则使用事项的审批结果名称"
ID_HELP = "自然人填身份证号码，法人填统一社会信用代码"


class OpinionForm(forms.Form):
    """受理, 通过 (opinion optional); 退回上一环节 (required by the service)."""

    opinion = _text("意见")


class ReasonForm(forms.Form):
    """不予受理, 查看完整信息: a reason the service requires."""

    reason = _text("理由")


class NoteForm(forms.Form):
    """送达."""

    note = forms.CharField(label="送达说明", required=False, max_length=500)


class DecideForm(forms.Form):
    """准予许可 / 不予许可 (the service requires the reasons of a refusal)."""

    opinion = _text("意见（不予许可时请写明理由）")
    result_name = forms.CharField(
        label="办理结果名称",
        required=False,
        max_length=200,
        help_text=RESULT_HELP,
    )


class SpecialStartForm(forms.Form):
    kind = forms.ChoiceField(label="特别程序种类", choices=[("", "请选择"), *SpecialKind.choices])
    reason = _text("理由")
    limit_days = forms.IntegerField(label="时限（工作日）", min_value=1, max_value=365)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False  # the service names a missing kind


class SpecialEndForm(forms.Form):
    result = _text("特别程序结果")


class ExtendForm(forms.Form):
    days = forms.IntegerField(
        label="延长天数（工作日）", min_value=1, max_value=rules.EXTENSION_MAX_DAYS
    )
    reason = _text("延长理由")


class PiiRevealForm(forms.Form):
    reason = forms.CharField(
        label="查看原因", required=False, max_length=200, help_text="将记入审计日志"
    )


# --- 一次性告知补正: one row per thing to supply or fix ---------------------------------------

OTHER = ""


class CorrectionRowForm(forms.Form):
    material = forms.TypedChoiceField(
        label="材料", required=False, coerce=int, empty_value=None, choices=[]
    )
    name = forms.CharField(label="其他内容", required=False, max_length=300)
    problem = forms.CharField(label="问题", required=False, max_length=500)

    def __init__(self, *args: Any, materials: list[Material] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.materials = {m.seq: m for m in materials or []}
        choices = [(OTHER, "（不是材料：填写“其他内容”）")]
        choices += [(str(m.seq), f"{m.seq}. {m.name}") for m in materials or []]
        self.fields["material"].choices = choices  # type: ignore[attr-defined]

    def missing(self) -> Missing | None:
        """The row as the service takes it; None for a row left empty."""
        seq = self.cleaned_data.get("material")
        name = self.cleaned_data.get("name", "").strip()
        problem = self.cleaned_data.get("problem", "").strip()
        if seq is None and not name and not problem:
            return None
        material = self.materials.get(seq) if seq is not None else None
        return Missing(name=material.name if material else name, problem=problem, material_seq=seq)


CorrectionFormSet = forms.formset_factory(CorrectionRowForm, extra=4, max_num=30)


def correction_rows(formset: forms.BaseFormSet) -> list[Missing]:
    return [row for form in formset.forms if (row := form.missing()) is not None]


# --- The lists -------------------------------------------------------------------------------


class StateFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *[c for c in CaseState.choices if c[0] != CaseState.DRAFT]],
    )


# --- 窗口收件 ----------------------------------------------------------------------------------

FORM_PREFIX = "f_"


class IntakeForm(forms.Form):
    """The applicant at the window, the item's application form (fields prefixed `f_`) and
    delivery. The scanned files come as `m_<material seq>` file inputs."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    applicant_type = forms.ChoiceField(
        label="申请人类型", choices=ApplicantType.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(label="申请人名称", max_length=200, required=False)
    id_number = forms.CharField(
        label="证件号码",
        max_length=18,
        required=False,
        help_text=ID_HELP,
    )
    phone = forms.CharField(label="联系电话", max_length=11, required=False)
    address = forms.CharField(label="联系地址", max_length=200, required=False)
    legal_representative = forms.CharField(label="法定代表人", max_length=50, required=False)
    agent_name = forms.CharField(label="经办人", max_length=50, required=False)
    agent_id_number = forms.CharField(label="经办人身份证号码", max_length=18, required=False)
    delivery = forms.ChoiceField(label="送达方式", choices=Delivery.choices)
    delivery_address = forms.CharField(label="收件地址", max_length=200, required=False)

    APPLICANT_FIELDS = (
        "applicant_type", "name", "id_number", "phone", "address", "legal_representative",
        "agent_name", "agent_id_number",
    )  # fmt: skip

    def __init__(self, *args: Any, schema: list[dict[str, Any]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.schema = schema or []
        for field in self.schema:
            self.fields[FORM_PREFIX + field["name"]] = _schema_field(field)

    def applicant_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.APPLICANT_FIELDS]

    def item_fields(self) -> list[forms.BoundField]:
        return [self[FORM_PREFIX + f["name"]] for f in self.schema]

    def walk_in(self) -> WalkIn:
        data = self.cleaned_data
        return WalkIn(**{name: data.get(name) or "" for name in self.APPLICANT_FIELDS})

    def form_data(self) -> dict[str, str]:
        """The item's form as typed; a field left blank that the platform fills online
        (`fill_from`) takes the applicant's details from the window."""
        typed = {
            f["name"]: str(self.cleaned_data.get(FORM_PREFIX + f["name"]) or "").strip()
            for f in self.schema
        }
        filled = rules.form_prefill(self.schema, _identity(self.walk_in()))
        return {name: value or filled.get(name, "") for name, value in typed.items()}


def _identity(walk_in: WalkIn) -> dict[str, str]:
    """What `fill_from` may name, from the applicant at the window (for an organisation the
    person is the agent who came)."""
    if walk_in.applicant_type == ApplicantType.ORGANISATION:
        return {
            "person.name": walk_in.agent_name,
            "person.resident_id": walk_in.agent_id_number,
            "person.phone": walk_in.phone,
            "enterprise.name": walk_in.name,
            "enterprise.uscc": walk_in.id_number,
            "enterprise.legal_representative": walk_in.legal_representative,
        }
    return {
        "person.name": walk_in.name,
        "person.resident_id": walk_in.id_number,
        "person.phone": walk_in.phone,
    }


def _schema_field(field: dict[str, Any]) -> forms.Field:
    """A form field for one field of an item's form. Required-ness and formats are checked by
    the service (`rules.form_clean`), so a refusal reads the same online and at the window."""
    label = str(field.get("label") or field["name"])
    if field.get("required"):
        label += "（必填）"
    help_text = "留空则按申请人信息填写" if field.get("fill_from") else ""
    kind = field.get("type", "text")
    if kind == "select":
        options = [str(o) for o in field.get("options", [])]
        return forms.ChoiceField(
            label=label, required=False, choices=[("", "请选择"), *[(o, o) for o in options]]
        )
    widget: forms.Widget = forms.TextInput()
    if kind == "textarea":
        widget = forms.Textarea(attrs={"rows": 3})
    elif kind == "date":
        widget = forms.DateInput(attrs={"type": "date"})
    return forms.CharField(
        label=label, required=False, max_length=2000, widget=widget, help_text=help_text
    )
