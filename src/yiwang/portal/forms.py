from django import forms


class DeadlineForm(forms.Form):
    start = forms.DateField(
        label="受理日期",
        error_messages={"required": "请填写受理日期", "invalid": "日期格式应为 YYYY-MM-DD"},
    )
    days = forms.IntegerField(
        label="时限",
        min_value=0,
        max_value=3650,
        error_messages={
            "required": "请填写时限",
            "invalid": "时限应为整数",
            "min_value": "时限不能为负数",
            "max_value": "时限不能超过 3650 个工作日",
        },
    )
