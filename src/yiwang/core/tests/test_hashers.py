"""The production password hasher: argon2id with the machine's parameters, upgrading old hashes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password

from yiwang.core.hashers import YiwangArgon2PasswordHasher

PRODUCTION_HASHERS = [
    "yiwang.core.hashers.YiwangArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def test_settings_prefer_the_tuned_argon2() -> None:
    # The suite swaps in a cheap hasher per test; the settings module itself names this one.
    from importlib import import_module

    module = import_module("yiwang.settings")
    assert module.PASSWORD_HASHERS[0] == PRODUCTION_HASHERS[0]


def test_hashes_carry_the_tuned_parameters(settings: Any) -> None:
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    encoded = make_password("Yiwang@2026")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("Yiwang@2026", encoded)
    assert not check_password("wrong", encoded)


def test_a_hash_with_django_defaults_verifies_and_is_upgraded(settings: Any) -> None:
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    old = Argon2PasswordHasher().encode("Yiwang@2026", Argon2PasswordHasher().salt())
    upgraded: list[str] = []
    assert check_password("Yiwang@2026", old, setter=lambda raw: upgraded.append(raw))
    assert upgraded == ["Yiwang@2026"]  # Django re-hashes it with the preferred parameters
    assert not YiwangArgon2PasswordHasher().must_update(make_password("x"))


@pytest.mark.parametrize("attribute", ["time_cost", "memory_cost", "parallelism"])
def test_parameters_are_at_least_owasp_minimum(attribute: str) -> None:
    minimum = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}
    assert getattr(YiwangArgon2PasswordHasher, attribute) >= minimum[attribute]
