"""Shared helpers for the pages that sign people in (portal and workbench)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from yiwang.core.errors import YiwangError


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def form_error(form: forms.Form, error: YiwangError) -> None:
    """Show a refusal on the form: per field where it names fields known to the form."""
    placed = False
    for field, messages in error.fields.items():
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)
