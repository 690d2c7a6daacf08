"""Test clients signed in as someone: one place for the session a real login leaves behind."""

from __future__ import annotations

from django.test import Client

from yiwang.accounts.models import Staff
from yiwang.accounts.session_keys import SECOND_FACTOR


def staff_client(staff: Staff) -> Client:
    """A workbench session of `staff`, past the second factor (as after password + TOTP)."""
    client = Client()
    client.force_login(staff.user)
    session = client.session
    session[SECOND_FACTOR] = "totp"
    session.save()
    return client
