"""Pure identity rules: real-name levels, how a login identifier is read, code hashing."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

from yiwang.accounts.models import EvidenceKind, RealNameLevel

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")

# The items that, with the ID number, make a real-name identity (国办函〔2016〕108号).
MATCHABLE_ITEMS = frozenset(
    {
        EvidenceKind.PHONE,
        EvidenceKind.SOCIAL_SECURITY,
        EvidenceKind.BANK_CARD,
        EvidenceKind.HOUSING_FUND,
        EvidenceKind.DRIVING_LICENCE,
    }
)


def real_name_level(evidence: Iterable[str]) -> RealNameLevel:
    """The level earned by the matched items: two or more of the five make L2; an in-person
    check on top of L2 makes L3; anything less stays L1."""
    kinds = set(evidence)
    matched = len(kinds & MATCHABLE_ITEMS)
    if matched >= 2 and EvidenceKind.IN_PERSON in kinds:
        return RealNameLevel.IN_PERSON
    if matched >= 2:
        return RealNameLevel.VERIFIED
    return RealNameLevel.BASIC


def identifier_kind(identifier: str) -> str:
    """How a login identifier is read: `resident_id` (18 chars), `phone` (11 digits), `username`."""
    value = identifier.strip()
    if len(value) == 18 and value[:17].isdigit():
        return "resident_id"
    if MOBILE_RE.match(value):
        return "phone"
    return "username"


def is_mobile(value: str) -> bool:
    return bool(MOBILE_RE.match(value))


def code_digest(*, secret: str, phone: str, purpose: str, code: str) -> str:
    """Keyed hash of a one-time code, so a database reader cannot recover codes."""
    message = f"{phone}:{purpose}:{code}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def luhn_ok(number: str) -> bool:
    """Bank card numbers carry a Luhn check digit."""
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


# What each of the three administrators may do in the Django admin (三权分立): reference data and
# client systems for the system administrator, lockouts for the security administrator, the audit
# log for the audit administrator. Roles themselves are granted on the workbench, audited.
ADMIN_ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "system_admin": (
        *(
            f"{app}.{action}_{model}"
            for app, model in [
                ("regions", "region"),
                ("regions", "department"),
                ("regions", "hall"),
                ("regions", "window"),
                ("core", "calendaroverride"),
                ("core", "calendaryear"),
                ("oauth2_provider", "application"),
            ]
            for action in ("view", "add", "change", "delete")
        ),
        "catalog.view_basicitem",
        "catalog.change_basicitem",
        "catalog.view_implementationitem",
        "catalog.view_syncbatch",
    ),
    "security_admin": (
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "accounts.view_staffrole",
    ),
    "audit_admin": ("core.view_auditrecord", "axes.view_accesslog"),
}
