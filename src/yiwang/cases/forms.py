"""Portal forms for applying and following a case. They only parse what a person typed: the
services check it (`rules.form_clean` on submit), and their messages are put next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms

from yiwang.cases.models import Delivery
from yiwang.catalog.models import ItemVersion

# How each field type of an item's form (catalog `FORM_FIELD_TYPES`) is typed in.
_INPUT_TYPES = {
    "number": "number",
    "date": "date",
    "phone": "tel",
}


class SchemaField(forms.CharField):
    """One field of an item's application form; `spec` is its definition in `form_schema`."""

    def __init__(self, *, spec: dict[str, Any], locked: bool = False) -> None:
        self.spec = spec
        self.locked = locked
        kind = spec.get("type", "text")
        attrs: dict[str, Any] = {"autocomplete": "off"}
        if spec.get("max_length"):
            attrs["maxlength"] = spec["max_length"]
        if locked:
            attrs["readonly"] = True
        widget: forms.Widget
        if kind == "textarea":
            widget = forms.Textarea(attrs={**attrs, "rows": 4})
        elif kind == "select":
            options = [str(option) for option in spec.get("options", [])]
            choices = [("", "请选择"), *((option, option) for option in options)]
            widget = forms.Select(attrs=attrs, choices=choices)
        else:
            widget = forms.TextInput(attrs=attrs)
            widget.input_type = _INPUT_TYPES.get(kind, "text")
            if kind == "number":
                widget.attrs["step"] = "any"
        help_text = "根据您的实名信息自动填写" if locked else ""
        # Nothing is refused here: a draft keeps whatever was typed.
        super().__init__(
            label=spec.get("label") or spec["name"],
            required=False,
            strip=False,
            widget=widget,
            help_text=help_text,
        )

    @property
    def marked_required(self) -> bool:
        return bool(self.spec.get("required"))


class ApplicationForm(forms.Form):
    """The application form of an item version, built from its `form_schema`. A field filled in
    from the applicant's identity (`fill_from`, with a value in `initial`) is read-only."""

    def __init__(self, *args: Any, schema: list[dict[str, Any]], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for spec in schema:
            if isinstance(spec, dict) and spec.get("name"):
                name = str(spec["name"])
                locked = bool(spec.get("fill_from") and self.initial.get(name))
                self.fields[name] = SchemaField(spec=spec, locked=locked)

    def values(self) -> dict[str, str]:
        """What was typed (unchecked strings): the fields sent, except the read-only ones."""
        return {
            name: str(self.data[name])
            for name, field in self.fields.items()
            if name in self.data and not getattr(field, "locked", False)
        }


class DeliveryForm(forms.Form):
    """How the result reaches the applicant: only the ways the item offers are listed."""

    delivery = forms.ChoiceField(
        label="送达方式",
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择送达方式",
            "invalid_choice": "该事项不支持所选的送达方式",
        },
    )
    delivery_address = forms.CharField(
        label="收件地址",
        required=False,
        max_length=200,
        help_text="选择快递送达时填写",
        error_messages={"max_length": "收件地址不能超过 200 个字符"},
    )

    def __init__(self, *args: Any, version: ItemVersion, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        choices = [(Delivery.PICKUP.value, Delivery.PICKUP.label)]
        if version.deliverable:
            choices.append((Delivery.COURIER.value, Delivery.COURIER.label))
        if version.result_license_type:
            choices.append((Delivery.LICENSE.value, Delivery.LICENSE.label))
        self.fields["delivery"].choices = choices  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="撤回理由",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "请填写撤回理由",
            "max_length": "撤回理由不能超过 500 个字符",
        },
    )


class CorrectionNoteForm(forms.Form):
    note = forms.CharField(
        label="补正说明",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "补正说明不能超过 500 个字符"},
    )


class ProgressForm(forms.Form):
    """The public progress query: case number and the query password given on submission."""

    number = forms.CharField(
        label="办件编号",
        max_length=50,
        error_messages={"required": "请填写办件编号", "max_length": "办件编号不正确"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="查询密码",
        max_length=20,
        error_messages={"required": "请填写查询密码", "max_length": "查询密码不正确"},
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
