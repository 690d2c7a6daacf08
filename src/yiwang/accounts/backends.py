"""Authentication: one backend for every identifier, one message for every failure."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from yiwang.accounts.models import User
from yiwang.accounts.rules import identifier_kind, token_digest


def user_for_identifier(identifier: str) -> User | None:
    """The user an identifier names: a person by resident ID or phone, anyone by username."""
    value = identifier.strip().upper()
    kind = identifier_kind(value)
    query = User.objects.select_related("person")
    if kind == "resident_id":
        return query.filter(person__resident_id=value).first()
    if kind == "phone":
        return query.filter(person__phone=value).first()
    return query.filter(username=identifier.strip()).first()


class IdentifierBackend(ModelBackend):
    """Persons sign in with resident ID number or phone, staff with their username."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        user = user_for_identifier(username)
        if user is None:
            User().set_password(password)  # same time spent as for a real account
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in user of a request, with their person or their staff member (with
        department and region) in the same query, and a staff member's roles in one more:
        every signed-in page needs one of them (for the other, the join finds nothing)."""
        user = (
            User._default_manager.select_related("person", "staff__department__region")
            .prefetch_related("staff__roles")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Lockout key for an identifier, hashed so no ID number or phone lands in axes' tables."""
    raw = (credentials or {}).get("username") or request.POST.get("identifier", "")
    return "id:" + token_digest(str(raw).strip().upper())[:32]
