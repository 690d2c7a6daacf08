"""The form renderer: Jinja2 for Django's widgets, Django templates for the admin's."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.forms.renderers import DjangoTemplates
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template

from yiwang.core.renderers import FormRenderer

SELECT = forms.Select(choices=[("a", "甲"), ("b", "乙<b>")])
TEXT = forms.TextInput(attrs={"maxlength": 20})


def _html(renderer: object) -> str:
    html = SELECT.render("kind", "b", renderer=renderer) + TEXT.render(
        "name", "x", renderer=renderer
    )
    return " ".join(html.split())


def test_django_widgets_are_rendered_by_jinja2_with_the_same_html() -> None:
    renderer = FormRenderer()
    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), Jinja2Template)
    assert _html(renderer) == _html(DjangoTemplates())
    assert "乙&lt;b&gt;" in _html(renderer) and 'value="b" selected' in _html(renderer)


def test_widgets_only_django_templates_have_fall_back_to_them() -> None:
    renderer = FormRenderer()
    name = ForeignKeyRawIdWidget.template_name
    assert isinstance(renderer.get_template(name), DjangoTemplate)
    assert name in renderer.django_only  # asked of Jinja2 once, then straight to Django's
    assert isinstance(renderer.get_template(name), DjangoTemplate)
