"""The rating form of every web channel (portal, SMS link / QR, hall tablet). It only parses what
was chosen: the services check the rating (`rules.rating_problems`) and their messages are put
next to the fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from yiwang.reviews import rules
from yiwang.reviews.models import Level
from yiwang.reviews.services import Rating


def reason_rule(occasion: str) -> str:
    """The below-满意 rule in words, shown next to the indicator choices."""
    below = "、".join(Level(code).label for code in sorted(rules.NEEDS_REASON))
    names = "、".join(rules.indicator_options(occasion).values())
    return f"评价为{below}时，请至少选择一项不满意的方面（{names}）。"


class RatingForm(forms.Form):
    level = forms.ChoiceField(
        label="满意程度",
        choices=Level.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "请选择满意程度"},
    )
    indicators = forms.MultipleChoiceField(
        label="评价指标",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "评价指标不正确：%(value)s"},
    )
    text = forms.CharField(
        label="评价内容",
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "maxlength": rules.TEXT_MAX_LENGTH,
                "style": "width: 100%",
                "placeholder": "请填写您的意见或建议（选填）",
            }
        ),
    )

    def __init__(self, *args: Any, occasion: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.occasion = occasion
        options = rules.indicator_options(occasion)
        indicators = cast(forms.MultipleChoiceField, self.fields["indicators"])
        indicators.choices = list(options.items())
        indicators.help_text = reason_rule(occasion)

    def rating(self) -> Rating:
        data = self.cleaned_data
        return Rating(
            level=data.get("level") or "",
            indicators=tuple(data.get("indicators") or ()),
            text=data.get("text") or "",
        )

    @property
    def needs_reason(self) -> bool:
        """A level below 满意 was chosen with no reason: ask for one before rating."""
        rating = self.rating()
        return rating.level in rules.NEEDS_REASON and not rating.indicators
