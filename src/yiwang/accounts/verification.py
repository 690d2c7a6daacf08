"""The identity-source adapter: does a number (bank card, social security card, …) belong to
this person? In production it calls the provincial identity verification service; locally it
answers from rules a real source would also satisfy, so flows can be walked end to end."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from yiwang.accounts.models import EvidenceKind
from yiwang.accounts.rules import luhn_ok


class IdentitySource(Protocol):
    name: str

    def matches(self, *, kind: str, number: str, name: str, resident_id: str) -> bool: ...


class LocalIdentitySource:
    """Development and test source. Social security cards and driving licences are numbered by
    the holder's resident ID number in China, so those match exactly; a bank card or housing-fund
    account matches when it is well-formed and not on the local refusal list (numbers ending in
    0000 are "held by someone else", so a mismatch can be tried)."""

    name = "本地核验（开发环境）"

    def matches(self, *, kind: str, number: str, name: str, resident_id: str) -> bool:
        if kind in (EvidenceKind.SOCIAL_SECURITY, EvidenceKind.DRIVING_LICENCE):
            return number == resident_id
        if kind == EvidenceKind.BANK_CARD:
            return luhn_ok(number) and not number.endswith("0000")
        if kind == EvidenceKind.HOUSING_FUND:
            return number.isdigit() and 8 <= len(number) <= 20 and not number.endswith("0000")
        return False


def identity_source() -> IdentitySource:
    path = getattr(settings, "IDENTITY_SOURCE", "yiwang.accounts.verification.LocalIdentitySource")
    source: IdentitySource = import_string(path)()
    return source
